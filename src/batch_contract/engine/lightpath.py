"""The light path: clears a document that is surely valid and raises no rule finding, with the
standard library alone.

A run over one file would spend most of its time loading its engines: importing orjson and
jsonschema-rs costs more than reading and checking a small document. This path lets such a
run, a short NDJSON stream, and any run whose first documents are clean, skip that: it reads the
document with the standard `json` module (`jsondoc.parse_light`), lists its schema violations with
the lister written from the bundled schema (it must find none) and runs the quick rule test
(`quick.clean`). It answers True only when sure, and False whenever in doubt; the caller then
takes the full path, which decides exactly, so this path can only make a run faster, never change
a verdict or a message.

Sure means all of these hold:

1. `jsondoc.parse_light` reads the bytes as the value orjson reads, and the full path accepts
   them as one well-formed document;
2. the schema's lister (`codegen.lister`, with `datetimes`' date-time decision and no engine)
   finds no violation; a schema with a keyword no code is written for gets no light path;
3. the quick rule test finds nothing.

tests/engine/test_lightpath.py holds it to the full path over every example document and the
generated corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from batch_contract.core.check import Lister
from batch_contract.core.datetimes import is_rfc3339_datetime
from batch_contract.core.jsondoc import parse_light
from batch_contract.core.schemas import Part, Profile
from batch_contract.engine import codegen, quick


class LightPath:
    """Clears documents that are surely valid with no rule finding (see the module docstring)."""

    def __init__(self, lister: Lister, clean: Callable[[Any], bool]) -> None:
        self._lister = lister
        self._clean = clean

    def clears(self, raw: bytes) -> bool:
        """Whether the document in `raw` is surely valid with no rule finding at any level (False:
        take the full path)."""
        value = parse_light(raw)
        return value is not None and not self._lister(value) and self._clean(value)


def build(profile: Profile, part: Part) -> LightPath | None:
    """The light path for a profile and part, or None when the schema uses what no code is
    written for or the document rules changed (`quick.covers`)."""
    if not quick.covers():
        return None
    lister = codegen.lister(profile, part, is_rfc3339_datetime)
    if lister is None:
        return None
    return LightPath(lister, quick.job_clean if part == "job" else quick.document_clean)
