"""The progress line: on stderr only when it is a terminal, never with --quiet or when piped,
and never mixed into the report."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from batch_contract.cli import progress
from batch_contract.cli.main import parse_validate_args, run_validate

LINE = (
    b'{"job":{"id":"bjb-1","job_type":"parse","project_id":"proj-1","status":"running",'
    b'"total_items":10,"processed_items":4},"progress_percentage":40}'
)


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Always a terminal."""
        return True


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Show the progress line from the first document and redraw it on every document."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)


@pytest.fixture
def ndjson(tmp_path: Path) -> Path:
    """An NDJSON file of 50 valid lines and 2 invalid ones."""
    path = tmp_path / "polls.ndjson"
    path.write_bytes(b"\n".join([LINE] * 50 + [b"{", LINE.replace(b"40}", b"140}")]) + b"\n")
    return path


def run(args: list[str], stdout: io.StringIO, stderr: io.StringIO) -> int:
    """Run validate-status in-process on the given streams."""
    return run_validate(parse_validate_args(args), stdin=io.BytesIO(), stdout=stdout, stderr=stderr)


@pytest.mark.usefixtures("at_once")
def test_progress_on_terminal(ndjson: Path) -> None:
    """On a terminal stderr, the line counts documents, rate and invalid documents, then is erased;
    the report on stdout is the same as without it."""
    plain_out, plain_err = io.StringIO(), io.StringIO()
    run([str(ndjson)], plain_out, plain_err)
    out, err = io.StringIO(), Terminal()
    assert run([str(ndjson)], out, err) == 1
    shown = err.getvalue()
    assert "\r\x1b[K52 documents, " in shown
    assert "/s, 2 invalid so far" in shown
    assert shown.endswith("\r\x1b[K")
    assert out.getvalue() == plain_out.getvalue()
    assert plain_err.getvalue() == ""


@pytest.mark.usefixtures("at_once")
def test_no_progress_when_quiet_or_piped(ndjson: Path) -> None:
    """--quiet on a terminal, and a stderr that is not a terminal, show nothing."""
    err = Terminal()
    run(["--quiet", str(ndjson)], io.StringIO(), err)
    assert err.getvalue() == ""
    piped = io.StringIO()
    run([str(ndjson)], io.StringIO(), piped)
    assert piped.getvalue() == ""


def test_no_progress_in_short_runs(ndjson: Path) -> None:
    """With the default delay, a run of a fraction of a second shows nothing even on a terminal."""
    err = Terminal()
    run([str(ndjson)], io.StringIO(), err)
    assert err.getvalue() == ""


def rendered(text: str) -> str:
    """What a terminal shows for text with `\\r` + erase-line sequences (each wipes its line)."""
    return "\n".join(line.rsplit("\r\x1b[K", 1)[-1] for line in text.split("\n"))


@pytest.mark.usefixtures("at_once")
def test_report_lines_erase_the_progress_line(ndjson: Path) -> None:
    """When stdout is the same terminal, the progress line is erased before each report line, so
    the screen shows exactly the report."""
    plain = io.StringIO()
    run([str(ndjson)], plain, io.StringIO())
    screen = Terminal()
    run([str(ndjson)], screen, screen)
    assert "invalid so far" in screen.getvalue()
    assert rendered(screen.getvalue()) == plain.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_real_terminal(tmp_path: Path, ndjson: Path) -> None:
    """A real process on a pseudo-terminal shows the line; piped stderr does not."""
    script = (
        "import sys; from batch_contract.cli import progress; progress.DELAY = 0.0; "
        "from batch_contract.cli.main import validate_main; sys.exit(validate_main())"
    )
    primary, secondary = pty.openpty()
    try:
        code = subprocess.run(
            [sys.executable, "-c", script, str(ndjson)],
            stdout=subprocess.DEVNULL,
            stderr=secondary,
            check=False,
            timeout=60,
        ).returncode
        shown = os.read(primary, 65536)
    finally:
        os.close(primary)
        os.close(secondary)
    assert code == 1
    assert b"invalid so far" in shown
    piped = subprocess.run(
        [sys.executable, "-c", script, str(ndjson)], capture_output=True, check=False, timeout=60
    )
    assert piped.returncode == 1
    assert piped.stderr == b""
