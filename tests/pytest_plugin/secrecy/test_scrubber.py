"""The one scrubber (`Secret.mask`), held to the independent detector: every form of the key, in
any text, across a line break a reporter inserted, cut short by a reporter; the policy for keys
shorter than 8 characters; and the drift and coverage commands, which print what they read."""

from __future__ import annotations

import ast
import base64
import gzip
import inspect
import io
import json
import re
import shutil
import sys
import tracemalloc
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest

from batch_contract.coverage.command import main as coverage_main
from batch_contract.drift.command import main as drift_main
from batch_contract.secret import MaskedStream, Secret, mask_all, mask_env

from .canary import CANARY, echoed_forms, holds_canary, inflated_literals

FORMS = echoed_forms()
NARROW = {name: form for name, form in FORMS.items() if not name.startswith("utf-16")}
"""The forms without a zero byte: one with a zero byte (UTF-16 read a byte a character) ends
with a zero byte outside the key, and is looked for in bodies only."""
KEY = Secret(CANARY)
DRIFT = Path(__file__).resolve().parents[2] / "drift" / "old"


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_form_is_masked(form: str) -> None:
    """The whole form inside other text is replaced by `***`, the text around it kept (of a
    UTF-16 form, a zero byte on the outer side of the key may remain)."""
    shown = KEY.mask(f'found string "{form}" [enum]')
    assert not holds_canary(shown), shown
    for zero in ("\x00", "\\x00", "\\u0000"):
        shown = shown.replace(f"***{zero}", "***").replace(f"{zero}***", "***")
    assert shown == 'found string "***" [enum]'


@pytest.mark.parametrize("prefix", ["\n", "\nE       ", "'\n '", "\r\n    "])
@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_a_form_split_by_a_line_break_is_masked(form: str, prefix: str) -> None:
    """Wherever a reporter breaks the line inside the form (with pytest's `E` prefix, a string
    continuation or indentation), no part of the key survives, and the line count stays: the
    whole form and what the reporter inserted become `***` and the line breaks (of a UTF-16
    form, zero bytes outside the key may remain)."""
    for cut in range(1, len(form)):
        text = f"body: {form[:cut]}{prefix}{form[cut:]} end"
        shown = KEY.mask(text)
        assert not holds_canary(shown), (cut, shown)
        assert shown.count("\n") == text.count("\n")
        if form in NARROW.values():
            assert shown == "body: ***" + "\n" * text.count("\n") + " end", (cut, shown)


CUT_FORMS = ["raw", "upper", "percent-upper", "hex", "base64", "html-hex", "base32", "hex-spaced"]
CUT_FORMS += ["hex-colon-upper", "utf-16-read-as-latin-1", "utf-16-json-escaped"]


