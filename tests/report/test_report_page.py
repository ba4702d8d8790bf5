"""`batch-contract report` and `--contract-report`, read as HTML without a browser: one offline
file, its diagram against the coverage JSON of the same input, the red transition, inert hostile
text, the key in no form, the drift section, and the exit codes."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from report_helpers import RECORDINGS, ROOT, SHIPPED, build, coverage_json, expected_diagram

from batch_contract.report.command import main


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the page's text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """The attributes of each `tag` whose class list holds every class in `attrs['cls']`."""
        wanted = set(attrs.get("cls", "").split())
        return [a for t, a in self.tags if t == tag and wanted <= set(a.get("class", "").split())]


def test_shipped_page_is_one_small_offline_file(shipped_page: Path) -> None:
    """The page of the shipped cassettes is under 1 MB, declares a strict CSP, and references
    nothing outside itself: no src, no link, no external href, no script, no @import or url()."""
    text = shipped_page.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 1_000_000
    page = Elements(text)
    csp = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0]
    assert "script-src 'none'" in csp[0]
    assert "unsafe-inline" not in csp[0]
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in page.tags if "src" in a or "style" in a]
    assert all(a["href"].startswith("#") for _, a in page.tags if "href" in a)
    assert "@import" not in text
    assert "url(http" not in text


def test_diagram_matches_the_coverage_json(shipped_page: Path) -> None:
    """Six status nodes, and one arrow for each legal transition, with the count the coverage
    JSON of the same cassettes gives it; nothing red in the shipped recordings."""
    page = Elements(shipped_page.read_text(encoding="utf-8"))
    statuses, moves = expected_diagram(coverage_json(SHIPPED))
    nodes = {a["data-status"] for a in page.having("g", cls="node")}
    assert len(statuses) == 6
    assert nodes == statuses
    arrows = {
        (a["data-from"], a["data-to"]): int(a["data-count"]) for a in page.having("g", cls="arrow")
    }
    assert arrows == moves
    assert not page.having("g", cls="arrow broken")


def test_unseen_statuses_are_grey_and_unseen_transitions_dashed(tmp_path: Path) -> None:
    """One cassette of one job: the statuses it never showed are `unseen` nodes (and say so in
    words), the transitions it never made `unseen` arrows."""
    code, err = build(tmp_path / "r.html", str(SHIPPED / "lifecycle" / LIFECYCLE_ONE))
    assert code == 0, err
    page = Elements((tmp_path / "r.html").read_text(encoding="utf-8"))
    unseen = {a["data-status"] for a in page.having("g", cls="node unseen")}
    assert unseen == {"failed", "cancelled"}
    kinds = {(a["data-from"], a["data-to"]): a["data-kind"] for a in page.having("g", cls="arrow")}
    assert kinds[("running", "completed")] == "seen"
    assert kinds[("pending", "failed")] == "unseen"
    assert "not seen" in "".join(page.text)


LIFECYCLE_ONE = "bjb-10000000-0000-4000-8000-000000000001.yaml"


def test_backward_transition_is_red_and_links_to_its_violation(backward_page: Path) -> None:
    """A job that reports running after completed: a red completed -> running arrow, wrapped in a
    link to the violation group that names the rule, and a red verdict."""
    text = backward_page.read_text(encoding="utf-8")
    page = Elements(text)
    (broken,) = page.having("g", cls="arrow broken")
    assert (broken["data-from"], broken["data-to"], broken["data-count"]) == (
        "completed",
        "running",
        "1",
    )
    links = re.findall(r'<a href="#([\w-]+)"[^>]*><g class="arrow broken"', text)
    assert len(links) == 1
    article = re.search(rf'<article id="{links[0]}".*?</article>', text, re.S)
    assert article is not None
    assert "$[poll].job.status" in article.group(0)
    assert 'class="verdict fail"' in text


def test_hostile_strings_are_inert_text(hostile_page: Path) -> None:
    """Markup, `</script>`, control characters and bidi marks in string fields come out as text:
    no element but the page's own, no event attribute, no raw control or bidi character."""
    text = hostile_page.read_text(encoding="utf-8")
    page = Elements(text)
    assert not [t for t, _ in page.tags if t in ("script", "img", "iframe", "object")]
    assert not [a for _, a in page.tags for name in a if name.startswith("on")]
    assert {t for t, _ in page.tags if t == "svg"} == {"svg"}
    assert all("onload" not in str(a) for t, a in page.tags if t == "svg")
    shown = "".join(page.text)
    assert "<svg onload=alert(2)>" in shown
    assert "</script><script>alert(1)</script>" in shown
    assert not re.search("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e]", text)
    assert "\\u202e" in shown


