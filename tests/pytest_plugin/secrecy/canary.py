"""A canary key and a detector of it that shares no code with the package: it decodes what it
reads (percent-encoding, JSON escapes, HTML entities, hex runs, base64 and base64url tokens at any
alignment, any charset, line breaks a reporter may insert) and ignores letter case."""

from __future__ import annotations

import ast
import base64
import binascii
import contextlib
import html
import json
import re
import zlib
from collections.abc import Callable
from urllib.parse import quote, unquote

CANARY = "canary-K3y/+=Zq8x7w"
"""Holds `/`, `+` and `=`, so that every encoding spells it differently."""
USER = "apiuser"
_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
"""Long enough to hold the canary (19 bytes: 26 characters of base64) at any alignment."""
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_HEX_RUN = re.compile(r"[0-9a-fA-F]{16,}")
_WRAP = re.compile(r"\r?\n[ \t]*(?:E +)?")
_BYTES_LITERAL = re.compile(r"b'(?:[^'\\\n]|\\.)*'|b\"(?:[^\"\\\n]|\\.)*\"")
_NULS = re.compile(r"\x00|\\x00|\\u0000")
_BYTE_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")
_HEX_SEPARATORS = re.compile(r"(?<=[0-9a-fA-F]{2})[ :](?=[0-9a-fA-F]{2})")
_BASE32_TOKEN = re.compile(r"[A-Z2-7]{24,}=*|[a-z2-7]{24,}=*")


def echoed_forms(key: str = CANARY) -> dict[str, str]:
    """The forms in which a hostile server may echo the key back, by name."""
    upper = quote(key, safe="")
    return {
        "raw": key,
        "percent-upper": upper,
        "percent-lower": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), upper),
        "percent-slash-kept": quote(key),
        "json-slash": key.replace("/", "\\/"),
        "json-unicode": "".join(f"\\u{ord(c):04x}" for c in key),
        "base64": base64.b64encode(key.encode()).decode(),
        "base64url": base64.urlsafe_b64encode(key.encode()).decode(),
        "base64-user-key": base64.b64encode(f"{USER}:{key}".encode()).decode(),
        "base64-colon-key": base64.b64encode(f":{key}".encode()).decode(),
        "base64url-user-key": base64.urlsafe_b64encode(f"{USER}:{key}".encode()).decode(),
        "base64-unpadded-user-key": base64.b64encode(f"{USER}:{key}".encode()).decode().rstrip("="),
        "base64url-key-colon": base64.urlsafe_b64encode(f"{key}:".encode()).decode().rstrip("="),
        "base64-inside": base64.b64encode(f"Authorization: Basic x:{key} ok".encode()).decode(),
        "upper": key.upper(),
        "lower": key.lower(),
        "percent-upper-case-key": quote(key.upper(), safe=""),
        "hex": binascii.hexlify(key.encode()).decode(),
        "hex-upper": binascii.hexlify(key.encode()).decode().upper(),
        "html-decimal": "".join(f"&#{ord(c)};" for c in key),
        "html-hex": "".join(f"&#x{ord(c):X};" for c in key),
        "percent-twice": quote(upper, safe=""),
        "html-amp-decimal": "".join(f"&amp;#{ord(c)};" for c in key),
        "hex-escaped": "".join(f"\\x{b:02x}" for b in key.encode()),
        "hex-spaced": " ".join(f"{b:02x}" for b in key.encode()),
        "hex-colon-upper": ":".join(f"{b:02X}" for b in key.encode()),
        "base32": base64.b32encode(key.encode()).decode(),
        "base32-lower-user-key": base64.b32encode(f"{USER}:{key}".encode()).decode().lower(),
        "utf-16-read-as-latin-1": key.encode("utf-16-le").decode("latin-1"),
        "utf-16-bytes-repr": repr(key.encode("utf-16-be"))[2:-1],
        "utf-16-json-escaped": "".join(f"{c}\\u0000" for c in key),
        "html-named": "".join(_NAMED_ENTITY.get(c, c) for c in key),
        "html-amp-named": "".join(_NAMED_ENTITY.get(c, c).replace("&", "&amp;") for c in key),
        "html-hex-capital-x": "".join(f"&#X{ord(c):x};" for c in key),
    }


