"""Reads the watch's inputs, bounded: an OpenAPI document from a file or a URL (urllib, with a
timeout, a deadline and a size bound, so the light install can run the watch), a documentation
copy, and the baseline folder."""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from batch_contract.core.documents import cannot_read
from batch_contract.core.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, deeper_than, expands_beyond
from batch_contract.core.reading import read_regular
from batch_contract.errors import InputError, UsageError

MAX_SPEC_BYTES = MAX_DOCUMENT_BYTES
"""The largest OpenAPI document read (the provider's whole API is well under it)."""
MAX_YAML_BYTES = 2 * 1024 * 1024
"""The largest YAML document read: PyYAML holds far more memory for each byte than orjson does,
so YAML gets the smaller bound (docs/watch.md)."""
BASELINE = Path(__file__).resolve().parent / "baseline"
"""The shipped baseline: what the contract's schemas were derived from."""
SPEC_FILE = "provider-openapi.json"
SDK_FILE = "sdk.json"
DOCS_FILE = "get-batch-job-status.md"
_CHUNK = 1 << 16
_CONNECTIONS = (http.client.HTTPConnection, http.client.HTTPSConnection)
"""The standard library's connections, taken when the watch is imported: a recorder that patches
`http.client` later in the process (vcrpy, a cassette left open by a test) neither records nor
replays the spec, and cannot read an endless body past the size bound to record it."""


