"""The API key as a value that never shows, and every form in which it can come back.

`Secret` holds the key from the moment it is read from the environment: its `repr` and `str` are
masked (as pydantic's `SecretStr`), so a fixture value, a dataclass field or a local variable that
pytest prints in a failure report shows `**********`. The raw value is taken out with
`get_secret_value()` only where the `Authorization` header is built.

`Secret.replace` is the one scrubber every output goes through (the contract suite's reports and
JUnit XML, cassettes, the guard, coverage, drift, watch, the report page, and validate-status
with the key set). It finds the key as a server or a reporter may show it:

- verbatim, in any letter case, and cut short by a reporter at its end (`"llx-abcdefgh..."`) or
  at its start (`'done...efgh1234'`, pytest's `-l`), 8 characters or more of it (every form
  below is also found cut at its end, a compressed one by what it inflates to up to the cut);
- percent-encoded (hex digits in either case, any safe set, once or more: `%256C`), JSON-escaped
  (`\\/`, `\\uXXXX`), `\\xNN`-escaped, as HTML entities (decimal, hex or named, `&amp;#108;`
  too), each character in any of these forms;
- hex of its UTF-8 bytes, in either case, run together or split by spaces or colons;
- UTF-16 or UTF-32 text read a byte a character: its characters between zero bytes, as they are
  or escaped (`l\\x00l\\x00x`, `l\\u0000l`);
- base32 of it at any alignment (in either letter case);
- inside a Python bytes literal of a gzip, zlib or raw deflate stream (a logger showing a body as
  it came), its first `_INFLATED` bytes inflated: the whole literal is replaced;
- inside a base64 or base64url token that starts with a gzip or zlib stream (a web framework's
  session token `.eJy...`, a compressed state parameter: `_BASE64_STREAM`), its first
  `_INFLATED` bytes inflated, the first `_STREAM_TOKENS` of a text: the whole token is replaced
  (also one cut short);
- inside base64 or base64url text, padded or not: the key alone, `user:key`, `:key`, `key:`, or
  anywhere inside a longer token (all three alignments); the whole token is replaced;
- across a line break a reporter inserted (a wrapped line, pytest's `E   ` prefix, `'...'\\n '...'`
  string continuations): the span is replaced and the line breaks are kept;
- inside a bytes literal pprint wrapped over several lines (`(b'...'\\n b'...')`, pytest's
  `-vv -l`): in its parts joined, and in what the joined bytes inflate to (the whole literal);
- with its backslashes escaped again by a JSON writer, once or twice (a literal in a JSON report,
  in a message it quotes), and as a GitHub annotation writes it (`%3A`, `%2C`, `%25`);
- with a line feed, CR LF, tab, CR, soft hyphen or zero-width space a server put inside it, as it
  is or escaped (`\\n`, `\\u200b`, `\\xAD`: `_GAP`), between two characters of its character
  forms (in hex: an escaped line break only);
- cut before an ellipsis a JSON writer escaped (`\\u2026`).

Parts of the key are found too: its secret part (`secret_part`, the key without a public prefix
such as `llx-`) whole in every form above, and any run of `RUN` (12) characters of it or more in
a row, verbatim in any letter case or as hex, that holds a letter and a digit or letters of both
cases (a key split in pieces, a provider's hint `llx-Q7mZp3Vt9RwX****1uTq5W`).

A key shorter than `MIN_EMBEDDED` (8) characters cannot be told apart from ordinary text: it is
replaced in all these forms only where it stands alone (no letter or digit on either side), and
in base64 only as a whole token of the key, `:key` or `key:`. A key longer than `MAX_KEY` (256)
characters is found only verbatim, in any letter case. `leaks_bytes` also looks in bodies of any
charset, UTF-16 and UTF-32 included, and in a gzip, zlib or raw deflate stream a body still is
(compressed twice, decoded once).

In `LLAMA_CLOUD_API_KEY`, a value shorter than `MIN_KEY` (8), without a letter, or holding a space,
a quote, a backslash, a bracket, a comma or a colon is no credential: the faces that print what
they read mask nothing then (`env_secret`), and say so once (`no_key_note`)."""

from __future__ import annotations

import ast
import base64
import bisect
import hmac
import html.entities
import itertools
import os
import re
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any
from urllib.parse import unquote