_NAMED_ENTITY = {"/": "&sol;", "+": "&plus;", "=": "&equals;"}
"""HTML5's names of the canary's punctuation (`html.unescape` reads them)."""


def _until_stable(decode: Callable[[str], str], text: str) -> str:
    for _ in range(8):
        decoded = decode(text)
        if decoded == text:
            break
        text = decoded
    return text


def _decodings(text: str) -> list[str]:
    text = _NULS.sub("", text)
    text = _BYTE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    unescaped = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text.replace("\\/", "/"))
    found = [text, unquote(text), unescaped, unquote(unescaped), html.unescape(text)]
    found += [_until_stable(unquote, text), _until_stable(html.unescape, text)]
    found += [_HEX_SEPARATORS.sub("", each) for each in found]
    return list(dict.fromkeys(found + [_WRAP.sub("", each) for each in found]))


def _base32_tokens(text: str) -> list[bytes]:
    found = []
    for token in _BASE32_TOKEN.findall(text):
        for start in range(8):
            part = token[start:].rstrip("=").upper()
            for end in range(len(part), max(len(part) - 8, 0), -1):  # a valid padding
                with contextlib.suppress(binascii.Error, ValueError):
                    found.append(base64.b32decode(part[:end] + "=" * (-end % 8)))
                    break
    return found


def _base64_tokens(text: str) -> list[bytes]:
    found = []
    for token in _TOKEN.findall(text):
        for start in range(4):
            part = token[start:].rstrip("=")
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                with contextlib.suppress(binascii.Error, ValueError):
                    found.append(decode(part + "=" * (-len(part) % 4)))
    return found