def test_the_key_is_in_no_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recording whose server echoed the key (verbatim, percent-encoded, in base64 basic auth)
    into a body: with the key in LLAMA_CLOUD_API_KEY, the page holds none of those forms."""
    key = "llx-Secret/Key+42=="
    forms = [key, quote(key, safe=""), base64.b64encode(f"user:{key}".encode()).decode()]
    body = json.loads((ROOT / "docs" / "example-response.json").read_text(encoding="utf-8"))
    body["job"]["error_message"] = " ".join(forms)
    body["job"]["workflow_id"] = key
    (tmp_path / "echo.json").write_text(json.dumps(body), encoding="utf-8")
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", key)
    code, err = build(tmp_path / "r.html", str(tmp_path / "echo.json"))
    assert code in (0, 1), err
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    for form in (*forms, key.replace("/", "\\/"), "Secret/Key"):
        assert form not in text
    assert "***" in text


def test_drift_section_counts_what_the_drift_command_counts(tmp_path: Path) -> None:
    """`--against`: the page's drift section gives the breaking and additive counts of
    `batch-contract drift OLD NEW --format json`, run as its own process."""
    old = SHIPPED / "status"
    new = tmp_path / "new"
    shutil.copytree(old, new)
    first = sorted(new.glob("*.yaml"))[0]
    first.write_text(
        first.read_text(encoding="utf-8").replace('"total_items": ', '"total_items_x": '),
        encoding="utf-8",
    )
    code, err = build(tmp_path / "r.html", str(new), "--against", str(old))
    assert code == 1, err
    done = subprocess.run(
        [sys.executable, "-m", "batch_contract", "drift", str(old), str(new), "--format", "json"],
        capture_output=True,
        check=False,
    )
    drift = json.loads(done.stdout)
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    summary = f"{drift['breaking']} breaking, {drift['additive']} additive"
    assert drift["breaking"] > 0
    assert summary in text
    assert text.count('<li class="breaking">') == drift["breaking"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no/such/path"], "no/such/path: cannot read: No such file or directory"),
        ([str(RECORDINGS / "backward"), "--profile", "loose"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    """A path that cannot be read, or a bad option: one line on stderr, exit 2, no page."""
    code, err = build(tmp_path / "r.html", *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    """An output in a folder that does not exist: one line naming it, exit 2."""
    code, err = build(tmp_path / "nowhere" / "r.html", str(RECORDINGS / "backward"))
    assert code == 2
    assert err.startswith("batch-contract report: cannot write")
    assert err.count("\n") == 1


def test_a_dash_for_output_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o -`: refused as a usage error in one line (it wrote a file named `-`), with nothing on
    standard output and no file made."""
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main([str(RECORDINGS / "backward"), "-o", "-"], out, err)
    assert (code, out.getvalue(), err.getvalue()) == (
        2,
        "",
        "batch-contract report: argument -o/--output: the page is written to a file, not "
        "standard output: give a file name\n",
    )
    assert list(tmp_path.iterdir()) == []


