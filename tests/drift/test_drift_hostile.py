"""`batch-contract drift` on hostile and odd cassettes: base URLs with a path prefix, malformed
and deeply nested cassettes, revisions whose cassettes hold links, unknown revisions, and output
that a terminal or a Markdown comment would interpret. One line and a documented exit code, never
a traceback."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from batch_contract.drift.command import main

OLD = Path(__file__).parent / "old"
FAILED = "status/failed.yaml"
ENDPOINT = "GET /api/v1/beta/batch-processing/{job_id}"


def run(*args: str) -> tuple[int, str, str]:
    """Runs the command, returning the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def one_interaction(uri: str, body: str, status: int = 200) -> str:
    """A vcrpy YAML cassette of one GET of `uri` answered with `body`."""
    return (
        "interactions:\n- request:\n    body: ''\n    headers: {}\n    method: GET\n"
        f"    uri: {json.dumps(uri)}\n  response:\n    body:\n      string: {json.dumps(body)}\n"
        f"    headers: {{}}\n    status:\n      code: {status}\n      message: OK\nversion: 1\n"
    )


def test_a_base_url_with_a_path_prefix_is_the_same_endpoint(new: Path) -> None:
    """Cassettes recorded under `https://host/llama` hold the same endpoint as without the
    prefix: no drift, and their responses are checked."""
    for path in new.rglob("*.yaml"):
        text = path.read_text()
        path.write_text(text.replace("http://reference.invalid/api/", "https://host/llama/api/"))
    assert (
        run(str(OLD), str(new))[1].split("\n", 1)[1] == run(str(OLD), str(OLD))[1].split("\n", 1)[1]
    )


MALFORMED = {
    "request-a-number": (
        "interactions:\n- request: 1\n  response: {}\nversion: 1\n",
        ":interactions[0]: unreadable cassette interaction: request: not a mapping",
    ),
    "interactions-a-string": (
        "interactions: abc\nversion: 1\n",
        ": not a vcrpy cassette ('interactions' is not a list)",
    ),
    "response-a-list": (
        "interactions:\n- request: {method: GET, uri: x}\n  response: [1]\nversion: 1\n",
        ":interactions[0]: unreadable cassette interaction: response: not a mapping",
    ),
    "empty": ("", ": not a vcrpy cassette (no 'interactions' list)"),
    "deep-yaml": (
        "interactions: " + "[" * 100_000 + "]" * 100_000 + "\nversion: 1\n",
        ": not a readable YAML cassette: ScannerError at line 1",
    ),
}
"""Malformed cassettes, and the words drift names each in after its path: validate-status's."""


@pytest.mark.parametrize(("text", "words"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_cassette_is_one_line_and_exit_2(new: Path, text: str, words: str) -> None:
    """A cassette that is not what vcrpy writes is one line naming it in validate-status's
    words (not wrapped in drift's own, as it was: "not a readable vcrpy cassette (not a vcrpy
    cassette (...))"), and exit 2; the other cassettes are still compared, the report as
    without it."""
    (new / "odd.yaml").write_text(text)
    code, out, err = run(str(OLD), str(new))
    assert (code, err) == (2, f"batch-contract drift: {new / 'odd.yaml'}{words}\n")
    (new / "odd.yaml").unlink()
    assert out == run(str(OLD), str(new))[1]


def test_a_fifo_among_the_cassettes_is_one_line(new: Path) -> None:
    """A FIFO named like a cassette is refused in one line, without waiting on it; the other
    cassettes are still compared."""
    os.mkfifo(new / "odd.yaml")
    code, out, err = run(str(OLD), str(new))
    assert code == 2
    assert err == (
        f"batch-contract drift: {new / 'odd.yaml'}: not a readable vcrpy cassette "
        "(not a regular file)\n"
    )
    (new / "odd.yaml").unlink()
    assert out == run(str(OLD), str(new))[1]


@pytest.mark.parametrize("depth", [600, 100_000])
def test_any_nesting_of_a_body_is_survived(new: Path, depth: int) -> None:
    """A 200 body nested deeper than the parser's limit is a body that is not JSON: breaking,
    one finding, no RecursionError."""
    uri = "http://reference.invalid/api/v1/beta/batch-processing/bjb-deep"
    (new / "deep.yaml").write_text(one_interaction(uri, "[" * depth + "]" * depth))
    code, out, _ = run(str(OLD), str(new))
    assert code == 1
    assert (
        f"breaking: {ENDPOINT} 200 $: schema: body is not JSON (deep.yaml:interactions[0])" in out
    )


def test_a_body_nested_within_the_limit_is_compared(new: Path) -> None:
    """A body nested 510 levels deep (within the parser's limit) is walked into the shape."""
    uri = "http://reference.invalid/api/v1/beta/batch-processing/bjb-deep"
    body = json.loads((OLD.parent.parent / "examples/valid/running.json").read_text())
    body["extra"] = json.loads("[" * 510 + "]" * 510)
    (new / "deep.yaml").write_text(one_interaction(uri, json.dumps(body)))
    code, out, err = run(str(OLD), str(new))
    assert (code, err) == (1, "")
    assert "200 $.extra: field-added: field not seen in OLD (deep.yaml:interactions[0])" in out


def git_repo(tmp_path: Path) -> tuple[Path, Callable[..., None]]:
    """A git repository holding a copy of the OLD cassettes, and a function running git in it."""
    repo = tmp_path / "repo"
    shutil.copytree(OLD, repo / "cassettes")

    def git(*args: str) -> None:
        """Run git in the repository."""
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    return repo, git


@pytest.mark.parametrize("target", ["/etc/passwd", "status/failed.yaml", "../../outside"])
def test_against_refuses_links_in_the_revision(tmp_path: Path, target: str) -> None:
    """--against a revision whose cassettes hold a symbolic link (absolute, inside or outside
    the folder) refuses it in one line, exit 2, on a Python with extraction filters too."""
    repo, git = git_repo(tmp_path)
    (repo / "cassettes" / "link.yaml").symlink_to(target)
    git("add", "cassettes")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "cassettes")
    code, out, err = run("--against", "HEAD", str(repo / "cassettes"))
    assert (code, out) == (2, "")
    assert err == (
        "batch-contract drift: git archive: cassettes/link.yaml: not a plain file or folder\n"
    )


def test_against_an_unknown_revision_names_it(tmp_path: Path) -> None:
    """--against a revision that does not exist names that revision."""
    repo, git = git_repo(tmp_path)
    git("add", "cassettes")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "cassettes")
    code, out, err = run("--against", "nosuchrev", str(repo / "cassettes"))
    assert (code, out) == (2, "")
    assert err == (
        "batch-contract drift: --against nosuchrev: no such revision in the repository of "
        f"{repo / 'cassettes'}\n"
    )


