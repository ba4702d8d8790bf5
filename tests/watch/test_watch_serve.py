"""End to end against the reference server, which serves its OpenAPI document at
/api/openapi.json as the provider does: faithful, nothing to report; with
`--break spec-new-status`, one error at $.job.status, seen 0 times in the shipped cassettes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from batch_contract.server import running_server
from batch_contract.server.breaks import SPEC_NEW_STATUS

from .conftest import Run

ROOT = Path(__file__).resolve().parents[2]
FINDING = {
    "id": "response-property-enum-value-added",
    "severity": "error",
    "source": "spec",
    "path": "$.job.status",
    "old": None,
    "new": SPEC_NEW_STATUS,
    "message": f'the enum value "{SPEC_NEW_STATUS}" is added',
    "decision": None,
}


def test_faithful_server_gives_no_finding(run_watch: Run) -> None:
    """The faithful server's document is the baseline's: exit 0, no finding."""
    with running_server() as server:
        url = f"{server.base_url}/api/openapi.json"
        code, out, err = run_watch("--spec", url)
    assert (code, out, err) == (0, f"watch: 0 error(s), 0 warning(s), 0 info (spec {url})\n", "")


def test_new_status_value_is_an_error_seen_zero_times(run_watch: Run) -> None:
    """`spec-new-status`: response-property-enum-value-added at $.job.status, severity error,
    exit 1; joined with the shipped cassettes, `seen: 0`."""
    with running_server(breaks=["spec-new-status"]) as server:
        url = f"{server.base_url}/api/openapi.json"
        code, out, err = run_watch("--spec", url, "--format", "json")
        seen_code, seen_out, seen_err = run_watch(
            "--spec", url, "--recordings", str(ROOT / "cassettes")
        )
    assert (code, err) == (1, "")
    assert json.loads(out)["findings"] == [{**FINDING, "seen": None}]
    assert (seen_code, seen_err) == (1, "")
    assert seen_out == (
        f'error: response-property-enum-value-added [spec] $.job.status: the enum value "queued" '
        f'is added (old: -, new: "queued", seen: 0)\n'
        f"watch: 1 error(s), 0 warning(s), 0 info (spec {url})\n"
    )


def test_seen_counts_recorded_bodies_showing_the_change(run_watch: Run, tmp_path: Path) -> None:
    """Bodies recorded with the new value count: three of four NDJSON lines show it."""
    body = json.loads((ROOT / "docs" / "example-response.json").read_text(encoding="utf-8"))
    lines = []
    for status in ("queued", "running", "queued", "queued"):
        body["job"]["status"] = status
        lines.append(json.dumps(body))
    log = tmp_path / "log.ndjson"
    log.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    with running_server(breaks=["spec-new-status"]) as server:
        url = f"{server.base_url}/api/openapi.json"
        code, out, _ = run_watch("--spec", url, "--recordings", str(log), "--format", "json")
    assert code == 1
    assert json.loads(out)["findings"] == [{**FINDING, "seen": 3}]


@pytest.mark.parametrize(("breaks", "code"), [((), 0), (("spec-new-status",), 1)])
def test_installed_command_against_serve(breaks: tuple[str, ...], code: int) -> None:
    """The console script, as a user runs it, against `batch-contract serve` in another
    process: exit 0 faithful, exit 1 with the break."""
    script = Path(sys.executable).with_name("batch-contract")
    args = [str(script), "serve", "--port", "0", *(f"--break={name}" for name in breaks)]
    env = {**os.environ, "LLAMA_CLOUD_API_KEY": "k"}
    with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) as serve:
        try:
            assert serve.stderr is not None
            banner = serve.stderr.readline()
            base = banner.split(": ", 1)[1].split("/api/", 1)[0]
            done = subprocess.run(
                [str(script), "watch", "--spec", f"{base}/api/openapi.json", "--timeout", "10"],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
        finally:
            serve.terminate()
    assert done.returncode == code, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1 + code
    if code:
        assert lines[0].startswith("error: response-property-enum-value-added [spec] $.job.status")
