"""The API key as a value that never shows, and every form in which it can come back.

`Secret` holds the key from the moment it is read from the environment: its `repr` and `str` are
masked (as pydantic's `SecretStr`), so a fixture value, a dataclass field or a local variable that
pytest prints in a failure report shows `**********`. The raw value is taken out with
`get_secret_value()` only where the `Authorization` header is built.

`Secret.forms` finds the key as a server may echo it: verbatim, percent-encoded (either case, any
safe set), JSON-escaped (`\\/`, `\\uXXXX`), and inside base64 or base64url text (the key alone,
`user:key` or `:key`: whatever precedes it). `mask` replaces them all; `leaks_bytes` also looks in
bodies of any charset, UTF-16 and UTF-32 included."""

from __future__ import annotations

import base64
import hmac
import os
import re

MASK = "**********"
_BASE64_CHARS = r"[A-Za-z0-9+/_=-]"
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _hex(byte: int) -> str:
    """A byte's two hex digits, each in either case."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{byte:02x}")


def _char(char: str) -> str:
    """A pattern for one character in any of the forms a server may echo it in."""
    forms = [re.escape(char), "".join("%" + _hex(b) for b in char.encode("utf-8"))]
    units = char.encode("utf-16-be")
    forms.append(
        "".join(r"\\u" + _hex(units[i]) + _hex(units[i + 1]) for i in range(0, len(units), 2))
    )
    if char == "/":
        forms.append(r"\\/")
    return "(?:" + "|".join(forms) + ")"


def _text(text: str) -> str:
    return "".join(_char(char) for char in text)


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


def forms_pattern(value: str) -> re.Pattern[str]:
    """A pattern matching `value` in every form: verbatim, percent-encoded, JSON-escaped, or as
    part of a base64/base64url token (the whole token is matched)."""
    parts = [_text(value)]
    for core in _base64_cores(value.encode("utf-8")):
        parts.append(f"{_BASE64_CHARS}*{_text(core)}{_BASE64_CHARS}*")
    return re.compile("|".join(parts))


class Secret:
    """A secret string whose `repr` and `str` are masked; `get_secret_value()` gives it."""

    __slots__ = ("_pattern", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._pattern: re.Pattern[str] | None = None

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

    def is_value(self, text: str) -> bool:
        """Whether a whole value is this secret, in any form."""
        return bool(self._value) and self.forms.fullmatch(text) is not None

    def found_in(self, text: str) -> bool:
        """Whether `text` holds this secret in any form."""
        return bool(self._value) and self.forms.search(text) is not None

    def replace(self, text: str, placeholder: str) -> str:
        """`text` with every form of this secret replaced by `placeholder`."""
        return self.forms.sub(placeholder, text) if self._value else text

    def mask(self, text: str) -> str:
        """`text` fit to show: every form of this secret as `***`."""
        return self.replace(text, "***")

    def leaks_bytes(self, raw: bytes) -> bool:
        """Whether raw bytes of any charset hold this secret: as text of an ASCII-compatible
        charset (UTF-8, Latin-1 and the like) in any form, or verbatim in UTF-16 or UTF-32."""
        if not self._value:
            return False
        if self.found_in(raw.decode("latin-1")) or self.found_in(raw.decode("utf-8", "ignore")):
            return True
        return any(self._value.encode(codec) in raw for codec in _WIDE_CODECS)


def mask(text: str, secret: Secret | None) -> str:
    """`text` with every form of `secret` replaced by `***`."""
    return secret.mask(text) if secret else text
