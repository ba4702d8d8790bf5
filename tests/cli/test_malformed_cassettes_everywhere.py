"""Every malformed cassette that validate-status refuses (tests/examples/malformed-cassettes:
`interactions: null` or `5`, broken YAML, interactions, requests, responses, headers, codes and
bodies of the wrong shape) is refused by `batch-contract coverage` and `drift` too: one line, the
same words as validate-status's, exit 2, and no traceback, each command run as a user runs it.
Drift also reads `.yml` and JSON cassettes as validate-status does, and a status URI whose host is
malformed (`http://[::1/...`) is counted by coverage as validate-status checks it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from batch_contract.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
MALFORMED = sorted((ROOT / "tests" / "examples" / "malformed-cassettes").glob("*.yaml"))
OLD = ROOT / "tests" / "drift" / "old"
BIN = Path(sys.executable).parent


def command(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """One of the installed console scripts, run in `cwd`."""
    return subprocess.run(
        [str(BIN / name), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def refusal(cwd: Path, name: str) -> str:
    """validate-status's problem line of a cassette (without the summary)."""
    done = command("validate-status", name, cwd=cwd)
    assert done.returncode == ExitCode.VIOLATION, done
    return done.stdout.splitlines()[0]


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_coverage_refuses_what_validate_status_refuses(tmp_path: Path, path: Path) -> None:
    """`batch-contract coverage odd.yaml`: exactly validate-status's line, after the command's
    name, and exit 2 (it used to crash with exit 1 on `interactions: null` or `5`)."""
    shutil.copy(path, tmp_path / "odd.yaml")
    said = refusal(tmp_path, "odd.yaml")
    done = command("batch-contract", "coverage", "odd.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, f"batch-contract coverage: {said}\n")
    assert done.stdout == ""


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_coverage_still_counts_the_rest(tmp_path: Path, path: Path) -> None:
    """With good cassettes beside it, the malformed one is still one line and exit 2, and the
    report of the rest is printed."""
    shutil.copytree(OLD, tmp_path / "cassettes")
    shutil.copy(path, tmp_path / "cassettes" / "odd.yaml")
    said = refusal(tmp_path, "cassettes/odd.yaml")
    done = command("batch-contract", "coverage", "cassettes", "--format", "json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, f"batch-contract coverage: {said}\n")
    assert json.loads(done.stdout)["responses"] > 0


SHAPE_AS_JSON = {
    "version-missing.yaml": "not a vcrpy cassette (no 'version' key)",
    "interactions-misspelt.yaml": "not a vcrpy cassette (no 'interactions' list; unexpected key "
    "'interaction')",
    "key-unexpected.yaml": "not a vcrpy cassette (unexpected key 'recorded_with')",
}
"""The examples not of a cassette's exact shape: as JSON, validate-status checks each as a
response body (docs/validate-status.md); drift, which compares cassettes only, refuses it in
these words, as it does the YAML form."""


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_drift_refuses_what_validate_status_refuses(
    tmp_path: Path, path: Path, suffix: str
) -> None:
    """`batch-contract drift OLD NEW` with the malformed cassette in NEW (as YAML, `.yml`, or
    JSON when it is YAML of text at all): exactly validate-status's line, after the command's
    name (for the JSON form of a cassette not of vcrpy's exact shape, the words of its YAML form),
    exit 2, and the rest compared as without it. Drift used to pass over such a JSON file, and
    then wrapped validate-status's words in its own ("not a readable vcrpy cassette (not a vcrpy
    cassette (...))")."""
    new = Path(shutil.copytree(OLD, tmp_path / "new"))
    odd = new / f"odd{suffix}"
    if suffix == ".json":
        try:
            odd.write_text(json.dumps(yaml.safe_load(path.read_text())))
        except (yaml.YAMLError, TypeError):
            pytest.skip("not YAML, or a binary body: no JSON form")
    else:
        shutil.copy(path, odd)
    if suffix == ".json" and path.name in SHAPE_AS_JSON:
        said = f"{odd}: {SHAPE_AS_JSON[path.name]}"
    else:
        said = refusal(tmp_path, str(odd))
    done = command("batch-contract", "drift", str(OLD), str(new), cwd=tmp_path)
    assert done.returncode == 2, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0] == f"batch-contract drift: {said}"
    odd.unlink()
    assert (
        done.stdout == command("batch-contract", "drift", str(OLD), str(new), cwd=tmp_path).stdout
    )


@pytest.mark.parametrize("suffix", [".yml", ".json"])
def test_drift_reads_yml_and_json_cassettes(tmp_path: Path, suffix: str) -> None:
    """A cassette stored as `.yml` or as JSON (both read by validate-status) is compared: NEW
    with one of OLD's cassettes in that form shows no drift, and a breaking change in it shows."""
    new = Path(shutil.copytree(OLD, tmp_path / "new"))
    yaml_file = new / "status" / "failed.yaml"
    value = yaml.safe_load(yaml_file.read_text())
    yaml_file.unlink()
    moved = yaml_file.with_suffix(suffix)
    moved.write_text(json.dumps(value) if suffix == ".json" else yaml.safe_dump(value))
    same = command("batch-contract", "drift", str(OLD), str(new), cwd=tmp_path)
    assert same.returncode == 0, same
    assert " 0 breaking, 0 additive" in same.stdout
    for interaction in value["interactions"]:
        body = interaction["response"]["body"]
        if '"status"' in str(body.get("string")):
            document = json.loads(body["string"])
            document["job"]["status"] = "queued"
            body["string"] = json.dumps(document)
    moved.write_text(json.dumps(value) if suffix == ".json" else yaml.safe_dump(value))
    broken = command("batch-contract", "drift", str(OLD), str(new), cwd=tmp_path)
    assert broken.returncode == 1, broken
    assert moved.name in broken.stdout


def test_coverage_counts_a_status_uri_with_a_malformed_host(tmp_path: Path) -> None:
    """`http://[::1/api/...`: validate-status checks its body; coverage counts it (it used to
    crash with `ValueError: Invalid IPv6 URL` and exit 1)."""
    body = (ROOT / "tests" / "examples" / "valid" / "completed.json").read_text()
    cassette = {
        "interactions": [
            {
                "request": {"method": "GET", "uri": "http://[::1/api/v1/beta/batch-processing/b"},
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": body}},
            }
        ],
        "version": 1,
    }
    (tmp_path / "v6.yaml").write_text(yaml.safe_dump(cassette))
    checked = command("validate-status", "v6.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked
    done = command("batch-contract", "coverage", "v6.yaml", "--format", "json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    report = json.loads(done.stdout)
    assert (report["responses"], report["bodies"]) == (1, 1)


ONE_COMPLETED = ROOT / "tests" / "coverage" / "examples" / "one-completed"
REQUEST_WORDS = {
    "method-null": "request method: not text (null)",
    "method-a-number": "request method: not text (int)",
    "method-missing": "request method: missing",
    "uri-a-number": "request uri: not text (int)",
    "uri-missing": "request uri: missing",
}
"""The malformed-cassettes examples whose request has no method or URI vcrpy could load, and
the words validate-status gives them."""


def beside_a_good_one(folder: Path, stem: str) -> Path:
    """`folder/mixed.yaml`: the good interaction of a one-completed-job cassette, then the
    interaction of the malformed example `stem` (interactions[1])."""
    cassette = yaml.safe_load(next(ONE_COMPLETED.glob("*.yaml")).read_text())
    odd = yaml.safe_load((MALFORMED[0].parent / f"{stem}.yaml").read_text())
    cassette["interactions"].append(odd["interactions"][0])
    folder.mkdir(exist_ok=True)
    (folder / "mixed.yaml").write_text(yaml.safe_dump(cassette))
    return folder / "mixed.yaml"


@pytest.mark.parametrize("stem", REQUEST_WORDS)
def test_a_request_without_a_method_or_uri_is_named_beside_a_good_one(
    tmp_path: Path, stem: str
) -> None:
    """Beside a good interaction, one whose method or URI is missing or not text is one line
    naming the cassette and interactions[1] in validate-status (exit 1), coverage (exit 2),
    drift (exit 2, no endpoint made of it) and report (exit 1, named on a failing page). It
    used to be skipped as "not a GET of the endpoint": validate-status said "1 valid", exit 0."""
    beside_a_good_one(tmp_path, stem)
    line = f"mixed.yaml:interactions[1]: unreadable cassette interaction: {REQUEST_WORDS[stem]}"
    checked = command("validate-status", "mixed.yaml", cwd=tmp_path)
    assert (checked.returncode, checked.stdout) == (1, f"{line}\n2 documents: 1 valid, 1 invalid\n")
    counted = command("batch-contract", "coverage", "mixed.yaml", "--format", "json", cwd=tmp_path)
    assert (counted.returncode, counted.stderr) == (2, f"batch-contract coverage: {line}\n")
    assert json.loads(counted.stdout)["responses"] == 1
    new = tmp_path / "new"
    beside_a_good_one(new, stem)
    compared = command("batch-contract", "drift", str(OLD), "new", cwd=tmp_path)
    assert (compared.returncode, compared.stderr) == (2, f"batch-contract drift: new/{line}\n")
    assert "status-added" not in compared.stdout
    shown = command("batch-contract", "report", "mixed.yaml", "-o", "page.html", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (1, f"batch-contract report: {line}\n")
    page = (tmp_path / "page.html").read_text()
    assert "FAIL" in page
    assert "PASS" not in page
    assert f"<li><code>{line}</code></li>" in page