class _DeadlineReader(io.RawIOBase):
    """A socket's reading side (its own unbuffered `SocketIO`, which keeps the socket open while
    the answer is read) whose every read waits no longer than the time left before the deadline:
    a server dripping the status line or the headers a byte at a time ends there too (the
    socket's own timeout bounds one read, not the whole answer)."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: float) -> None:
        super().__init__()
        self._sock, self._timeout, self._deadline = sock, timeout, deadline
        self._raw = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        """A reader."""
        return True

    def readinto(self, buffer: Any) -> int | None:
        """One read, bounded by the time left."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline has passed")
        self._sock.settimeout(min(self._timeout, left))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        """Close the reading side (the socket closes once nothing else holds it)."""
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose `makefile` (what `http.client` reads the answer from) reads
    through a `_DeadlineReader`; everything else is the socket's."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: float) -> None:
        self._sock, self._timeout, self._deadline = sock, timeout, deadline

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> io.BufferedReader:
        """A buffered reader bounded by the deadline (http.client only ever asks for "rb")."""
        return io.BufferedReader(_DeadlineReader(self._sock, self._timeout, self._deadline))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _bounded_connection(base: type[http.client.HTTPConnection], deadline: float) -> Any:
    """A connection class of `base` whose socket reads meet `deadline`."""

    class Connection(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            given: Any = self.timeout  # type: ignore[has-type]
            timeout = float(given if isinstance(given, float | int) else 30.0)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the deadline has passed")
            self.timeout = min(timeout, left)  # the TCP connect, and a TLS handshake in all
            super().connect()
            connected: socket.socket = self.sock  # type: ignore[has-type]
            self.sock = _DeadlineSocket(connected, timeout, deadline)

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    """urllib's http:// handler on the connection class taken at import, its reads bounded by
    one deadline for the whole answer (redirects included)."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_bounded_connection(_CONNECTIONS[0], self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's https:// handler on the connection class taken at import, bounded as
    `_HTTPHandler` is."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = _bounded_connection(_CONNECTIONS[1], self.deadline)
        return self.do_open(connection, req, context=getattr(self, "_context", None))


def is_url(text: str) -> bool:
    """Whether `--spec` names a URL rather than a file (by its scheme alone: a URL that is
    malformed past it is `fetch`'s one-line error)."""
    scheme, colon, _ = text.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https")


def read_file(path: Path, label: str) -> bytes:
    """A regular file's bytes, refused before reading when it is over the size bound."""
    try:
        raw, size = read_regular(path)
    except OSError as error:
        raise InputError(cannot_read(label, error)) from None
    if max(size, len(raw)) > MAX_SPEC_BYTES:
        raise InputError(
            f"{label}: too large: {max(size, len(raw))} bytes (limit {MAX_SPEC_BYTES})"
        )
    return raw


def fetch(url: str, timeout: float) -> bytes:
    """The body of a GET of `url`: at most `MAX_SPEC_BYTES`, within `timeout` seconds for each
    read and for the whole answer (connection, status line, headers and body)."""
    import urllib.error

    deadline = time.monotonic() + timeout
    try:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"}
        )
        opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > MAX_SPEC_BYTES:
                raise InputError(
                    f"{url}: too large: {length} bytes announced (limit {MAX_SPEC_BYTES})"
                )
            parts, total = [], 0
            while True:
                try:  # one read: a trickle still meets the deadline
                    chunk = response.read1(_CHUNK)
                except TimeoutError:
                    raise InputError(
                        f"{url}: the body did not arrive within {timeout:g} s"
                    ) from None
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
                if total > MAX_SPEC_BYTES:
                    raise InputError(f"{url}: too large: more than {MAX_SPEC_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise InputError(f"{url}: the body did not arrive within {timeout:g} s")
            if response.length:  # the connection closed before the announced length
                raise InputError(
                    f"{url}: the body ended after {total} of the {total + response.length} "
                    "bytes announced (Content-Length)"
                )
            return b"".join(parts)
    except urllib.error.HTTPError as error:
        raise InputError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise InputError(f"{url}: no answer within {timeout:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise InputError(f"{url}: cannot fetch: {text}") from None
    except TimeoutError:
        raise InputError(f"{url}: no answer within {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        # a reset connection, a malformed URL (`InvalidURL`) or answer, a chunk cut short
        raise InputError(f"{url}: cannot fetch: {error or type(error).__name__}") from None


def _no_credentials(url: str) -> None:
    """Refuses a URL that holds a user or password (`https://user:pw@host/...`), shown without
    them: urllib would not send them (it looked `user:pw@host` up as a host name), and an error
    line would print the password. Any `@` counts, wherever it falls: a password holding an
    unencoded `/`, `?` or `#` moves it out of where a parser looks for one."""
    scheme, _, rest = url.partition(":")
    if "@" not in rest:
        return
    shown = f"{scheme}://***@{rest.rpartition('@')[2]}"
    raise InputError(
        f"{shown}: a user or password in the URL is not sent: serve the spec without one, or "
        "save it and pass the file"
    )


def parse_structured(raw: bytes, label: str) -> Any:
    """A JSON or YAML document's value, with the toolkit's depth and alias bounds."""
    import orjson

    if raw.startswith(b"\x1f\x8b"):
        raise InputError(f"{label}: gzip-compressed, not JSON or YAML text")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if len(raw) > MAX_YAML_BYTES:
            raise InputError(
                f"{label}: not JSON, and too large to read as YAML: {len(raw)} bytes (limit "
                f"{MAX_YAML_BYTES} for YAML, {MAX_SPEC_BYTES} for JSON)"
            ) from None
        value = _yaml(raw, label)
    if isinstance(value, dict | list) and deeper_than(value, MAX_DEPTH):
        raise InputError(f"{label}: nested deeper than {MAX_DEPTH} levels")
    return value


def _yaml(raw: bytes, label: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:  # PyYAML would also read UTF-16 and UTF-32 (by their BOM): the watch reads UTF-8 only
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not JSON or YAML (not UTF-8 text)") from None
    try:
        value = yaml.load(raw, Loader=loader)
    except yaml.YAMLError as error:
        if isinstance(error, yaml.reader.ReaderError) and b"\x00" not in raw:
            raise InputError(f"{label}: not JSON or YAML (not UTF-8 text)") from None
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{label}: not JSON or YAML ({type(error).__name__}{where})") from None
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        raise InputError(f"{label}: not JSON or YAML ({type(error).__name__})") from None
    if b"&" in raw and expands_beyond(value, len(raw)):
        raise InputError(f"{label}: its YAML aliases expand it beyond its size")
    return value


def openapi_document(value: Any, label: str) -> Mapping[str, Any]:
    """The value, checked to be an OpenAPI 3.0 or 3.1 document with `paths`."""
    if not isinstance(value, Mapping):
        raise InputError(f"{label}: not an OpenAPI document (a {type(value).__name__})")
    version = value.get("openapi")
    if not isinstance(version, str):
        found = f"swagger {value['swagger']}" if "swagger" in value else "no 'openapi' version"
        raise InputError(f"{label}: not an OpenAPI 3.0 or 3.1 document ({found})")
    if not version.startswith(("3.0", "3.1")):
        raise InputError(f"{label}: OpenAPI {version} is not read (3.0 and 3.1 are)")
    if not isinstance(value.get("paths"), Mapping):
        raise InputError(f"{label}: no 'paths' object")
    return value


def load_spec(where: str, timeout: float) -> Mapping[str, Any]:
    """The OpenAPI document named by `--spec` (a file or an http(s) URL)."""
    if is_url(where.strip()) or "://" in where:
        _no_credentials(where.strip())
    raw = fetch(where, timeout) if is_url(where) else read_file(Path(where), where)
    return openapi_document(parse_structured(raw, where), where)


def read_text(path: Path, label: str) -> str:
    """A text file (UTF-8), bounded."""
    raw = read_file(path, label)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{label}: not UTF-8 text (byte {error.start})") from None


def baseline_file(folder: Path | None, name: str) -> Path:
    """A file of the baseline folder (the shipped one by default)."""
    base = BASELINE if folder is None else folder
    if folder is not None and not folder.is_dir():
        raise UsageError(f"--baseline {folder}: not a folder")
    path = base / name
    if not path.is_file():
        raise UsageError(f"{path}: the baseline has no {name}")
    return path