MASK = "**********"
KEY_ENV = "LLAMA_CLOUD_API_KEY"
"""Where the official SDK, and every face of ours, reads the key."""
MIN_EMBEDDED = 8
"""Keys at least this long are found anywhere; shorter ones only where they stand alone."""
MAX_KEY = 256
"""Keys at most this long are found in every form; a longer one (no real key is: LlamaCloud's
are about 52 characters) only verbatim, in any letter case (its pattern of every form grows
with the key, and so does the time to build it)."""
MIN_KEY = 8
"""A key in `LLAMA_CLOUD_API_KEY` shorter than this is no credential: the faces that print what
they read do not mask it (`env_secret`), and say so once (`no_key_note`)."""
_NO_KEY = re.compile(r'[\s"\\{}\[\],:\x00-\x1f\x7f]')
"""What no key in `LLAMA_CLOUD_API_KEY` holds (see `_is_key`)."""
PUBLIC_PREFIX = 8
"""A key's public prefix (the same in every key of a provider) is at most this long and ends in
`-` or `_` (LlamaCloud's `llx-`, `sk-`, `sk_live_`): what follows it is the secret part, masked
in every form on its own (`secret_part`)."""
RUN = 12
"""A run of this many characters of the key in a row or more (a key split in pieces, a
provider's hint `llx-Q7mZp3Vt9RwX****1uTq5W`) is masked, verbatim in any letter case or as hex,
when it holds a letter and a digit, or letters of both cases: 12 characters of a random key
(36^12, about 5e18 choices) never stand in ordinary text by chance, and a run of words or of
digits alone (`batch-contract`, a timestamp), all a made-up key may share with a report, is no
run. Shorter pieces (8 characters of a hint, a key split in four) are not found."""
_BLOCK = 6
"""A run of `RUN` units holds one of the key's blocks of this many units starting at a multiple
of `RUN - _BLOCK + 1`: `Secret` looks for those few blocks, then grows each one found."""
_CHUNK = 64
"""How many units of a form a level of its nested pattern holds (see `_prefixes`)."""
_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/_=-]|%(?:2[bBfF]|3[dD])")
BASE64_GROUP = "b64"
"""The groups of a match inside a base64 token (`b64`, `b640`...): the whole token is masked."""
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_BREAK = re.compile(r"""['"]?[ \t]*\r?\n[ \t]*(?:E[ \t]+|>[ \t]+)?['"]?""")
"""A line break a reporter may insert, with what it adds around it: indentation, pytest's `E   `
or `>   ` prefix, the quotes of a string continued on the next line."""
_GAP = (
    r"(?:\\+(?:[nrt]|x[aA][dD]|u00[aA][dD]|u200[bBcCdD]|u2060|u[fF][eE][fF][fF])"
    r"|[\t\r\u00ad\u200b-\u200d\u2060\ufeff])*"
)
"""What a server may have put between two characters of the key (a line feed, CR LF, a tab, a
soft hyphen, a zero-width space or joiner: a line-wrapping or hyphenating writer), as it is or
escaped as JSON, `repr` or YAML show it (`\\n`, `\\r\\n`, `\\t`, `\\u00ad`, `\\xAD`,
`\\u200b`), its backslash escaped again too (`\\\\n`): allowed between any two units of the
character, hex, wide and base64 forms."""
_LINE_GAP = r"(?:\\+(?:r\\+)?n)?"
"""An escaped line break (`\\n`, `\\r\\n`) a hex dump wrapped before it was escaped may hold:
allowed between two bytes of the hex form (the whole `_GAP` there would take twice the time
to build the pattern)."""
_CUT = r"(?=.{0,9}?(?:\.\.\.|\u2026|\\+u2026))"
"""Where a reporter cut a value short: an ellipsis (also JSON-escaped, `\\u2026`), after what is
left of the unit it cut (an escape, `%2` of `%2F`, a separator, a character without its zero
byte)."""
_CUT_BEFORE = (
    r"(?<=[.\u20266])(?:(?<=\.\.\.)|(?<=\u2026)|(?<=\\u2026))[%&#xXuU\\0-9a-fA-F;\x00]{0,9}?"
)
"""Where a reporter cut a value at its start: after an ellipsis (also JSON-escaped), perhaps the
rest of a cut escape (`6C` of `%6C`)."""
_BYTES_LITERAL = re.compile(
    r"""(?:bytearray\()?(b(?:'(?:[^'\\\n]++|\\.)*+'|"(?:[^"\\\n]++|\\.)*+"))\)?"""
)
"""A Python bytes literal as `repr` writes it (perhaps inside `bytearray(...)`): group 1. The
repeats are possessive: a plain one keeps a backtracking record for each character, so memory
would grow with the literal."""
_CUT_LITERAL = re.compile(r"""b'([^'\n]*?)(?:\.\.\.|\u2026)|b"([^"\n]*?)(?:\.\.\.|\u2026)""")
"""A Python bytes literal a reporter cut short (no closing quote before its ellipsis)."""
_URLSAFE = str.maketrans("-_", "+/")
_CUT_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]?)?\Z")
"""What is left of an escape the cut fell inside (`\\x9` of `\\x9c`)."""
_REPR_ESCAPE = r"""\\(?:x[0-9a-fA-F]{2}|[\\'"ntr])"""
"""The escapes `repr` writes in a bytes literal (no other: `ast.literal_eval` would warn)."""
_ONE_LITERAL = rf"""b(?:'(?:[^'\\\n]++|{_REPR_ESCAPE})*+'|"(?:[^"\\\n]++|{_REPR_ESCAPE})*+")"""
_LITERAL_WRAP = r"""[ \t]*\r?\n[ \t]*(?:E[ \t]+|>[ \t]+)?"""
_BYTES_WRAP = re.compile(rf"""['"]{_LITERAL_WRAP}b['"]""")
"""Where pprint continued a bytes literal on the next line (pytest's `-vv -l` shows
`(b'...'\\n b'...')`): the closing quote, the line break, the `b` and the next opening quote."""
_WRAPPED_LITERAL = re.compile(rf"{_ONE_LITERAL}(?:{_LITERAL_WRAP}{_ONE_LITERAL})+")
"""A bytes literal pprint wrapped over several lines: its parts, one a line."""
_STREAM_START = re.compile(b"\x1f\x8b\x08|\x78[\x01\x5e\x9c\xda]")
"""Where a gzip or zlib stream may start (their headers)."""
_BASE64_STREAM = re.compile(
    r"(?<![A-Za-z0-9+/_-])(?:H4sI|eA[EFGH]|eF|eJ|eN)(?:[A-Za-z0-9+/_-]|%2[bBfF]|\\+/){12,}"
    r"(?:=|%3[dD]){0,2}"
)
"""A base64 or base64url token that starts with a gzip or zlib stream (`H4sI`: gzip, `eJ`: zlib):
a session cookie of a web framework (`.eJy...`), a compressed state parameter. Its characters
perhaps percent-encoded or JSON-escaped, as `_BASE64_UNITS`."""
_BASE64_STREAM_STARTS = ("H4sI", "eA", "eF", "eJ", "eN")
"""What such a token starts with: looked for first."""
_STREAM_TOKENS = 64
"""How many such tokens of a text are inflated, at most (each up to `_INFLATED` bytes)."""
_LITERAL_DEPTH = 2
"""How many bytes literals deep `Secret.spans` looks (a compressed body's text may show another)."""
_INFLATED = 1 << 20
"""How much of a compressed stream `Secret.spans` inflates, at most."""
_HEX_SEPARATOR = r"(?:[ :]|\\+x)?"
"""What may stand between two hex bytes: a space or a colon (`6c:6c`), or a `\\x` escape."""
_WIDE_SEPARATOR = r"(?:\x00|\\+x00|\\+u0000|\\+0){1,3}"
"""The zero bytes between the characters of UTF-16 or UTF-32 text read as one byte a character,
as they are or escaped (`l\\x00l\\x00x`, `l\\u0000l`)."""


