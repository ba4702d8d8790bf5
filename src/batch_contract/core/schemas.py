"""Finds and loads the schema files: a `referencing.Registry` built from local files, no network."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # imported where used: `referencing` costs more start-up than all the rest
    from referencing import Registry

Profile = Literal["documented", "strict"]
Part = Literal["status", "job"]
PROFILES: tuple[Profile, ...] = ("documented", "strict")
PARTS: tuple[Part, ...] = ("status", "job")
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment", "examples"})
"""Keywords that say nothing about validity."""
KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "minimum",
        "maximum",
        "format",
        "properties",
        "required",
        "additionalProperties",
    }
)
"""The keywords the bundled schemas use, which the light path's predicate (`lightpath`) is derived
from; a schema with any other keyword gets none."""

_FILES: dict[tuple[Profile, Part], str] = {
    ("documented", "status"): "batch-job-status.schema.json",
    ("documented", "job"): "batch-job.schema.json",
    ("strict", "status"): "batch-job-status.strict.schema.json",
    ("strict", "job"): "batch-job.strict.schema.json",
}


def schema_dir() -> Path:
    """The folder holding the schema files: packaged in a wheel, or the source tree's schemas/."""
    packaged = Path(__file__).resolve().parents[1] / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "schemas"


def schema_file(profile: Profile = "documented", part: Part = "status") -> Path:
    """The path of the schema for one profile and part."""
    return schema_dir() / _FILES[(profile, part)]


@functools.cache
def _load_all() -> dict[str, dict[str, Any]]:
    """Every JSON Schema file of the folder, keyed by file name."""
    schemas: dict[str, dict[str, Any]] = {}
    for name in sorted(set(_FILES.values())):
        with (schema_dir() / name).open("rb") as handle:
            schemas[name] = json.load(handle)
    return schemas


def load_schema(profile: Profile = "documented", part: Part = "status") -> dict[str, Any]:
    """The root schema for one profile and part (a dict shared by callers: do not mutate)."""
    return _load_all()[_FILES[(profile, part)]]


@functools.cache
def registry() -> Registry[Any]:
    """Every schema file registered under its `$id`; unknown references fail instead of fetching."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in _load_all().values()
    ]
    return Registry().with_resources(resources).crawl()


def bundled_schema(profile: Profile = "documented", part: Part = "status") -> dict[str, Any]:
    """One self-contained schema: the root with every other file under `$defs`, for engines and
    tools (jsonschema-rs, check-jsonschema) that should not resolve references on their own."""
    root = dict(load_schema(profile, part))
    root["$defs"] = {
        name: schema for name, schema in _load_all().items() if name != _FILES[(profile, part)]
    }
    return root