HOSTILE_URI = "http://h/x`| ![img](http://evil.invalid/i.png) <b>[a](b)\u202e\x1b\n|"


def test_markdown_keeps_recorded_text_inside_its_cell(new: Path) -> None:
    """A recorded URI and a status value full of Markdown syntax stay text inside their cells: no
    row gains a cell, no image or link comes of them, nothing leaves its code span."""
    (new / "odd`|.yaml").write_text(one_interaction(HOSTILE_URI, "{}"))
    path = new / FAILED
    path.write_text(path.read_text().replace('"status": "failed"', '"status": "![x](y) |`"'))
    code, out, _ = run(str(OLD), str(new), "--format", "markdown")
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(rows) > 3
    for row in rows:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) == 8, row
        for cell in cells[1:-1]:
            text = cell.strip()
            fence = re.match(r"`+", text)
            if fence:  # a code span: one fence at each end, none inside
                inner = text[fence.end() : len(text) - fence.end()]
                assert text.endswith(fence.group()), row
                assert fence.group() not in inner, row
            else:
                assert re.search(r"(?<!\\)[`\[\]<>]", text) is None, row
    assert "\x1b" not in out
    assert "\u202e" not in out


def test_text_output_escapes_control_and_format_characters(new: Path) -> None:
    """The text report writes control and bidi characters of recorded text escaped."""
    (new / "odd.yaml").write_text(one_interaction(HOSTILE_URI, "{}"))
    _, out, _ = run(str(OLD), str(new))
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\\u202e\\u001b\\u000a|" in out


def test_a_folder_name_in_an_error_is_escaped() -> None:
    """A folder that does not exist is named with its control characters escaped."""
    code, _, err = run("gone\x1b[2J\u202e", str(OLD))
    assert code == 2
    assert err == "batch-contract drift: gone\\u001b[2J\\u202e: no such folder of cassettes\n"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_compared_as_the_json_they_hold(new: Path, encoding: str) -> None:
    """A body vcrpy stored compressed (`!!binary`, `content-encoding`) is the JSON it holds, as
    validate-status reads it: the same responses compressed show no drift."""
    import base64
    import zlib

    import yaml

    path = new / FAILED
    cassette = yaml.safe_load(path.read_text())
    response = cassette["interactions"][0]["response"]
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    packed = packer.compress(response["body"]["string"].encode()) + packer.flush()
    response["body"]["string"] = packed
    response["headers"]["content-encoding"] = [encoding]
    path.write_text(yaml.safe_dump(cassette))
    assert "!!binary" in path.read_text()
    assert base64.b64encode(packed).decode()[:20] in path.read_text().replace("\n", "")
    code, out, err = run(str(OLD), str(new))
    assert (code, err) == (0, "")
    assert out.split("\n", 1)[1] == run(str(OLD), str(OLD))[1].split("\n", 1)[1]