def _named_entities() -> dict[str, list[str]]:
    """The HTML5 named entities of each single character (`/`: `sol;`, `+`: `plus;`...)."""
    named: dict[str, list[str]] = {}
    for name, value in html.entities.html5.items():
        if len(value) == 1:
            named.setdefault(value, []).append(name)
    return named


_NAMED = _named_entities()


def _hex(byte: int) -> str:
    """A byte's two hex digits, each in either case."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{byte:02x}")


def _variants(char: str) -> list[str]:
    """The character in each letter case (one character each)."""
    return list(dict.fromkeys(c for c in (char, char.lower(), char.upper()) if len(c) == 1))


def _char(char: str) -> str:
    """A pattern for one character in any of the forms a server may echo it in, in any letter
    case."""
    forms: list[str] = []
    for variant in _variants(char):
        code = ord(variant)
        forms.append(re.escape(variant))
        forms.append("".join("%(?:25)*" + _hex(b) for b in variant.encode("utf-8")))
        forms.append("".join(r"\\+x" + _hex(b) for b in variant.encode("utf-8")))
        units = variant.encode("utf-16-be")
        forms.append(
            "".join(r"\\+u" + _hex(units[i]) + _hex(units[i + 1]) for i in range(0, len(units), 2))
        )
        forms.append(f"&(?:amp;)*#0*{code};?")
        forms.append(
            "&(?:amp;)*#[xX]0*"
            + "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{code:x}")
            + ";?"
        )
        forms.extend("&(?:amp;)*" + re.escape(name) for name in _NAMED.get(variant, ()))
    if char == "/":
        forms.append(r"\\+/")
    return "(?:" + "|".join(dict.fromkeys(forms)) + ")"


_BASE64_UNITS = {"+": r"(?:\+|%2[bB])", "/": r"(?:/|%2[fF]|\\+/)", "=": r"(?:=|%3[dD])"}


def _base64_unit(char: str) -> str:
    """A pattern for one base64 character: itself, percent-encoded or JSON-escaped."""
    return _BASE64_UNITS.get(char, re.escape(char))


def _text(text: str) -> str:
    return "".join(_char(char) for char in text)


def _prefixes(units: list[str]) -> str:
    """A pattern for any first units of `units` (none too), the most first: nested a `_CHUNK` of
    units a level, not a unit a level (the `re` compiler recurses once per level, so a nesting
    per unit would run out of stack for a long key)."""
    if len(units) <= _CHUNK:
        nested = ""
        for unit in reversed(units):
            nested = f"(?:{unit}{nested})?"
        return nested
    head = units[:_CHUNK]
    return f"(?:{''.join(head)}{_prefixes(units[_CHUNK:])}|{_prefixes(head)})"


def _suffixes(units: list[str]) -> str:
    """A pattern for any last units of `units` (none too), the most first, nested as
    `_prefixes`."""
    if len(units) <= _CHUNK:
        nested = ""
        for unit in units:
            nested = f"(?:{nested}{unit})?"
        return nested
    last = units[-_CHUNK:]
    return f"(?:{_suffixes(units[:-_CHUNK])}{''.join(last)}|{_suffixes(last)})"


def _whole_or_cut(units: list[str], minimum: int, group: str | None = None) -> str:
    """The pattern of a form (one pattern per unit: a character, a hex byte): whole, or cut short
    after at least `minimum` units and followed by an ellipsis, perhaps after a cut escape (`%2`,
    `&#4`). The whole form's match holds the group `group` when one is named."""
    tail = _prefixes(units[minimum:-1])
    rest = "".join(units[minimum:])
    whole = f"(?P<{group}>{rest})" if group else rest
    return "".join(units[:minimum]) + f"(?:{whole}|{tail}{_CUT})"


