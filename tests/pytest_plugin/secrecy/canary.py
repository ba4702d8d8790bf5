"""A canary key and a detector of it that shares no code with the package: it decodes what it
reads (percent-encoding, JSON escapes, base64 and base64url tokens, any charset) before looking."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from urllib.parse import quote, unquote

CANARY = "canary-K3y/+=Zq8x7w"
"""Holds `/`, `+` and `=`, so that every encoding spells it differently."""
USER = "apiuser"
_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


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
    }


def _decodings(text: str) -> list[str]:
    unescaped = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text.replace("\\/", "/"))
    return [text, unquote(text), unescaped, unquote(unescaped)]


def _base64_tokens(text: str) -> list[bytes]:
    found = []
    for token in _TOKEN.findall(text):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                found.append(decode(token + "=" * (-len(token) % 4)))
    return found


def holds_canary(data: str | bytes, key: str = CANARY) -> bool:
    """Whether text, or bytes in any common charset, hold the key in any form."""
    if isinstance(data, bytes):
        texts = [data.decode(codec, "ignore") for codec in ("utf-8", "latin-1", "utf-16-le")]
        texts += [data[1:].decode("utf-16-le", "ignore"), data.decode("utf-32-le", "ignore")]
        return any(holds_canary(text, key) for text in texts)
    for decoded in _decodings(data):
        if key in decoded or any(key.encode() in raw for raw in _base64_tokens(decoded)):
            return True
    try:
        return key in json.dumps(json.loads(data))
    except ValueError:
        return False