def _hex_runs(text: str) -> list[bytes]:
    found = []
    for run in _HEX_RUN.findall(text):
        for start in range(2):
            part = run[start:]
            found.append(binascii.unhexlify(part[: len(part) // 2 * 2]))
    return found


def holds_canary(data: str | bytes, key: str = CANARY) -> bool:
    """Whether text, or bytes in any common charset, hold the key in any form."""
    if isinstance(data, bytes):
        texts = [data.decode(codec, "ignore") for codec in ("utf-8", "latin-1", "utf-16-le")]
        texts += [data[1:].decode("utf-16-le", "ignore"), data.decode("utf-32-le", "ignore")]
        return any(holds_canary(text, key) for text in texts)
    wanted = key.lower().encode()
    for decoded in _decodings(data):
        if key.lower() in decoded.lower():
            return True
        if any(key.encode() in raw for raw in _base64_tokens(decoded) + _base32_tokens(decoded)):
            return True
        if any(wanted in raw.lower() for raw in _hex_runs(decoded)):
            return True
    if any(holds_canary(raw, key) for raw in inflated_literals(data)):
        return True
    try:
        return key in json.dumps(json.loads(data))
    except ValueError:
        return False


LLX = "llx-T4kq9ZbW2mRx7NcV5pLs8HdJ3fYg6QeA1uKo0iEr"
"""A made-up key shaped as LlamaCloud's: the public prefix `llx-`, then 40 random characters."""
SEPARATORS = {
    "lf": "\n",
    "crlf": "\r\n",
    "tab": "\t",
    "cr": "\r",
    "zwsp": "\u200b",
    "shy": "\u00ad",
}
"""What a line-wrapping or hyphenating server may put inside the key it echoes."""
RUN = 12
"""The fewest characters of the key in a row that must never show (the scrubber's promise)."""
_ESCAPED_SEPARATOR = re.compile(r"\\+(?:[nrt]|u200b|u00ad|xad)|[\t\r\u200b\u00ad]", re.IGNORECASE)


def partial_forms(key: str = LLX) -> dict[str, str]:
    """The parts of a key shaped as LlamaCloud's a server may echo, by name: its secret part (the
    key without `llx-`) in every form of `echoed_forms`, the key split in two, a provider's hint
    (16 first and 6 last characters), 20 characters of it upper-cased, hex of its first 24,
    and the key with a separator inside."""
    part = key[4:]
    forms = {f"secret-{name}": form for name, form in echoed_forms(part).items()}
    half = len(key) // 2
    forms["split-first"], forms["split-second"] = key[:half], key[half:]
    forms["hint"] = key[:16] + "*" * 20 + key[-6:]
    forms["run-upper"] = key[10:30].upper()
    forms["prefix-hex"] = key[:24].encode().hex()
    forms |= {f"inside-{name}": key[:half] + sep + key[half:] for name, sep in SEPARATORS.items()}
    return forms


def holds_part(data: str, key: str = LLX) -> bool:
    """Whether text holds the secret part of a key shaped as LlamaCloud's (`holds_canary`), or
    `RUN` characters of the key in a row (any letter case) or their hex, also once the
    separators a writer showed escaped (`\\n`, `\\u200b`...) or as they are are taken out."""
    hexed = key.encode().hex()
    for text in (data, _ESCAPED_SEPARATOR.sub("", data)):
        if holds_canary(text, key[4:]):
            return True
        folded = text.lower()
        if any(key[at : at + RUN].lower() in folded for at in range(len(key) - RUN + 1)):
            return True
        if any(hexed[at : at + 2 * RUN] in folded for at in range(0, len(hexed) - 2 * RUN + 1, 2)):
            return True
    return False


def inflated_literals(text: str) -> list[bytes]:
    """What each Python bytes literal of `text` inflates to: a raw deflate stream, or a gzip or
    zlib stream starting at any of its bytes (a logger may show a compressed body as it came),
    also a literal a JSON writer escaped once or twice more (`\\\\x9c` for `\\x9c`)."""
    found = []
    unescaped = [text.replace("\\\\" * 2**times, "\\").replace('\\"', '"') for times in range(3)]
    texts = [text, *unescaped]  # as written, and a JSON writer's escaping undone once or twice
    for literal in {each for text in texts for each in _BYTES_LITERAL.findall(text)}:
        try:
            raw = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(raw, -15))
        for start in range(len(raw)):  # a gzip or zlib stream after other bytes
            for wbits in (31, 15):
                with contextlib.suppress(zlib.error):
                    found.append(zlib.decompressobj(wbits).decompress(raw[start:]))
    return found


_LITERAL_PART = r"""b'(?:[^'\\\n]|\\.)*'|b"(?:[^"\\\n]|\\.)*\""""
_WRAPPED_LITERAL = re.compile(rf"\((?:{_LITERAL_PART})(?:\s*\n\s*(?:{_LITERAL_PART}))+\)")
_CONTINUATION = re.compile(r"""['"]\s*\n\s*b['"]""")


def holds_canary_wrapped(text: str, key: str = CANARY) -> bool:
    """Whether `text` holds the key in any form, also inside a bytes literal pprint wrapped over
    several lines (`(b'...'\\n b'...')`, pytest's `-vv -l`): the literal as Python itself reads
    it (adjacent literals are one), as it is and inflated, and the text with each continuation
    (`'\\n b'`) taken out."""
    if holds_canary(text, key) or holds_canary(_CONTINUATION.sub("", text), key):
        return True
    for literal in _WRAPPED_LITERAL.findall(text):
        raw = ast.literal_eval(literal)
        inflated = inflated_literals(repr(raw))
        with contextlib.suppress(zlib.error):  # a raw deflate stream cut short
            inflated.append(zlib.decompressobj(-15).decompress(raw))
        if holds_canary(raw, key) or any(holds_canary(each, key) for each in inflated):
            return True
    return False