def _padding(count: int) -> str:
    """Up to `count` padding characters, percent-encoded or not."""
    return f"(?:=|%3[dD]){{0,{count}}}" if count else ""


def _base64_cores(value: bytes) -> list[str]:
    """The base64 and base64url characters that encode `value` whatever bytes surround it: one
    run for each of the three alignments."""
    cores = []
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + value).decode("ascii")
            start = -(-8 * offset // 6)
            end = 8 * (offset + len(value)) // 6
            if end - start >= 4:
                cores.append(encoded[start:end])
    return list(dict.fromkeys(cores))


def _base64_tokens(value: bytes) -> list[str]:
    """Whole base64 and base64url tokens of `value`, `:value` and `value:`, padding optional."""
    tokens = []
    for whole in (value, b":" + value, value + b":"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(whole).decode("ascii")
            bare = encoded.rstrip("=")
            tokens.append("".join(map(_base64_unit, bare)) + _padding(len(encoded) - len(bare)))
    return list(dict.fromkeys(tokens))


def _base64_tails(value: bytes) -> list[str]:
    """The end of a base64 or base64url token of anything followed by `value` (`user:key`), one
    for each alignment, padding optional."""
    tails = []
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + value).decode("ascii")
            tail = encoded[-(-8 * offset // 6) :]
            bare = tail.rstrip("=")
            if len(bare) >= 4:  # a shorter tail ends too many words
                tails.append("".join(map(_base64_unit, bare)) + _padding(len(tail) - len(bare)))
    return list(dict.fromkeys(tails))


def _base32_cores(value: bytes) -> list[str]:
    """The base32 characters that encode `value` whatever bytes surround it: one run for each
    of the five alignments."""
    cores = []
    for offset in range(5):
        encoded = base64.b32encode(b"\0" * offset + value).decode("ascii")
        start = -(-8 * offset // 5)
        end = 8 * (offset + len(value)) // 5
        if end - start >= 8:
            cores.append(encoded[start:end])
    return list(dict.fromkeys(cores))


def _variant_class(char: str) -> str:
    """A pattern for one character in either letter case, itself only."""
    variants = _variants(char)
    return re.escape(char) if len(variants) == 1 else f"[{''.join(map(re.escape, variants))}]"


def _after_cut(units: list[str], minimum: int) -> str:
    """The pattern of a form cut at its start by a reporter: an ellipsis, perhaps the rest of a cut
    escape, then the last `minimum` units of the form or more."""
    return _suffixes(units[: len(units) - minimum]) + "".join(units[len(units) - minimum :])


def secret_part(value: str) -> str:
    """The key without its public prefix: what follows its last `-` or `_` among its first
    `PUBLIC_PREFIX` characters (`llx-Q7mZ...`: `Q7mZ...`; `sk_live_...`: what follows
    `sk_live_`), or the whole key when it has none."""
    cut = max((at + 1 for at, char in enumerate(value[:PUBLIC_PREFIX]) if char in "-_"), default=0)
    return value[cut:]


def _whole_or_part(units: list[str], public: int, alone: str) -> list[str]:
    """The patterns of a form (`units`) whose first `public` units are the key's public prefix:
    the form whole or cut after `MIN_EMBEDDED` units or more (`_whole_or_cut`), and its secret
    part whole (its first unit `alone`, written without a separator; never cut: 8 characters of
    a made-up key's secret part may be a word, `contract...`)."""
    forms = [_whole_or_cut(units, MIN_EMBEDDED)]
    return [*forms, alone + "".join(units[public + 1 :])] if public else forms


def _core_branches(raw: bytes, tag: str) -> list[tuple[set[str], list[str]]]:
    """The alternatives of `forms_pattern` for the base64 and base32 forms of `raw`, by the
    characters they may start with (`tag` keeps their groups' names apart)."""
    cores = _base64_cores(raw)
    branches = [
        (
            {core[0] for core in cores},
            [
                _whole_or_cut(
                    [_base64_unit(c) for c in core],
                    min(len(core), 11),
                    f"{BASE64_GROUP}{tag}{number}",
                )
                for number, core in enumerate(cores)
            ],
        )
    ]
    cores = _base32_cores(raw)  # either letter case
    if cores:
        base32 = [
            _whole_or_cut(list(map(_variant_class, core)), 13, f"{BASE64_GROUP}32{tag}{number}")
            for number, core in enumerate(cores)
        ]  # cut after 13 characters or more: 8 bytes of the key
        starts = {c for core in cores for c in (core[0], core[0].lower())}
        branches.append((starts, base32))
    return branches


def forms_pattern(value: str) -> re.Pattern[str]:
    """A pattern matching `value` in every form (see the module's docstring), and its secret part
    (`secret_part`, when it has `MIN_EMBEDDED` characters or more) whole in every form. A match
    of the group `b64...` is part of a base64 token: `Secret` widens it to the whole token."""
    if len(value) > MAX_KEY:
        return re.compile(re.escape(value), re.IGNORECASE)
    if len(value) < MIN_EMBEDDED:
        hex_form = _HEX_SEPARATOR.join(_hex(b) for b in value.encode("utf-8"))
        tokens = "|".join(_base64_tokens(value.encode("utf-8")))
        alone = "|".join([_text(value), hex_form, tokens])
        pattern = f"(?<![A-Za-z0-9])(?:{alone})(?![A-Za-z0-9])"
        tails = _base64_tails(value.encode("utf-8"))
        if tails:
            pattern += f"|(?P<{BASE64_GROUP}>{'|'.join(tails)})(?![A-Za-z0-9+/_=-])"
        return re.compile(pattern)
    raw = value.encode("utf-8")
    hex_units = [_hex(b) for b in raw]
    hex_units[1:] = [_LINE_GAP + _HEX_SEPARATOR + unit for unit in hex_units[1:]]
    char_units = [_char(c) for c in value]
    char_units[1:] = [_GAP + unit for unit in char_units[1:]]
    wide_units = [_variant_class(c) for c in value]
    wide_units[:-1] = [unit + _WIDE_SEPARATOR for unit in wide_units[:-1]]
    forms = [char_units, hex_units, wide_units]
    starts = {value[0], value[0].lower(), value[0].upper(), "%", "\\", "&", f"{raw[0]:02x}"[0]}
    part = secret_part(value)
    public = len(value) - len(part) if len(part) >= MIN_EMBEDDED else 0
    public_bytes = len(value[:public].encode("utf-8"))
    text = _whole_or_part(char_units, public, _char(part[0]))
    text += _whole_or_part(hex_units, public_bytes, _hex(raw[public_bytes]))
    text += _whole_or_part(wide_units, public, wide_units[public])
    branches = [(starts, text), *_core_branches(raw, "")]
    if public:  # its end is the key's: found cut at its start as the key
        starts |= {part[0], part[0].lower(), part[0].upper(), f"{raw[public_bytes]:02x}"[0]}
        branches += _core_branches(part.encode("utf-8"), "s")
    alternatives = [
        f"(?=[{_class(starts)}])(?:{'|'.join(parts)})" for starts, parts in branches
    ]  # one look-ahead for all first: most characters start no form
    every_start = _class(set().union(*(starts for starts, _ in branches)))
    cut = "|".join(_after_cut(units, MIN_EMBEDDED) for units in forms)
    return re.compile(f"(?=[{every_start}])(?:{'|'.join(alternatives)})|{_CUT_BEFORE}(?:{cut})")


def _class(chars: set[str]) -> str:
    """The inside of a character class of `chars`."""
    return "".join(sorted(map(re.escape, chars)))


def _random_looking(piece: str) -> bool:
    """Whether a piece of a key holds a letter and a digit, or letters of both cases."""
    letters = [c for c in piece if c.isalpha()]
    digits = any(c.isdigit() for c in piece)
    return bool(letters) and (digits or len({c.isupper() for c in letters}) == 2)


class _Runs:
    """Where a text holds a run of `RUN` characters of the key or more (see `RUN`), verbatim in
    any letter case, or of its UTF-8 bytes in hex (run together, in either case)."""

    def __init__(self, value: str) -> None:
        raw = value.encode("utf-8")
        self._sources = [(value.lower(), value, 1), (raw.hex(), raw.decode("latin-1"), 2)]
        self._blocks: dict[str, list[tuple[int, int]]] = {}  # lower-cased block: source, start
        step = RUN - _BLOCK + 1
        for number, (folded, _, unit) in enumerate(self._sources):
            for start in range(0, len(folded) // unit - _BLOCK + 1, step):
                block = folded[start * unit : (start + _BLOCK) * unit]
                self._blocks.setdefault(block, []).append((number, start * unit))
        # looked for in lower-cased text: alternatives that start with a plain character let `re`
        # skip to where one stands (a class a character would try each alternative everywhere)
        self._folded = re.compile("|".join(map(re.escape, sorted(self._blocks))))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """The (start, end) of each run in `text`."""
        folded = text.lower()
        if len(folded) != len(text):  # a character lower-cased to two (`İ`): fold each
            folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        position = 0
        while found := self._folded.search(folded, position):  # blocks may overlap: each one
            for number, at in self._blocks[found.group()]:
                span = self._grown(folded, found.start(), number, at)
                if span:
                    yield span
            position = found.start() + 1

    def _grown(self, folded: str, position: int, number: int, at: int) -> tuple[int, int] | None:
        """The run of source `number` around its block at `at`, found at `position` in the
        lower-cased text, if it is long enough and random-looking."""
        source, original, unit = self._sources[number]
        before = 0
        while (
            before < min(position, at) and folded[position - before - 1] == source[at - before - 1]
        ):
            before += 1
        after = _BLOCK * unit
        while (
            position + after < len(folded)
            and at + after < len(source)
            and folded[position + after] == source[at + after]
        ):
            after += 1
        first, last = -(-(at - before) // unit), (at + after) // unit  # whole units only
        if last - first < RUN or not _random_looking(original[first:last]):
            return None
        return position - before, position + after


_JSON_ESCAPED = re.compile(r'\\([\\"])')
"""A backslash or quote escaped once more by a JSON writer (a report's `"source"`, a path's
`$["..."]`): `\\\\x9c` is shown for `\\x9c`."""
_GITHUB_ESCAPED = re.compile(r"%(?:25|3[aA]|2[cC]|0[aAdD])")
"""What a GitHub annotation writes for `%`, `:`, `,`, a line feed and a carriage return."""

Where = Callable[[int], tuple[int, int]]
"""Where in the text a character of a view of it came from: its (start, end) there."""


def _view(
    text: str, found: Iterator[re.Match[str]], replace: Callable[[str], str]
) -> tuple[str, Where]:
    """`text` with each `found` replaced by `replace` of it, and where each character came from
    (kept as where each piece starts, not an index for each character, which would take memory
    in proportion to the text)."""
    pieces: list[str] = []
    starts: list[int] = []  # where each piece starts in the view
    origins: list[tuple[int, int | None]] = []  # and in `text`: kept (start, None), replaced span
    length = position = 0

    def add(piece: str, origin: tuple[int, int | None]) -> None:
        nonlocal length
        if piece:
            pieces.append(piece)
            starts.append(length)
            origins.append(origin)
            length += len(piece)

    for match in found:
        add(text[position : match.start()], (position, None))
        add(replace(match.group()), match.span())
        position = match.end()
    add(text[position:], (position, None))

    def where(at: int) -> tuple[int, int]:
        piece = bisect.bisect_right(starts, at) - 1
        start, end = origins[piece]
        if end is None:
            return start + at - starts[piece], start + at - starts[piece] + 1
        return start, end

    return "".join(pieces), where


_JSON_DEPTH = 3
"""How many times over a JSON writer's escaping is undone."""


def _unmoved(at: int) -> tuple[int, int]:
    return at, at + 1


def _composed(outer: Where, inner: Where) -> Where:
    """Where a character of a view of a view came from."""
    return lambda at: (outer(inner(at)[0])[0], outer(inner(at)[1] - 1)[1])


def _views(text: str, across_lines: bool) -> list[tuple[str, Where]]:
    """The other texts a form may be found in, with where their characters came from: `text`
    with the line breaks a reporter may insert removed; with a JSON writer's escaping of `\\`
    and `"` undone; with a GitHub annotation's escaping undone."""
    views = []
    if across_lines and "\n" in text:
        views.append(_view(text, _BREAK.finditer(text), lambda _: ""))
    unescaped = text
    where: Where = _unmoved
    for _ in range(_JSON_DEPTH):  # a message quoted in a JSON report: escaped twice
        if "\\\\" not in unescaped:  # no form holds a quote but a literal written b"..."
            break
        unescaped, inner = _view(unescaped, _JSON_ESCAPED.finditer(unescaped), lambda e: e[1])
        where = _composed(where, inner)
        views.append((unescaped, where))
    if "%" in text and _GITHUB_ESCAPED.search(text):
        views.append(_view(text, _GITHUB_ESCAPED.finditer(text), unquote))
    return views


class Secret:
    """A secret string whose `repr` and `str` are masked; `get_secret_value()` gives it."""

    __slots__ = ("_pattern", "_runs", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._pattern: re.Pattern[str] | None = None
        self._runs: _Runs | None = None

    @classmethod
    def from_env(cls, name: str, environ: dict[str, str] | None = None) -> Secret | None:
        """The secret held in an environment variable, or None when it is unset or blank."""
        value = (os.environ if environ is None else environ).get(name, "").strip()
        return cls(value) if value else None

    def get_secret_value(self) -> str:
        """The raw value: use it only where the credential is sent."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    @property
    def forms(self) -> re.Pattern[str]:
        """The pattern of every form of this secret (see `forms_pattern`)."""
        if self._pattern is None:
            self._pattern = forms_pattern(self._value)
        return self._pattern

    def _matches(self, text: str) -> Iterator[tuple[int, int]]:
        if RUN < len(self._value) <= MAX_KEY:
            if self._runs is None:
                self._runs = _Runs(self._value)
            yield from self._runs.spans(text)
        for found in self.forms.finditer(text):
            start, end = found.span()
            if (found.lastgroup or "").startswith(BASE64_GROUP):
                while start > 0 and _BASE64_CHAR.match(text, start - 1):
                    start -= 1
                while end < len(text) and (step := _BASE64_CHAR.match(text, end)):
                    end = step.end()
            yield start, end

    def spans(self, text: str, *, across_lines: bool = True) -> list[tuple[int, int]]:
        """Where `text` holds this secret in any form, also across line breaks a reporter
        inserted (unless `across_lines` is false: text whose writer breaks no value) and inside a
        compressed body shown as a Python bytes literal: sorted, merged (start, end) spans."""
        return self._spans(text, _LITERAL_DEPTH, across_lines)

    def _spans(self, text: str, depth: int, across_lines: bool = True) -> list[tuple[int, int]]:
        if not self._value:
            return []
        found = list(self._matches(text))
        if depth and "\\x" in text:
            found += self._in_literals(text, depth)
        found += self._in_base64_streams(text, depth)
        if across_lines and "\n" in text:
            found += self._in_wrapped_literals(text, depth)
        for view, where in _views(text, across_lines):
            found += [(where(s)[0], where(e - 1)[1]) for s, e in self._matches(view) if e > s]
            inner = self._in_literals(view, depth) if depth and "\\x" in view else []
            inner += self._in_base64_streams(view, depth)
            found += [(where(s)[0], where(e - 1)[1]) for s, e in inner]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def _in_wrapped_literals(self, text: str, depth: int) -> list[tuple[int, int]]:
        """Where a bytes literal pprint wrapped over several lines holds this secret: in its
        parts joined (a form the wrap cut in two), or in what the joined bytes inflate to."""
        if not _BYTES_WRAP.search(text):
            return []
        view, where = _view(text, _BYTES_WRAP.finditer(text), lambda _: "")
        found = [(where(s)[0], where(e - 1)[1]) for s, e in self._matches(view) if e > s]
        for literal in _WRAPPED_LITERAL.finditer(text) if depth else ():
            try:
                joined = b"".join(map(ast.literal_eval, re.findall(_ONE_LITERAL, literal.group())))
            except (ValueError, SyntaxError):
                continue
            if self._in_compressed(repr(joined), depth - 1):
                found.append(literal.span())
        return found

    def _in_literals(self, text: str, depth: int) -> list[tuple[int, int]]:
        """The spans of the Python bytes literals of `text` that inflate to this secret."""
        found = [
            literal.span()
            for literal in _BYTES_LITERAL.finditer(text)
            if self._in_compressed(literal.group(1), depth - 1)
        ]
        for literal in _CUT_LITERAL.finditer(text):  # inflated as far as it goes, then cut
            quote = "'" if literal.group(1) is not None else '"'
            kept = _CUT_ESCAPE.sub("", literal.group(1) or literal.group(2) or "")
            if self._in_compressed(f"b{quote}{kept}{quote}", depth - 1, cut=True):
                found.append(literal.span())
        return found

    def _in_base64_streams(self, text: str, depth: int) -> list[tuple[int, int]]:
        """The spans of the base64 or base64url tokens of `text` that hold a gzip or zlib stream
        (`_BASE64_STREAM`) whose first `_INFLATED` bytes hold this secret: the whole token."""
        found: list[tuple[int, int]] = []
        if not depth or not any(start in text for start in _BASE64_STREAM_STARTS):
            return found  # `in` is far quicker than the pattern
        for token in itertools.islice(_BASE64_STREAM.finditer(text), _STREAM_TOKENS):
            chars = re.sub(r"%2[bB]", "+", re.sub(r"%2[fF]|\\+/", "/", token.group()))
            chars = re.sub(r"=|%3[dD]", "", chars).translate(_URLSAFE)
            try:
                raw = base64.b64decode(chars[: len(chars) // 4 * 4])
            except ValueError:
                continue
            cut = text.startswith(("...", "\u2026"), token.end())  # a reporter cut it short
            if self._inflates_to_it(raw, 47, depth - 1, cut):
                found.append(token.span())
        return found

    def _in_compressed(self, literal: str, depth: int, cut: bool = False) -> bool:
        """Whether a Python bytes literal holds a gzip or zlib stream (anywhere in it), or is a raw
        deflate stream, whose first `_INFLATED` bytes hold this secret (a logger may show a
        response body as it came, a parser the line it refused); of a literal `cut` short, what
        it inflates to as far as it goes, taken as cut there."""
        if "\\" in re.sub(_REPR_ESCAPE, "", literal):  # no repr: `ast.literal_eval` would warn
            return False
        try:
            raw = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            return False
        if not isinstance(raw, bytes):
            return False
        return self._in_streams(raw, depth, cut)

    def _in_streams(self, raw: bytes, depth: int, cut: bool = False) -> bool:
        """Whether bytes that hold a gzip or zlib stream (anywhere in them), or are a raw deflate
        stream, inflate to this secret (their first `_INFLATED` bytes)."""
        streams = [(raw, -15)]  # raw deflate, from the start
        starts = (found.start() for found in _STREAM_START.finditer(raw))
        streams += [(raw[start:], 47) for start in itertools.islice(starts, 16)]
        # window 47: gzip or zlib, by its header
        return any(self._inflates_to_it(stream, window, depth, cut) for stream, window in streams)

    def _inflates_to_it(self, stream: bytes, window: int, depth: int, cut: bool) -> bool:
        """Whether the first `_INFLATED` bytes `stream` inflates to (`window`: zlib's `wbits`)
        hold this secret; of a stream `cut` short, what it inflates to as far as it goes, taken
        as cut there."""
        try:
            inflated = zlib.decompressobj(window).decompress(stream, _INFLATED)
        except zlib.error:
            return False
        ellipsis = "..." if cut else ""  # what it inflates to ends where the stream was cut
        text = inflated.decode("latin-1") + ellipsis
        lenient = inflated.decode("utf-8", "ignore") + ellipsis
        if self._spans(text, depth) or self._spans(lenient, depth):
            return True
        return any(self._value.encode(codec) in inflated for codec in _WIDE_CODECS)

    def is_value(self, text: str) -> bool:
        """Whether a whole value is this secret, in any form."""
        return self.spans(text) == [(0, len(text))] if text else False

    def found_in(self, text: str) -> bool:
        """Whether `text` holds this secret in any form."""
        return bool(self.spans(text))

    def replace(self, text: str, placeholder: str, *, across_lines: bool = True) -> str:
        """`text` with every form of this secret replaced by `placeholder` (the line breaks of a
        span that crossed lines kept)."""
        spans = self.spans(text, across_lines=across_lines)
        if not spans:
            return text
        pieces = []
        position = 0
        for start, end in spans:
            pieces += [text[position:start], placeholder, "\n" * text.count("\n", start, end)]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def mask(self, text: str, *, across_lines: bool = True) -> str:
        """`text` fit to show: every form of this secret as `***`."""
        return self.replace(text, "***", across_lines=across_lines)

    def leaks_bytes(self, raw: bytes) -> bool:
        """Whether raw bytes of any charset hold this secret in any form: as text of an
        ASCII-compatible charset (UTF-8, Latin-1 and the like), or of UTF-16 or UTF-32 read from
        any byte, or inside a gzip, zlib or raw deflate stream they hold (a body compressed
        twice, decoded once: its first `_INFLATED` bytes)."""
        if not self._value:
            return False
        if self.found_in(raw.decode("latin-1")) or self.found_in(raw.decode("utf-8", "ignore")):
            return True
        if self._in_streams(raw, _LITERAL_DEPTH):  # a compressed body stored as it came
            return True
        if b"\0" not in raw:
            return False
        return any(
            self.found_in(raw[start:].decode(codec, "ignore"))
            for codec in _WIDE_CODECS
            for start in range(2 if codec.startswith("utf-16") else 4)
        )


def mask(text: str, secret: Secret | None) -> str:
    """`text` with every form of `secret` replaced by `***`."""
    return secret.mask(text) if secret else text


def mask_all(text: str, secrets: tuple[Secret | None, ...]) -> str:
    """`text` with every form of each secret replaced by `***` (longest secret first)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = secret.mask(text)
    return text


def mask_env(text: str, environ: dict[str, str] | None = None) -> str:
    """`text` with every form of the key in `LLAMA_CLOUD_API_KEY` (if set) replaced by `***`:
    for faces that print what they read (coverage, drift) without holding the key themselves."""
    return mask(text, env_secret(environ))


def _is_key(value: str) -> bool:
    """Whether a value may be a credential: `MIN_KEY` characters or more, a letter among them,
    and none of what a bearer token never holds and a JSON report is made of (a space or a
    control character, a quote, a backslash, a bracket, a brace, a comma, a colon)."""
    return len(value) >= MIN_KEY and any(c.isalpha() for c in value) and not _NO_KEY.search(value)


def env_secret(environ: dict[str, str] | None = None) -> Secret | None:
    """The key in `LLAMA_CLOUD_API_KEY` as the faces that print what they read mask it: None when
    it is unset, blank or no key (`_is_key`: masked, `1` or `"` would turn every count or quote
    of a report into `***`, and a JSON report into no JSON)."""
    secret = Secret.from_env(KEY_ENV, environ)
    return secret if secret and _is_key(secret.get_secret_value()) else None


def no_key_note(environ: dict[str, str] | None = None) -> str | None:
    """The line a face that masks the key prints once when `LLAMA_CLOUD_API_KEY` is set but no
    key (`_is_key`), or None."""
    secret = Secret.from_env(KEY_ENV, environ)
    if secret is None or _is_key(secret.get_secret_value()):
        return None
    return (
        f"{KEY_ENV} is no key (under {MIN_KEY} characters, no letter, or a space, quote, "
        "backslash, bracket, comma or colon): the output is not masked"
    )


class MaskedStream:
    """A text stream that writes every form of `secret` as `***`: for a face that writes what it
    reads as it goes (validate-status), a write at a time. Each write is whole report lines, and
    the writer breaks no value across lines, so a form is looked for within a line (a third of
    the time a search across inserted line breaks takes)."""

    def __init__(self, out: IO[str], secret: Secret) -> None:
        self._out = out
        self._secret = secret

    def write(self, text: str) -> int:
        """Write `text` masked."""
        return self._out.write(self._secret.mask(text, across_lines=False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)
