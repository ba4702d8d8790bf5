"""The scrubber (`Secret.mask`) hides every part of a key that gives it away, held to the
independent detector (`canary.holds_part`): the key's secret part without its public `llx-`
prefix in every form, 12 characters of it or more in a row (a key split in two, a provider's
hint), the key with a separator a server put inside it and a writer escaped, and a key cut short
before a JSON-escaped ellipsis."""

from __future__ import annotations

import json

import pytest
import yaml

from batch_contract.secret import Secret

from .canary import CANARY, LLX, RUN, SEPARATORS, holds_part, partial_forms

PARTS = partial_forms()
KEY = Secret(LLX)


@pytest.mark.parametrize("form", PARTS.values(), ids=list(PARTS))
def test_every_part_of_the_key_is_masked(form: str) -> None:
    """Each part of the key is replaced by `***`, the text around it kept; of the provider's hint,
    only its 6 last characters (and the stars) stay; of a UTF-16 form, a zero byte on the outer
    side of the key may remain."""
    text = f'found string "{form}" [enum]'
    shown = KEY.mask(text)
    assert not holds_part(shown), shown
    for zero in ("\x00", "\\x00", "\\u0000"):
        shown = shown.replace(f"***{zero}", "***").replace(f"{zero}***", "***")
    if form == PARTS["hint"]:
        assert shown == f'found string "***{"*" * 20}{LLX[-6:]}" [enum]'
    else:
        assert shown == 'found string "***' + "\n" * form.count("\n") + '" [enum]'


WRITERS = {
    "json": lambda value: json.dumps({"status": value}),
    "json-twice": lambda value: json.dumps(json.dumps({"status": value})),
    "repr": lambda value: repr({"status": value}),
    "yaml": lambda value: yaml.safe_dump({"status": value}, default_style='"'),
}
"""How a face shows a value it quotes: escaped, never as it came."""


@pytest.mark.parametrize("key", [LLX, CANARY], ids=["llx", "canary"])
@pytest.mark.parametrize("separator", SEPARATORS.values(), ids=list(SEPARATORS))
@pytest.mark.parametrize("writer", WRITERS.values(), ids=list(WRITERS))
def test_a_key_with_a_separator_inside_shown_escaped_is_masked(
    key: str, separator: str, writer: object
) -> None:
    """A key a server echoed with a line feed, CR LF, a tab, a CR, a zero-width space or a soft
    hyphen inside it, wherever it falls, is masked once a writer showed the separator escaped
    (`\\n`, `\\u200b`, `\\xad`, its backslash escaped again): the whole value becomes `***`."""
    assert callable(writer)
    expected = writer("***")
    for at in range(1, len(key)):
        shown = Secret(key).mask(writer(key[:at] + separator + key[at:]))
        assert shown == expected, (at, shown)


@pytest.mark.parametrize("separator", SEPARATORS.values(), ids=list(SEPARATORS))
def test_a_key_with_a_separator_inside_is_masked_on_a_line_a_writer_breaks_no_value(
    separator: str,
) -> None:
    """In text whose writer breaks no value across lines (validate-status's report), the key with
    a tab, a CR, a zero-width space or a soft hyphen inside it as it came is masked whole; one
    with a line feed inside is two lines then, each 12 characters or more of the key: each is
    masked."""
    at = len(LLX) // 2
    shown = KEY.mask(f"a {LLX[:at]}{separator}{LLX[at:]} b", across_lines=False)
    assert shown == (f"a ***{separator}*** b" if "\n" in separator else "a *** b")


@pytest.mark.parametrize("ellipsis", ["\u2026", "..."])
@pytest.mark.parametrize("writer", ["json", "json-twice"])
def test_a_key_cut_before_a_json_escaped_ellipsis_is_masked(ellipsis: str, writer: str) -> None:
    """A key cut short after 8 to 11 characters (fewer than a run), verbatim or percent-encoded,
    then an ellipsis that a JSON writer escaped (`\\u2026`, `\\\\u2026`), is masked up to the
    ellipsis; so is the end of a key shown after one."""
    show = WRITERS[writer]
    for end in range(8, RUN):
        for cut in (LLX[:end], "".join(f"%{b:02X}" for b in LLX[:end].encode())):
            assert KEY.mask(show(cut + ellipsis)) == show("***" + ellipsis), cut
    for end in range(8, RUN - 1):  # 11: 12 with the escape's `6`, which the key holds before
        assert KEY.mask(show(ellipsis + LLX[-end:])) == show(ellipsis + "***")


def test_runs_of_twelve_characters_are_masked_and_shorter_ones_kept() -> None:
    """Every 12 characters of the key in a row, in any letter case or as hex, are masked, wherever
    they stand in it; 11 are kept: `RUN` is the line drawn."""
    for at in range(len(LLX) - RUN + 1):
        run = LLX[at : at + RUN]
        for shown in (
            run,
            run.upper(),
            run.lower(),
            run.encode().hex(),
            run.encode().hex().upper(),
        ):
            assert KEY.mask(f"a={shown};") == "a=***;", (at, shown)
        short = run[:-1]
        for kept in (f"a={short};", f"a={short.encode().hex()};"):
            assert KEY.mask(kept) == kept, (at, kept)


def test_a_run_of_words_or_digits_alone_is_no_run() -> None:
    """Twelve characters or more of a made-up key that are words alone or digits alone (what a
    report may share with such a key: the tool's name, a timestamp) are kept; with a letter and
    a digit in them, they are masked."""
    words = Secret("batch-contract-deliberately-wrong-key")
    assert words.mask("batch-contract-deliberately-wrong") == "batch-contract-deliberately-wrong"
    stamped = Secret("llx-20261207120000abcdefgh")
    assert stamped.mask("at 20261207120000 ok") == "at 20261207120000 ok"
    assert stamped.mask("at 20261207120000ab ok") == "at *** ok"


def test_the_secret_part_of_a_key_with_a_longer_public_prefix_is_masked() -> None:
    """The public prefix is what the key's first 8 characters hold up to their last `-` or `_`
    (`sk_live_`): what follows is masked on its own; a key whose first `-` stands later has none,
    and 11 characters of it in a row are kept."""
    key = Secret("sk_live_Zr8PqW3m")
    assert key.mask("a Zr8PqW3m b %5A%72%38%50%71%57%33%6D") == "a *** b ***"
    late = Secret("abcdefghi-Zr8PqW3m")
    assert late.mask("a Zr8PqW3m b") == "a Zr8PqW3m b"


def test_a_run_that_starts_inside_a_piece_of_the_key_leading_nowhere_is_masked() -> None:
    """In a key that holds `bW2` twice, text holding 6 characters of it up to the first `bW2` and
    then the 12 that follow the second (`q9ZbW2` `NcV5pLs8H`) shows those 12 masked: a piece of
    the key that does not grow to a run hides no run that overlaps it."""
    key = Secret("llx-T4kq9ZbW2mbW2NcV5pLs8HdJ3fYg6QeA1uKo0iEr")
    assert key.mask("q9ZbW2NcV5pLs8H") == "q9Z***"
