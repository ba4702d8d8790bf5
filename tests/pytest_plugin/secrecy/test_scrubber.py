"""The one scrubber (`Secret.mask`), held to the independent detector: every form of the key, in
any text, across a line break a reporter inserted, cut short by a reporter; the policy for keys
shorter than 8 characters; and the drift and coverage commands, which print what they read."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zlib
from pathlib import Path

import pytest

from batch_contract.coverage.command import main as coverage_main
from batch_contract.drift.command import main as drift_main
from batch_contract.secret import Secret

from .canary import CANARY, echoed_forms, holds_canary, inflated_literals

FORMS = echoed_forms()
KEY = Secret(CANARY)
DRIFT = Path(__file__).resolve().parents[2] / "drift" / "old"


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_form_is_masked(form: str) -> None:
    """The form inside other text is replaced by `***`, the text around it kept."""
    shown = KEY.mask(f'found string "{form}" [enum]')
    assert not holds_canary(shown), shown
    assert shown.startswith('found string "')
    assert shown.endswith('" [enum]')
    assert "***" in shown


@pytest.mark.parametrize("prefix", ["\n", "\nE       ", "'\n '", "\r\n    "])
@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_a_form_split_by_a_line_break_is_masked(form: str, prefix: str) -> None:
    """Wherever a reporter breaks the line inside the form (with pytest's `E` prefix, a string
    continuation or indentation), no part of the key survives, and the line count stays."""
    for cut in range(1, len(form)):
        text = f"body: {form[:cut]}{prefix}{form[cut:]} end"
        shown = KEY.mask(text)
        assert not holds_canary(shown), (cut, shown)
        assert shown.count("\n") == text.count("\n")


@pytest.mark.parametrize("form", ["raw", "upper", "percent-upper", "hex", "base64", "html-hex"])
def test_a_form_cut_short_by_a_reporter_is_masked(form: str) -> None:
    """A shown value cut after 8 characters or more of the key (`"llx-abcd..."`) is masked."""
    text = FORMS[form]
    for end in range(len(text) * 3 // 4, len(text)):
        shown = KEY.mask(f'found string "xx{text[:end]}..." [enum]')
        assert "***" in shown, shown


@pytest.mark.parametrize("form", ["raw", "upper", "percent-upper", "hex", "utf-16-bytes-repr"])
@pytest.mark.parametrize("ellipsis", ["...", "\u2026"])
def test_a_form_cut_at_its_start_by_a_reporter_is_masked(form: str, ellipsis: str) -> None:
    """A shown value whose start a reporter cut (pytest's `-l` keeps the two ends of a long
    value: `'done...lx-abcd...xyz'`), leaving 8 characters or more of the key's end, is masked."""
    text = FORMS[form]
    for start in range(1, len(text) // 4):
        shown = KEY.mask(f"'done{ellipsis}{text[start:]}yyy'")
        assert shown == f"'done{ellipsis}***yyy'", (start, shown)


@pytest.mark.parametrize("wbits", [31, 15, -15], ids=["gzip", "zlib", "raw-deflate"])
@pytest.mark.parametrize("charset", ["utf-8", "utf-16-le"])
def test_a_compressed_body_shown_as_a_bytes_literal_is_masked(wbits: int, charset: str) -> None:
    """A logger that shows a response body as it came (vcrpy logs each recorded response at
    INFO, a compressed body as a bytes literal) shows no literal that inflates to the key; the
    literals that do not hold it are kept."""
    body = json.dumps({"job": {"status": CANARY}}).encode(charset)
    packer = zlib.compressobj(wbits=wbits)
    packed = packer.compress(body) + packer.flush()
    kept = gzip.compress(b"no key here")
    text = f"Appending response {{'body': {{'string': {packed!r}}}, 'other': {kept!r}}}"
    shown = KEY.mask(text)
    assert not any(holds_canary(raw) for raw in inflated_literals(shown)), shown
    assert any(holds_canary(raw) for raw in inflated_literals(text))
    assert repr(kept) in shown
    assert "'string': ***" in shown


def test_a_short_key_is_masked_only_where_it_stands_alone() -> None:
    """A key shorter than 8 characters is masked in every form where no letter or digit touches
    it, and left alone inside longer words."""
    short = Secret("k3y")
    assert short.mask("key k3y, K3Y; %6B%33%79 6b3379 azN5 dXNlcjprM3k=") == (
        "key ***, ***; *** *** *** ***"
    )
    assert short.mask("monk3ys and k3yboards") == "monk3ys and k3yboards"


def test_drift_and_coverage_never_print_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cassettes that hold the key (upper case in `job.status`, base64 as a field name) are
    compared and counted with the key in the environment: it shows in neither output."""
    new = Path(shutil.copytree(DRIFT, tmp_path / "new"))
    cassette = new / "status" / "documented.yaml"
    text = cassette.read_text()
    text = text.replace('"status": "pending"', f'"status": "{CANARY.upper()}"', 1)
    text = text.replace('"job_type": "parse"', f'"job_type": "parse", "{FORMS["base64"]}": 1', 1)
    assert text != cassette.read_text()
    cassette.write_text(text)
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    out, err = io.StringIO(), io.StringIO()
    assert drift_main([str(DRIFT), str(new)], out, err) == 1
    assert "***" in out.getvalue()
    assert not holds_canary(out.getvalue() + err.getvalue())
    out, err = io.StringIO(), io.StringIO()
    coverage_main([str(new), "--format", "json"], out, err)
    assert not holds_canary(out.getvalue() + err.getvalue())
