"""The SDK as a source: wheels and unpacked trees with the file layout of llama-cloud 2.13.0 and
2.14.0, built here (never committed), the installed distribution, and SDK changes of the
response model. The SDK is read as files: nothing of it is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run
from .sdk_layout import STATUS_MODEL, build_wheel, layout, unpack

OPERATION = "GET /api/v1/beta/batch-processing/{job_id} (client.beta.batch.get_status)"
SUCCESSOR = {
    "operation": "GET /api/v2/batches/{batch_id}",
    "call": "client.batches.get",
    "fields": [
        "created_at",
        "id",
        "project_id",
        "results",
        "source_directory_id",
        "status",
        "updated_at",
    ],
    "statuses": ["CANCELLED", "COMPLETED", "FAILED", "PENDING", "RUNNING", "THROTTLED"],
}


def findings(out: str) -> list[dict[str, object]]:
    """The findings of a JSON report."""
    return list(json.loads(out)["findings"])


def test_wheel_of_2_13_0_gives_no_finding(run_watch: Run, tmp_path: Path) -> None:
    """The last release with the endpoint matches the shipped SDK facts: nothing to report."""
    code, out, err = run_watch("--sdk", str(build_wheel(tmp_path, "2.13.0")), "--format", "json")
    assert (code, findings(out), err) == (0, [], "")
    assert json.loads(out)["compared"] == [
        f"sdk {tmp_path}/llama_cloud-2.13.0-py3-none-any.whl 2.13.0"
    ]


def test_wheel_of_2_14_0_gives_api_removed_with_the_successor(
    run_watch: Run, tmp_path: Path
) -> None:
    """From 2.14.0 the call is gone: one api-removed error naming client.batches.get on
    /api/v2/batches/{batch_id}, with its fields and upper-case statuses."""
    code, out, err = run_watch("--sdk", str(build_wheel(tmp_path, "2.14.0")), "--format", "json")
    assert code == 1
    assert err == ""
    assert findings(out) == [
        {
            "id": "api-removed",
            "severity": "error",
            "source": "sdk",
            "path": OPERATION,
            "old": OPERATION,
            "new": "GET /api/v2/batches/{batch_id} (client.batches.get)",
            "message": "the operation is gone from the sdk; successor: GET /api/v2/batches/"
            "{batch_id} (client.batches.get), another contract (not checked)",
            "decision": None,
            "seen": None,
            "successor": SUCCESSOR,
        }
    ]


@pytest.mark.parametrize(("version", "code"), [("2.13.0", 0), ("2.14.0", 1)])
def test_unpacked_tree_reads_like_the_wheel(
    run_watch: Run, tmp_path: Path, version: str, code: int
) -> None:
    """An unpacked tree (site-packages style, or the llama_cloud folder itself) gives what the
    wheel gives."""
    root = unpack(tmp_path, version)
    for where in (root, root / "llama_cloud"):
        got, out, err = run_watch("--sdk", str(where), "--format", "json")
        assert (got, err) == (code, "")
        assert [f["id"] for f in findings(out)] == ([] if code == 0 else ["api-removed"])


def test_installed_distribution_is_read_not_imported(run_watch: Run) -> None:
    """`--sdk installed` reads the environment's llama-cloud (2.13.0, the [sdk] pin) without
    importing it."""
    before = set(sys.modules)
    code, out, err = run_watch("--sdk", "installed", "--format", "json")
    assert (code, findings(out), err) == (0, [], "")
    assert "llama-cloud (installed) 2.13.0" in json.loads(out)["compared"][0]
    assert not {name for name in set(sys.modules) - before if name.startswith("llama_cloud")}


def test_model_changes_of_the_sdk_are_findings(run_watch: Run, tmp_path: Path) -> None:
    """A new Literal value, a field that becomes Optional and a new field of the SDK's model
    are findings of source sdk, judged as the spec's would be."""
    model = (
        STATUS_MODEL.replace('"pending", "running"]', '"pending", "running", "queued"]')
        .replace("    project_id: str\n", "    project_id: Optional[str] = None\n")
        .replace(
            "    progress_percentage: float\n", "    progress_percentage: float\n    eta: int\n"
        )
    )
    files = layout("2.13.0")
    files["llama_cloud/types/beta/batch_get_status_response.py"] = model
    code, out, err = run_watch(
        "--sdk", str(build_wheel(tmp_path, "2.13.1", files)), "--format", "json"
    )
    got = [(f["id"], f["severity"], f["source"], f["path"], f["new"]) for f in findings(out)]
    assert err == ""
    assert code == 1
    assert got == [
        ("response-property-became-nullable", "error", "sdk", "$.job.project_id", True),
        ("response-property-became-optional", "error", "sdk", "$.job.project_id", "optional"),
        ("response-property-enum-value-added", "error", "sdk", "$.job.status", "queued"),
        ("response-property-added", "warning", "sdk", "$.eta", "integer"),
    ]


def test_watch_runs_on_the_light_install() -> None:
    """A whole watch (spec, installed SDK, docs) imports nothing of the [suite] extra, nor the
    SDK itself: the light install runs it."""
    code = (
        "import io, sys\n"
        "from batch_contract.watch.command import main\n"
        "from batch_contract.watch.sources import BASELINE\n"
        "args = ['--spec', str(BASELINE / 'provider-openapi.json'), '--sdk', 'installed',\n"
        "        '--docs', str(BASELINE / 'get-batch-job-status.md')]\n"
        "assert main(args, io.StringIO(), io.StringIO()) == 0\n"
        "heavy = {'httpx', 'starlette', 'uvicorn', 'vcr', 'schemathesis', 'pytest',\n"
        "         'llama_cloud'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


@pytest.mark.parametrize(
    ("annotation", "new"),
    [("Optional[()]", "any"), ("List[()]", ["array"]), ("Annotated[()]", "any")],
)
def test_an_empty_subscript_in_a_model_reads_as_any(
    run_watch: Run, tmp_path: Path, annotation: str, new: object
) -> None:
    """`Optional[()]`, `List[()]` (no type named) read as `Any` inside them, never a traceback:
    the field's type widens, which is a finding like any other."""
    model = STATUS_MODEL.replace(
        "    directory_id: Optional[str] = None\n", f"    directory_id: {annotation} = None\n"
    )
    assert model != STATUS_MODEL
    files = layout("2.13.0")
    files["llama_cloud/types/beta/batch_get_status_response.py"] = model
    code, out, err = run_watch(
        "--sdk", str(build_wheel(tmp_path, "2.13.1", files)), "--format", "json"
    )
    assert (code, err) == (1, "")
    assert [(f["id"], f["path"], f["new"]) for f in findings(out)] == [
        ("response-property-type-changed", "$.job.directory_id", new)
    ]
