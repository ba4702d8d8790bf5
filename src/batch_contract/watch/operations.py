"""The facts of the endpoint's operation that the watch compares, as one source states them, and
the successor rule for an operation that is gone.

An `Operation` is plain data: method, path, the SDK call (for the SDK), parameters, status codes
(None when the source does not list them), deprecation, and the 200 response as a `shapes.Node`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from batch_contract import ENDPOINT_PATH
from batch_contract.errors import InputError
from batch_contract.watch.shapes import Node, Normaliser

METHOD = "GET"
OPERATION = f"{METHOD} {ENDPOINT_PATH}"
"""How findings name the endpoint's operation."""
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"api", "v1", "v2", "v3", "beta", "alpha", "processing"})


@dataclass
class Operation:
    """One operation as a source describes it."""

    method: str
    path: str
    response: Node | None = None
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: list[str] | None = None
    deprecated: bool = False
    sunset: str | None = None
    call: str | None = None
    tags: tuple[str, ...] = ()
    raw: Any = None
    """The 200 schema not yet normalised (operations other than the endpoint's)."""

    @property
    def name(self) -> str:
        """`GET /path`, with the SDK call when there is one."""
        text = f"{self.method} {self.path}"
        return f"{text} ({self.call})" if self.call else text


@dataclass
class Facts:
    """What one source says: the endpoint's operation (None when it is gone) and every other
    operation it lists (for the successor rule)."""

    source: str
    label: str
    operation: Operation | None
    others: list[Operation] = field(default_factory=list)
    version: str | None = None
    normaliser: Normaliser | None = None

    def response_of(self, operation: Operation) -> Node | None:
        """An operation's 200 response in normal form; None when it cannot be read (another
        operation's schema is summarised, never a reason to stop)."""
        if operation.response is not None or self.normaliser is None or operation.raw is None:
            return operation.response
        try:
            return self.normaliser.node(operation.raw, "$")
        except InputError:
            return None


