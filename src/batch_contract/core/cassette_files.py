"""Reads vcrpy cassettes (YAML or JSON) into documents: one for every successful GET of the
endpoint, under any base URL. Bounded like every other input: a regular file of at most
`MAX_DOCUMENT_BYTES`, YAML aliases expanding it no further than its own size, compressed bodies
decompressed no further than the document limit; a cassette that is not what vcrpy writes is one
problem per interaction, never a traceback."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from batch_contract.core.limits import MAX_DOCUMENT_BYTES, expands_beyond
from batch_contract.core.output import printable
from batch_contract.core.reading import Document, read_regular, too_large

ENDPOINT = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/?#]*)?(?:/[^?#]*)?/api/v1/beta/batch-processing/[^/?#]+/?(?:[?#].*)?$"
)
"""The URI of a status request, under a base URL with or without a path prefix."""
CASSETTE_KEYS = frozenset({"interactions", "version"})
"""The keys of a vcrpy cassette, YAML or JSON: a document with other keys is no cassette."""


class MalformedInteraction(Exception):
    """An interaction of a cassette that is not what vcrpy writes (the message says how)."""


class BodyTooLarge(MalformedInteraction):
    """A body over the document size limit once decompressed."""


def _mapping(value: Any, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise MalformedInteraction(f"{what}: not a mapping")
    return value


def _inflate(raw: bytes, encoding: str) -> bytes:
    """A gzip or deflate body decompressed, never past `MAX_DOCUMENT_BYTES` of output: the
    decompressor is told how much it may write, so a bomb stops at the limit."""
    limit = MAX_DOCUMENT_BYTES
    out: list[bytes] = []
    size = 0
    data = raw
    while True:
        inflater = zlib.decompressobj(31 if encoding == "gzip" else 15)
        chunk = inflater.decompress(data, limit + 1 - size)
        size += len(chunk)
        out.append(chunk)
        if size > limit:
            raise BodyTooLarge(
                f"document too large once decompressed ({encoding}): over the limit of "
                f"{limit} bytes"
            )
        if not inflater.eof:
            raise MalformedInteraction(f"{encoding} body: incomplete or truncated stream")
        data = inflater.unused_data
        if encoding != "gzip" or not data.strip(b"\0"):  # gzip: members may follow
            return b"".join(out)


def decode_body(response: dict[Any, Any]) -> bytes:
    """The response body of a vcrpy interaction as bytes, decompressed where it was stored so
    (never past `MAX_DOCUMENT_BYTES`); `MalformedInteraction` for one vcrpy would not write."""
    body = response.get("body") or {}
    data = body.get("string", b"") if isinstance(body, dict) else body
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    elif data is None or isinstance(data, bytes):
        raw = data or b""
    else:
        raise MalformedInteraction("response body: not text")
    headers = _mapping(response.get("headers") or {}, "response headers")
    encoding: Any = next(
        (value for key, value in headers.items() if str(key).lower() == "content-encoding"), None
    )
    if isinstance(encoding, list):
        encoding = encoding[0] if encoding else None
    if encoding is not None and not isinstance(encoding, str):
        raise MalformedInteraction("content-encoding: not text")
    if encoding in ("gzip", "deflate"):
        try:
            return _inflate(raw, encoding)
        except zlib.error as error:
            raise MalformedInteraction(f"{encoding} body: {error}") from None
    return raw


def is_cassette(value: Any) -> bool:
    """Whether a loaded YAML/JSON value has the shape of a vcrpy cassette: exactly the keys
    `interactions` and `version`, as vcrpy writes them."""
    return isinstance(value, dict) and value.keys() == CASSETTE_KEYS


def is_cassette_attempt(value: Any) -> bool:
    """Whether a YAML value that is not exactly a cassette was meant as one, so that a folder's
    walk names it rather than passing it over: a mapping with an `interactions` key (a cassette
    that lost its `version: 1`, as a file cut short does), or with a `version` that is a whole
    number (one whose `interactions` key is misspelt). A docker-compose file's `version: "3.8"`
    is text, and a config or OpenAPI file has neither key."""
    if not isinstance(value, dict):
        return False
    return "interactions" in value or type(value.get("version")) is int


NO_INTERACTIONS = "not a vcrpy cassette (no 'interactions' list)"
MISSING = (("interactions", "no 'interactions' list"), ("version", "no 'version' key"))
SHOWN_KEYS = 3
"""Unexpected keys a message names at most."""


def not_a_cassette(value: Any) -> str:
    """The one line for a YAML value that is no cassette: for a cassette attempt, what it lacks
    (`interactions`, `version`) and the keys vcrpy does not write."""
    if not is_cassette_attempt(value):
        return NO_INTERACTIONS
    wrong = [text for key, text in MISSING if key not in value]
    extra = sorted(printable(str(key)) for key in value if key not in CASSETTE_KEYS)
    if extra:
        shown = ", ".join(f"'{key}'" for key in extra[:SHOWN_KEYS])
        more = f" and {len(extra) - SHOWN_KEYS} more" if len(extra) > SHOWN_KEYS else ""
        wrong.append(f"unexpected key{'s' if len(extra) > 1 else ''} {shown}{more}")
    return f"not a vcrpy cassette ({'; '.join(wrong)})"


class Interaction(NamedTuple):
    """One recorded interaction as every reader of cassettes sees it: where it is in its
    cassette, the request's method (upper case) and URI, the response's status code (None when
    it is not a number, which only a request other than a GET of the endpoint may have), and the
    response as recorded (`decode_body` gives its body)."""

    where: str
    method: str
    uri: str
    status: int | None
    response: dict[Any, Any]

    @property
    def is_status_get(self) -> bool:
        """Whether the request is a GET of the endpoint, under any base URL."""
        return self.method == "GET" and ENDPOINT.match(self.uri) is not None

    @property
    def job_id(self) -> str:
        """The last path segment of the URI, as recorded (read as text: a URI whose host is
        malformed, such as `http://[::1/...`, still has its path)."""
        return self.uri.partition("?")[0].partition("#")[0].rstrip("/").rsplit("/", 1)[-1]


def _code(response: dict[Any, Any], required: bool) -> int | None:
    """The status code of a recorded response; `MalformedInteraction` when it is not a number
    and `required`, else None."""
    status = response.get("status")
    if not isinstance(status, dict):
        if required:
            raise MalformedInteraction("response status: not a mapping")
        return None
    code = status.get("code")
    if type(code) is not int and not (type(code) is str and code.strip().isdigit()):
        if required:
            raise MalformedInteraction(f"status code: not a number ({type(code).__name__})")
        return None
    return int(code)


def _text(request: dict[Any, Any], key: str) -> str:
    """The request's method or URI, which vcrpy always writes as text; `MalformedInteraction`
    when it is missing or not text (vcrpy cannot load such a request: it is never skipped as "not
    a GET of the endpoint")."""
    if key not in request:
        raise MalformedInteraction(f"request {key}: missing")
    value = request[key]
    if not isinstance(value, str):
        found = "null" if value is None else type(value).__name__
        raise MalformedInteraction(f"request {key}: not text ({found})")
    return value


def read_interaction(value: Any, where: str) -> Interaction:
    """One interaction of a cassette as vcrpy writes it; `MalformedInteraction` otherwise (a
    GET of the endpoint must also have a numeric status code)."""
    interaction = _mapping(value, "interaction")
    request = _mapping(interaction.get("request"), "request")
    response = _mapping(interaction.get("response"), "response")
    method = _text(request, "method").upper()
    uri = _text(request, "uri")
    required = method == "GET" and ENDPOINT.match(uri) is not None
    return Interaction(where, method, uri, _code(response, required), response)


def _endpoint_body(interaction: Any) -> bytes | None:
    """The body of an interaction that is a successful GET of the endpoint, None for any other;
    `MalformedInteraction` for one that is not what vcrpy writes."""
    item = read_interaction(interaction, "")
    if not item.is_status_get or item.status != 200:
        return None
    return decode_body(item.response)


NOT_A_LIST = "not a vcrpy cassette ('interactions' is not a list)"


class CassetteRead(NamedTuple):
    """A cassette file read as validate-status reads it: its interactions, and one line for
    each problem that validate-status reports of it (a file it cannot load, `interactions` not a
    list, an interaction not as vcrpy writes it, a successful status body that cannot be decoded
    as recorded). `bodies` holds the decoded body of each successful GET of the endpoint, by
    `where` (a body too large once decompressed is a problem of that body alone: in `too_large`)."""

    interactions: list[Interaction]
    problems: list[tuple[str | None, str]]
    """(where, problem): where is None for the file as a whole."""
    bodies: dict[str, bytes]
    too_large: dict[str, str]

    def lines(self, source: str) -> list[str]:
        """The problems as validate-status prints them: `SOURCE[:WHERE]: problem`."""
        return [
            f"{source}: {problem}" if where is None else f"{source}:{where}: {problem}"
            for where, problem in self.problems
        ]


def read_cassette(path: Path, json_attempts: bool = False) -> CassetteRead | None:
    """The cassette in a `.yaml`, `.yml` or `.json` file, read as validate-status reads it; None
    for a file that is not a cassette (another YAML file, a JSON body). A YAML cassette attempt
    not of vcrpy's shape (`is_cassette_attempt`) is one problem of the file; so is a JSON one
    when `json_attempts` (drift, which compares cassettes only: validate-status checks such a
    JSON document as a body). `OSError` when it cannot be read."""
    is_json = path.suffix.lower() == ".json"
    if is_json:
        raw, size = read_regular(path)
        if size > MAX_DOCUMENT_BYTES or len(raw) > MAX_DOCUMENT_BYTES:
            return CassetteRead([], [(None, too_large(max(size, len(raw))))], {}, {})
        import orjson

        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
    else:
        try:
            value = load_yaml(path)
        except UnreadableYaml as error:
            return CassetteRead([], [(None, error.problem)], {}, {})
    if not is_cassette(value):
        if is_cassette_attempt(value) and (json_attempts or not is_json):
            return CassetteRead([], [(None, not_a_cassette(value))], {}, {})
        return None
    if not isinstance(value["interactions"], list):
        return CassetteRead([], [(None, NOT_A_LIST)], {}, {})
    read = CassetteRead([], [], {}, {})
    for index, interaction in enumerate(value["interactions"]):
        where = f"interactions[{index}]"
        try:
            item = read_interaction(interaction, where)
            if item.is_status_get and item.status == 200:
                read.bodies[where] = decode_body(item.response)
        except BodyTooLarge as error:
            read.too_large[where] = str(error)
        except MalformedInteraction as error:
            read.problems.append((where, f"unreadable cassette interaction: {error}"))
            continue
        read.interactions.append(item)
    return read


def cassette_documents(cassette: dict[str, Any], source: str) -> Iterator[Document]:
    """A document for every successful GET of the endpoint recorded in a cassette; one problem
    for each interaction that is not what vcrpy writes."""
    interactions = cassette["interactions"]
    if not isinstance(interactions, list):
        yield Document(source, problem=NOT_A_LIST)
        return
    for index, interaction in enumerate(interactions):
        where = f"interactions[{index}]"
        try:
            raw = _endpoint_body(interaction)
        except BodyTooLarge as error:
            yield Document(source, where, problem=str(error))
            continue
        except MalformedInteraction as error:
            yield Document(source, where, problem=f"unreadable cassette interaction: {error}")
            continue
        if raw is not None:
            yield Document(source, where, raw)


class UnreadableYaml(Exception):
    """A YAML file that cannot be loaded: `problem` is the one line validate-status shows,
    `reason` the short one drift puts in brackets."""

    def __init__(self, problem: str, reason: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.reason = reason


def load_yaml(path: Path) -> Any:
    """The value of a YAML file, read as a regular file of at most `MAX_DOCUMENT_BYTES`, its
    aliases expanding it no further than its own size; `UnreadableYaml` when it cannot be
    loaded (`OSError` when it cannot be read)."""
    import yaml

    raw, size = read_regular(path)
    if size > MAX_DOCUMENT_BYTES or len(raw) > MAX_DOCUMENT_BYTES:
        problem = too_large(max(size, len(raw)))
        raise UnreadableYaml(problem, problem)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(raw, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        reason = type(error).__name__
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}{where}", reason) from None
    except RecursionError:
        reason = "nested too deep"
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason) from None
    except (ValueError, TypeError, OverflowError) as error:  # a scalar no constructor takes
        reason = type(error).__name__
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason) from None
    if b"&" in raw and expands_beyond(value, len(raw)):  # aliases need an anchor (`&`)
        reason = "its aliases expand it beyond its size"
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason)
    return value


def cassette_file(path: Path, source: str, explicit: bool) -> Iterator[Document]:
    """The documents of a YAML cassette file (`explicit` False for a folder's file: a YAML file
    that is no cassette is then skipped)."""
    try:
        value = load_yaml(path)
    except UnreadableYaml as error:
        yield Document(source, problem=error.problem)
        return
    if not is_cassette(value):
        if not explicit and not is_cassette_attempt(value):
            return  # a folder's other YAML files (configs, OpenAPI) are not documents
        yield Document(source, problem=not_a_cassette(value))
        return
    yield from cassette_documents(value, source)