def suite(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Runs the contract suite with `--contract-report`; returns the run and the page."""
    out = tmp_path / "run.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "contract_tests",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--contract-report",
            str(out),
            *argv,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert out.exists(), done.stdout + done.stderr
    return done, out.read_text(encoding="utf-8")


def test_a_replayed_run_writes_a_green_page(tmp_path: Path) -> None:
    """`pytest contract_tests --contract-report` (replay): the run passes and its page is green,
    with the six statuses and the run's outcome."""
    done, text = suite(tmp_path)
    assert done.returncode == 0, done.stdout
    assert f"contract report written to {tmp_path / 'run.html'}" in done.stdout
    assert 'class="verdict pass"' in text
    assert " passed" in text
    assert len(Elements(text).having("g", cls="node")) == 6


def test_a_reference_run_with_a_backward_job_writes_a_red_transition(tmp_path: Path) -> None:
    """`--reference --reference-break completed-goes-back`: the run fails, and its page shows
    the red completed -> running arrow linking to its violation."""
    done, text = suite(tmp_path, "--reference", "--reference-break", "completed-goes-back")
    assert done.returncode == 1, done.stdout
    page = Elements(text)
    (broken,) = page.having("g", cls="arrow broken")
    assert (broken["data-from"], broken["data-to"]) == ("completed", "running")
    assert re.search(r'<a href="#violation-\d+"[^>]*><g class="arrow broken"', text)
    assert 'class="verdict fail"' in text


def test_ndjson_bodies_and_a_title(tmp_path: Path) -> None:
    """An NDJSON log gives bodies (one a line, no polls): each is checked and counted, and the
    `--title` shows escaped."""
    body = json.loads((ROOT / "docs" / "example-response.json").read_text(encoding="utf-8"))
    log = tmp_path / "log.ndjson"
    log.write_text("\n".join(json.dumps(body) for _ in range(5)) + "\n", encoding="utf-8")
    code, err = build(tmp_path / "r.html", str(log), "--title", "<b>Staging</b> & co")
    assert code == 0, err
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<title>&lt;b&gt;Staging&lt;/b&gt; &amp; co</title>" in text
    assert "<dt>bodies checked</dt><dd>5</dd>" in text
    assert "No job was polled more than once." in text


def test_a_run_that_checked_nothing_writes_a_red_page(tmp_path: Path) -> None:
    """A contract run whose selection runs no test still writes its page, red: nothing of the
    endpoint was checked, which is no pass."""
    done, text = suite(tmp_path, "-k", "no_test_has_this_name")
    assert done.returncode == 5, done.stdout
    assert 'class="verdict fail"' in text
    assert "no response of the endpoint was checked" in text


def test_a_passing_run_that_checked_no_body_writes_a_red_page(tmp_path: Path) -> None:
    """`-k auth`: the run's tests pass (exit 0) but every response they got is a 401, so no body
    of the endpoint was checked: the page is red and says so, as `batch-contract report` is over
    the same responses, and names the run's own outcome beside it."""
    done, text = suite(tmp_path, "-k", "auth")
    assert done.returncode == 0, done.stdout
    seen = re.search(r"<dt>responses of the endpoint</dt><dd>(\d+)</dd>", text)
    assert seen is not None
    assert int(seen.group(1)) > 0
    assert 'class="verdict fail"' in text
    assert (
        f"✗ FAIL</span> no body of the endpoint was checked ({seen.group(1)} responses seen, "
        "none a 200 with a body)</h2>"
    ) in text
    assert "<dt>bodies checked</dt><dd>0</dd>" in text
    assert re.search(r"<dt>contract run</dt><dd>\d+ passed \(exit status 0\)</dd>", text)
    said = (
        f"batch-contract: contract report written to {tmp_path / 'run.html'} (FAIL: no body of the "
        f"endpoint was checked ({seen.group(1)} responses seen, none a 200 with a body))"
    )
    assert said in done.stdout.splitlines()