def singular(word: str) -> str:
    """A plural English word's singular, enough for resource names (`batches` -> `batch`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(texts: Iterable[str]) -> set[str]:
    """The singular words of paths, tags or SDK calls, without version and API words."""
    found = {singular(w) for text in texts for w in _WORD.findall(text.lower())}
    return found - _STOP


def resource_name(path: str) -> str:
    """The resource an id path names: the first word of the literal segment before the last
    parameter (`/api/v1/beta/batch-processing/{job_id}` -> `batch`)."""
    literal = [s for s in path.strip("/").split("/") if not s.startswith("{")]
    found = _WORD.findall(literal[-1].lower()) if literal else []
    return singular(found[0]) if found else ""


def successor(gone: Operation, candidates: Iterable[Operation]) -> Operation | None:
    """The rule of docs/watch.md: a GET operation on another path whose last segment is an id
    parameter and whose tags, path or SDK call share the resource's name; of several, the one
    whose last literal segment is the resource, then the shortest path."""
    name = resource_name(gone.path)
    found = []
    for candidate in candidates:
        last = candidate.path.rstrip("/").rsplit("/", 1)[-1]
        if candidate.method != METHOD or candidate.path == gone.path:
            continue
        if not (last.startswith("{") and last.endswith("}")):
            continue
        shared = words([candidate.path, *candidate.tags, candidate.call or ""])
        if name and name in shared:
            found.append((resource_name(candidate.path) != name, len(candidate.path), candidate))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1], item[2].path))
    return found[0][2]


def summary(operation: Operation, response: Node | None) -> dict[str, Any]:
    """What a finding says of a successor: where it is, its status values and its fields (its
    contract is another one: summarised, not checked)."""
    result: dict[str, Any] = {"operation": f"{operation.method} {operation.path}"}
    if operation.call:
        result["call"] = operation.call
    response = response or {}
    properties = response.get("properties", {})
    result["fields"] = sorted(properties)
    status = properties.get("status") or properties.get("job", {}).get("properties", {}).get(
        "status"
    )
    if status and "enum" in status:
        result["statuses"] = list(status["enum"])
    return result


# --- OpenAPI documents --------------------------------------------------------------------------


def _json_response(responses: Mapping[str, Any], code: str) -> Any:
    response = responses.get(code)
    if not isinstance(response, Mapping):
        return None
    content = response.get("content")
    if not isinstance(content, Mapping):
        return None
    for media, body in content.items():
        if "json" in str(media) and isinstance(body, Mapping) and "schema" in body:
            return body["schema"]
    return None


def _response_object(normaliser: Normaliser, response: Any, path: str) -> Any:
    """A response object, its local `$ref`s (`#/components/responses/...`) followed (a cycle or
    a dangling one is an `InputError`)."""
    seen: list[str] = []
    while isinstance(response, Mapping) and "$ref" in response:
        ref = response["$ref"]
        if ref in seen:
            chain = " -> ".join([*seen, str(ref)])
            raise InputError(f"{normaliser.label}: {METHOD} {path}: 200: $ref cycle: {chain}")
        seen.append(str(ref))
        response = normaliser.resolve(ref, f"{METHOD} {path}: 200")
    return response


def _parameters(
    normaliser: Normaliser, item: Mapping[str, Any], operation: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for listing in (item.get("parameters"), operation.get("parameters")):
        for parameter in listing if isinstance(listing, list) else []:
            if isinstance(parameter, Mapping) and "$ref" in parameter:
                parameter = normaliser.resolve(parameter["$ref"], "parameters")
            if not isinstance(parameter, Mapping) or "name" not in parameter:
                continue
            where = str(parameter.get("in", "query"))
            if where in ("header", "cookie"):
                continue  # the SDK sends its own headers; cookies are the web app's
            found[str(parameter["name"])] = {
                "in": where,
                "required": parameter.get("required") is True,
            }
    return found


def _tags(listed: Any) -> tuple[str, ...]:
    """An operation's tags, read tolerantly: they only name a successor, so tags that are not a
    list of strings (`null`, a number) are no tags, never a reason to stop the watch."""
    if not isinstance(listed, list):
        return ()
    return tuple(tag for tag in listed if isinstance(tag, str))


def _sunset(operation: Mapping[str, Any]) -> str | None:
    for key in ("x-sunset", "x-sunset-date", "x-deprecation-date"):
        if isinstance(operation.get(key), str | int):
            return str(operation[key])
    return None


def _operation(
    normaliser: Normaliser,
    path: str,
    item: Mapping[str, Any],
    operation: Mapping[str, Any],
    with_response: bool,
) -> Operation:
    listed = operation.get("responses")
    # YAML reads an unquoted `200:` as a number
    responses = (
        {str(code): value for code, value in listed.items()} if isinstance(listed, Mapping) else {}
    )
    found = Operation(
        METHOD,
        path,
        parameters=_parameters(normaliser, item, operation),
        statuses=sorted(str(code) for code in responses),
        deprecated=operation.get("deprecated") is True,
        sunset=_sunset(operation),
        tags=_tags(operation.get("tags")),
    )
    if "200" in responses:
        try:
            responses["200"] = _response_object(normaliser, responses["200"], path)
        except InputError:
            if with_response:
                raise
            responses["200"] = None  # another operation's response: summarised, never a stop
    schema = _json_response(responses, "200")
    if with_response and "200" in responses:
        if schema is None:
            label = normaliser.label
            raise InputError(f"{label}: {METHOD} {path}: the 200 response has no JSON schema")
        found.response = normaliser.node(schema, "$")
    else:
        found.raw = schema
    return found


def spec_facts(document: Mapping[str, Any], label: str) -> Facts:
    """The facts of an OpenAPI 3.0 or 3.1 document (already checked to be one)."""
    normaliser = Normaliser(document, label)
    paths = document["paths"]
    target: Operation | None = None
    others: list[Operation] = []
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        if "$ref" in item:
            item = normaliser.resolve(item["$ref"], str(path))
            if not isinstance(item, Mapping):
                continue
        operation = item.get("get")
        if not isinstance(operation, Mapping):
            continue
        if path == ENDPOINT_PATH:
            target = _operation(normaliser, str(path), item, operation, with_response=True)
        elif str(path).rstrip("/").endswith("}"):
            others.append(_operation(normaliser, str(path), item, operation, with_response=False))
    return Facts("spec", label, target, others, normaliser=normaliser)
