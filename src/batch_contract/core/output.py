"""Text that is safe to show: what a terminal, a GitHub annotation or a Markdown comment would
interpret in a value, a key or a file name is written escaped, never raw."""

from __future__ import annotations

import re


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with every character that is not printable escaped as `\\uXXXX`: C0 and C1
    controls (ESC among them), format characters such as the bidi override U+202E, line and
    paragraph separators, and all spaces but the plain one. Printable text comes back as is."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


_MARKDOWN = re.compile(r"([\\`\[\]|<>&])")


def markdown_text(text: str) -> str:
    """`text` for a Markdown table cell: printable, every character Markdown could read as
    syntax backslash-escaped (so no link, image, code span or cell border can come of it)."""
    return _MARKDOWN.sub(r"\\\1", printable(text))


def markdown_code(text: str) -> str:
    """`text` as a code span in a Markdown table cell: printable, fenced by more backticks than it
    holds in a row, its pipes escaped (GitHub reads `\\|` in a cell as `|`, code spans too)."""
    text = printable(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