@pytest.mark.parametrize("form", CUT_FORMS)
def test_a_form_cut_short_by_a_reporter_is_masked(form: str) -> None:
    """A shown value cut after 8 characters or more of the key (`"llx-abcd..."`), wherever the
    cut falls (inside an escape, after a separator, between a character and its zero byte), is
    masked from the form's start (a base64 or base32 token whole): at most a piece of one
    character is left before the ellipsis."""
    text = FORMS[form]
    for end in range(len(text) * 3 // 4, len(text)):
        shown = KEY.mask(f'found string "xx{text[:end]}..." [enum]')
        assert re.fullmatch(r'found string "(?:xx)?\*\*\*.{0,9}\.\.\." \[enum\]', shown), shown
        assert not holds_canary(shown), shown


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
    assert short.mask("k3y\nabc") == "***\nabc"  # alone on its line, though joined it is not


LONGEST = ("llx-" + "q7Zk" * 64)[:256]
"""A key as long as every form of it is looked for (`MAX_KEY`)."""


def test_the_longest_key_is_masked_in_every_form_within_a_bounded_recursion() -> None:
    """A key of 256 characters is masked raw, percent-encoded, in hex, in base64 and cut short at
    either end, and its pattern is built within 300 frames of recursion (nested a character a
    level, it took about 800: a key of 350 characters raised RecursionError)."""
    depth = len(inspect.stack(0))
    limit = sys.getrecursionlimit()
    re.purge()
    sys.setrecursionlimit(depth + 300)
    try:
        key = Secret(LONGEST)
        key.found_in("")
    finally:
        sys.setrecursionlimit(limit)
    forms = [
        LONGEST,
        quote(LONGEST, safe=""),
        LONGEST.encode().hex(),
        base64.b64encode(LONGEST.encode()).decode(),
        LONGEST[:100] + "...",
        "..." + LONGEST[-100:],
    ]
    assert key.mask(" | ".join(forms)) == " | ".join(["***"] * 4 + ["***...", "...***"])


def test_a_longer_key_is_masked_verbatim_in_any_case() -> None:
    """A key longer than 256 characters is masked as it is and in any letter case."""
    key = Secret(LONGEST + "x")
    assert key.mask(f"a {LONGEST}x b {LONGEST.upper()}X c") == "a *** b *** c"


def test_an_environment_value_that_cannot_be_a_key_masks_nothing() -> None:
    """`mask_env` masks no key shorter than 8 characters (a count `1` stays `1`), without a
    letter, or holding what JSON is made of; it masks a key of 8."""
    report = '{"summary": {"documents": 12345678}}'
    for odd in ("1", "12345678", 'summary"', "ary, ", '{"summary"'):
        assert mask_env(report, {"LLAMA_CLOUD_API_KEY": odd}) == report
    assert mask_env("a k3yk3y12 b", {"LLAMA_CLOUD_API_KEY": "k3yk3y12"}) == "a *** b"


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


CLEAN = 'found string "canary-K3y" and "Zq8x7w", no key'
"""Pieces of the key, each shorter than the 8 characters a match needs."""


CODECS = ["utf-8", "latin-1", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("junk", [b"", b"\x01", b"\x01\x02", b"\x01\x02\x03"])
def test_raw_bytes_hold_the_key_in_any_charset_at_any_alignment(codec: str, junk: bytes) -> None:
    """`leaks_bytes` finds the key in a body of any charset, also when the body does not start
    on a character's first byte; a body holding only pieces of it is clean."""
    assert KEY.leaks_bytes(junk + f'{{"echo": "{CANARY}"}}'.encode(codec))
    assert not KEY.leaks_bytes(junk + CLEAN.encode(codec))


def test_a_key_split_by_a_byte_a_lenient_decoder_drops_is_found() -> None:
    """Bytes that UTF-8 cannot read inside the key (a client decoding with errors="ignore"
    shows the key whole) are found; the same bytes around pieces of it are not."""
    split = CANARY.encode()[:9] + b"\xff\xfe" + CANARY.encode()[9:]
    assert KEY.leaks_bytes(b"echo: " + split)
    assert not KEY.leaks_bytes(CLEAN.encode().replace(b" and ", b"\xff\xfe"))


@pytest.mark.parametrize("form", NARROW.values(), ids=list(NARROW))
def test_a_whole_value_is_the_key_in_any_form(form: str) -> None:
    """`is_value` (how recording tells a header that is the key from one that holds it) holds
    for every form alone, and not for a form inside other text or for text without the key."""
    assert KEY.is_value(form)
    assert not KEY.is_value(f"Bearer {form}!")
    assert not KEY.is_value(CLEAN)
    assert not KEY.is_value("")


def test_several_keys_are_masked_longest_first_and_the_environment_key_alone() -> None:
    """`mask_all` masks each key, the longer first, so that a key holding another is masked
    whole; `mask_env` masks the key of `LLAMA_CLOUD_API_KEY` (blank: nothing)."""
    inner = Secret(CANARY[:12])
    assert mask_all(f"a {CANARY} b {CANARY[:12]} c", (inner, None, KEY)) == "a *** b *** c"
    assert mask_env(f"a {FORMS['hex']} b", {"LLAMA_CLOUD_API_KEY": f" {CANARY} "}) == "a *** b"
    assert mask_env(f"a {CANARY} b", {"LLAMA_CLOUD_API_KEY": "  "}) == f"a {CANARY} b"
    assert mask_env(f"a {CANARY} b", {}) == f"a {CANARY} b"


def test_a_masked_stream_masks_each_write_and_passes_the_rest_on() -> None:
    """`MaskedStream` (validate-status's report) writes each line with the key masked, returns
    what its stream's write returns, and gives its stream's other attributes."""
    out = io.StringIO()
    stream = MaskedStream(out, KEY)
    assert stream.write(f"1: {FORMS['base64']}\n") == len("1: ***\n")
    stream.write(f"2: {CANARY.upper()}\n")
    assert out.getvalue() == "1: ***\n2: ***\n"
    assert stream.getvalue() == out.getvalue()


def test_forms_side_by_side_become_one_mask() -> None:
    """Two forms of the key that touch are masked as one `***`."""
    assert KEY.mask(f"[{CANARY}{FORMS['upper']}]") == "[***]"


def _deflated(data: bytes, wbits: int = 31) -> bytes:
    packer = zlib.compressobj(wbits=wbits)
    return packer.compress(data) + packer.flush()


def test_a_compressed_literal_inside_a_compressed_literal_is_masked() -> None:
    """A logged body that inflates to a log line which shows another compressed body holding the
    key (a proxy that logged the response it relayed) is masked."""
    inner = _deflated(json.dumps({"echo": CANARY}).encode(), 15)
    outer = _deflated(f"relayed: {inner!r}".encode())
    shown = KEY.mask(f"Appending response {outer!r} done")
    assert shown == "Appending response *** done"


def test_a_compressed_key_split_by_a_byte_a_lenient_decoder_drops_is_masked() -> None:
    """Inside a compressed body, the key with bytes UTF-8 cannot read in it (shown whole by a
    decoder that ignores them) is found as in a plain body."""
    split = CANARY.encode()[:9] + b"\xff" + CANARY.encode()[9:]
    assert KEY.mask(f"body {_deflated(b'echo ' + split)!r}") == "body ***"


def test_a_compressed_stream_after_false_starts_is_found() -> None:
    """A gzip stream inside a literal after bytes that look like the start of one (gzip's and
    zlib's magic numbers, in any number up to 15) is still inflated and masked."""
    stream = _deflated(CANARY.encode())
    false_starts = b"\x1f\x8b\x08junk" * 8 + b"\x78\x9cjunk" * 7
    assert KEY.mask(f"body {(false_starts + stream)!r}") == "body ***"


def test_a_compressed_bomb_is_inflated_only_so_far() -> None:
    """A literal that inflates to 256 MiB (280 KB shown) is read only to its first MiB, and
    found without a backtracking record a character: masking it stays within a few MiB of
    memory (3.5 MiB; 43 MiB with the literal's pattern not possessive). The key after the first
    MiB is not looked for."""
    bomb = _deflated(b"\0" * (256 << 20))
    text = f"body {bomb!r}"
    tracemalloc.start()
    try:
        assert KEY.mask(text) == text
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak


def test_a_long_text_of_many_lines_is_masked_in_bounded_memory() -> None:
    """A 4 MiB report of 120,000 lines (a large body in a failure) is looked in across its line
    breaks without an index a character: under 40 MiB of memory (22 MiB; 168 MiB with a list of
    ints a character), and the key broken across two of its lines is masked."""
    line = '{"a": "some text here and there",\n'
    text = line * 60_000 + f"{CANARY[:9]}\nE       {CANARY[9:]}\n" + line * 60_000
    tracemalloc.start()
    try:
        shown = KEY.mask(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert shown == line * 60_000 + "***\n\n" + line * 60_000
    assert peak < 40 << 20, peak


def test_a_form_a_writer_escaped_again_is_masked() -> None:
    """A compressed literal whose backslashes a JSON writer escaped once or twice more (a report
    quoting a message), and hex whose colons a GitHub annotation wrote as `%3A`, are masked."""
    literal = repr(zlib.compress(CANARY.encode()))
    once = json.dumps(literal)[1:-1]
    twice = json.dumps(once)[1:-1]
    for text in (once, twice):
        assert KEY.mask(f'"problem": "key {text}!"') == '"problem": "key ***!"'
    github = FORMS["hex-colon-upper"].replace(":", "%3A")
    assert KEY.mask(f"::error file={github}.json,line=1::x") == "::error file=***.json,line=1::x"


@pytest.mark.parametrize("wbits", [31, 15, -15], ids=["gzip", "zlib", "raw-deflate"])
def test_a_compressed_literal_cut_short_is_masked(wbits: int) -> None:
    """A compressed body shown as a bytes literal that a reporter cut short (`b'x\\x9c...`) is
    masked wherever the cut falls, inside an escape too, as soon as what it inflates to so far
    holds 8 characters of the key."""
    raw = _deflated(json.dumps({"echo": CANARY}).encode(), wbits)
    literal = repr(raw)
    checked = 0
    for end in range(3, len(literal)):
        try:  # the test's own reading of the cut literal: its whole escapes, inflated
            kept = ast.literal_eval(re.sub(r"\\(?:x[0-9a-f]?)?$", "", literal[:end]) + "'")
        except (SyntaxError, ValueError):
            continue
        inflated = zlib.decompressobj(wbits).decompress(kept).decode("latin-1")
        if CANARY[:8] not in inflated:
            continue
        checked += 1
        shown = KEY.mask(f'found string "{literal[:end]}..." [enum]')
        assert shown == 'found string "***" [enum]', (end, shown)
    assert checked > 5
