"""Cassettes of the contract suite: what vcrpy (through pytest-recording) writes and how.

Before anything is written the API key, the Authorization header and the configured organization
and project ids become placeholders; volatile headers are dropped; JSON bodies are stored
pretty-printed (only when that loses nothing) under a YAML block scalar, so a changed field is a
one-line diff. Recordings go to a staging folder first and are moved into `cassettes/` atomically,
only after the test passed (`commit`), so a failing re-record never replaces a good cassette.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import yaml

from batch_contract.pytest_plugin.client import WRONG_KEY
from batch_contract.secret import MIN_EMBEDDED, Secret

KEY_PLACEHOLDER = "<LLAMA_CLOUD_API_KEY>"
ORGANIZATION_PLACEHOLDER = "<ORGANIZATION_ID>"
PROJECT_PLACEHOLDER = "<PROJECT_ID>"
REDACTED = "<REDACTED>"
PLACEHOLDERS = frozenset({KEY_PLACEHOLDER, ORGANIZATION_PLACEHOLDER, PROJECT_PLACEHOLDER})
MIN_SUBSTRING_SECRET = MIN_EMBEDDED
"""Shorter secrets are replaced only where they stand alone (no letter or digit on either side):
replacing `k` inside every word would mangle the cassette (`Secret`'s policy)."""
REQUEST_HEADERS = frozenset({"accept", "authorization", "content-type", "cookie"})
RESPONSE_HEADERS = frozenset(
    {"allow", "content-type", "location", "retry-after", "retry-after-ms", "www-authenticate"}
    | {"x-should-retry"}
)
"""Headers kept in cassettes; dates, servers, request ids, timings and lengths are dropped."""
REFERENCE_BASE_URL = "http://reference.invalid"
"""What the reference server's `http://127.0.0.1:<port>` becomes: its port changes every run."""
MATCH_ON = ("method", "path", "query_without_ids")
"""Replayed requests match on method, path and query (the id parameters left out)."""
ID_PARAMETERS = frozenset({"organization_id", "project_id"})


REFUSED = "batch_contract_refused"
"""Set on a recorded response whose body cannot be decoded: its cassette is refused."""
IDENTITY = frozenset({"", "identity"})


class CassetteRefused(RuntimeError):
    """A cassette about to be written cannot be made safe: nothing is written, the previous
    cassette stays."""


class LeakedSecret(CassetteRefused):
    """A cassette about to be written still holds the API key: nothing is written."""


class UndecodableBody(CassetteRefused):
    """A recorded body is compressed in a way the client could not decode: it cannot be scrubbed."""


def decoded_body(headers: Any, raw: bytes) -> bytes:
    """A response body as the client (httpx) reads it: every `Content-Encoding` httpx decodes
    (gzip, deflate, br and zstd when installed; any letter case; stacked as `gzip, gzip`) undone.
    Raises `ValueError` for a coding the client leaves as it is, or a body it cannot decode."""
    codings = [
        str(value)
        for name, values in (headers or {}).items()
        if str(name).lower() == "content-encoding"
        for value in (values if isinstance(values, list) else [values])
    ]
    wanted = [c.strip() for value in codings for c in value.split(",")]
    if all(coding.lower() in IDENTITY for coding in wanted):
        return raw
    import httpx

    shown = ", ".join(codings)
    try:
        decoded = httpx.Response(
            200, headers=[("content-encoding", c) for c in codings], content=raw
        ).content
    except httpx.DecodingError as error:
        raise ValueError(f"Content-Encoding: {shown}: {error}") from None
    if decoded == raw and raw:
        raise ValueError(f"Content-Encoding: {shown} is not one the client decodes")
    return decoded


@dataclass(frozen=True)
class Secrets:
    """The values that never reach a cassette, each with its placeholder: the API key (a
    `Secret`) and the configured organization and project ids, found in every form a server may
    echo them in (`Secret.forms`)."""

    api_key: Secret | None = None
    organization_id: str | None = None
    project_id: str | None = None

    def pairs(self) -> tuple[tuple[Secret, str], ...]:
        """(value, placeholder) for each configured value, longest value first."""
        found = [
            (value, placeholder)
            for value, placeholder in (
                (self.api_key, KEY_PLACEHOLDER),
                (Secret(self.organization_id or ""), ORGANIZATION_PLACEHOLDER),
                (Secret(self.project_id or ""), PROJECT_PLACEHOLDER),
            )
            if value
        ]
        return tuple(sorted(found, key=lambda pair: -len(pair[0])))

    def value(self, text: str) -> str:
        """A whole value: its placeholder if it is a secret, else its text with long secrets
        replaced inside it."""
        for secret, placeholder in self.pairs():
            if secret.is_value(text):
                return placeholder
        return self.text(text)

    def text(self, text: str) -> str:
        """Free text with every secret replaced, in every form (a short one where it stands
        alone)."""
        for secret, placeholder in self.pairs():
            text = secret.replace(text, placeholder)
        return text

    def json(self, value: Any) -> Any:
        """A JSON value with every secret string (or key) replaced, recursively."""
        if isinstance(value, str):
            return self.value(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {self.value(key): self.json(item) for key, item in value.items()}
        return value

    def leaks(self, value: str | bytes) -> bool:
        """Whether text, or bytes of any charset, still hold the API key in any form (a short
        key where it stands alone)."""
        key = self.api_key
        if not key:
            return False
        if isinstance(value, str):
            value = value.encode("utf-8", "backslashreplace")
        return key.leaks_bytes(value)


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='<>')}" for k, v in pairs)


def _authorization(value: str, secrets: Secrets) -> str:
    """The Authorization header as stored: the placeholder for the key, never a credential."""
    scheme, _, credentials = value.partition(" ")
    if credentials == WRONG_KEY:
        return value
    if secrets.api_key and secrets.api_key.is_value(credentials):
        return f"{scheme} {KEY_PLACEHOLDER}"
    return REDACTED


def _cookie(value: str, secrets: Secrets) -> str:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(value)
    except CookieError:  # an unparsable cookie header is redacted whole
        return REDACTED
    return "; ".join(f"{name}={secrets.value(morsel.value)}" for name, morsel in cookie.items())


@dataclass(frozen=True)
class Scrubber:
    """vcrpy's `before_record_request` and `before_record_response` for one target."""

    secrets: Secrets
    base_url: str | None = None
    """The target's base URL, replaced in request URIs by `stored_base_url`."""
    stored_base_url: str | None = None

    def request(self, request: Any) -> Any:
        """A scrubbed copy of a vcrpy request: stable base URL, secrets as placeholders."""
        data = request._to_dict()
        uri = str(data["uri"])
        if self.base_url and self.stored_base_url and uri.startswith(self.base_url):
            uri = self.stored_base_url + uri[len(self.base_url) :]
        parts = urlsplit(uri)
        query = [(k, self.secrets.value(v)) for k, v in parse_qsl(parts.query, True)]
        base = uri.split("?", 1)[0].split("#", 1)[0]
        data["uri"] = self.secrets.text(base) + ("?" + _query(query) if query else "")
        headers: dict[str, list[str]] = {}
        for name, values in data["headers"].items():
            lower = name.lower()
            if lower not in REQUEST_HEADERS:
                continue
            if lower == "authorization":
                headers[lower] = [_authorization(str(v), self.secrets) for v in values]
            elif lower == "cookie":
                headers[lower] = [_cookie(str(v), self.secrets) for v in values]
            else:
                headers[lower] = [self.secrets.value(str(v)) for v in values]
        data["headers"] = headers
        body = data.get("body")
        if isinstance(body, bytes) and body:
            data["body"] = store_body(body, self.secrets)
        elif isinstance(body, str) and body:
            data["body"] = store_body(body.encode(), self.secrets).decode()
        return type(request)._from_dict(data)

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """The vcrpy response dict as stored: kept headers only (each scrubbed), the body decoded
        as the client decodes it (so `Content-Encoding` and `Content-Length` are dropped),
        readable and scrubbed. A body that cannot be decoded is stored empty and marked: the
        persister then refuses the cassette."""
        original = response.get("headers") or {}
        headers = {
            name.lower(): [self.secrets.value(str(v)) for v in values]
            for name, values in original.items()
            if name.lower() in RESPONSE_HEADERS
        }
        body = response.get("body") or {}
        raw = body.get("string", b"") if isinstance(body, dict) else b""
        if isinstance(raw, str):
            raw = raw.encode()
        stored = {**response, "headers": headers}
        status = response.get("status")
        if isinstance(status, dict) and isinstance(status.get("message"), str):
            stored["status"] = {**status, "message": self.secrets.text(status["message"])}
        try:
            raw = decoded_body(original, raw)
        except ValueError as error:
            stored[REFUSED] = self.secrets.text(str(error))
            stored["body"] = {"string": b""}
            return stored
        stored["body"] = {"string": store_body(raw, self.secrets, charset_of(original))}
        return stored


def charset_of(headers: Any) -> str | None:
    """The charset a `Content-Type` header names (vcrpy header dict: name -> list of values)."""
    for name, values in (headers or {}).items():
        if str(name).lower() == "content-type":
            for value in values if isinstance(values, list) else [values]:
                for parameter in str(value).split(";")[1:]:
                    key, _, charset = parameter.partition("=")
                    if key.strip().lower() == "charset":
                        return charset.strip().strip('"') or None
    return None


def _codec(charset: str | None) -> str:
    try:
        return codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        return "utf-8"


def store_body(raw: bytes, secrets: Secrets, charset: str | None = None) -> bytes:
    """A body as stored: JSON pretty-printed when the text is its compact form (so nothing such
    as a duplicate key or a number's spelling is lost), secrets replaced; other text scrubbed in
    its own charset (the declared one, else UTF-8, else Latin-1, which reads any bytes)."""
    codec = _codec(charset)
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        codec, text = "latin-1", raw.decode("latin-1")
    if text.count("\0") * 4 >= len(text) > 0:  # UTF-16 or UTF-32 read a byte a character:
        return raw  # a placeholder would garble it; kept as it came, refused if it holds the key
    if codec != "utf-8":
        return secrets.text(text).encode(codec)
    try:
        value = json.loads(text)
        if json.dumps(value, ensure_ascii=False, separators=(",", ":")) != text.strip():
            return secrets.text(text).encode()
        return (json.dumps(secrets.json(value), ensure_ascii=False, indent=2) + "\n").encode()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to pretty-print
        return secrets.text(text).encode()


def _interactions(cassette: Any) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    requests = cassette.get("requests") or [] if isinstance(cassette, dict) else []
    responses = cassette.get("responses") or [] if isinstance(cassette, dict) else []
    found = []
    for number, (vcr_request, response) in enumerate(zip(requests, responses, strict=False), 1):
        request = vcr_request._to_dict() if hasattr(vcr_request, "_to_dict") else vcr_request
        request = request if isinstance(request, dict) else {}
        found.append((number, request, response if isinstance(response, dict) else {}))
    return found


def undecodable_in(cassette: Any, secrets: Secrets) -> str | None:
    """Which interaction of a cassette about to be written has a body that cannot be decoded,
    such as `interaction 1: the response body of GET /path cannot be decoded (...)`, or None."""
    for number, request, response in _interactions(cassette):
        if REFUSED in response:
            path = urlsplit(str(request.get("uri", ""))).path
            what = f"{request.get('method', '?')} {secrets.text(path)}"
            return (
                f"interaction {number}: the response body of {what} cannot be decoded "
                f"({response[REFUSED]})"
            )
    return None


def leak_in(cassette: Any, secrets: Secrets) -> str | None:
    """Where a cassette about to be written (vcrpy's `requests` and `responses`) still holds the
    API key, such as `interaction 2: response body of GET /path`, or None. Bodies are looked at
    as bytes of any charset."""
    for number, request, response in _interactions(cassette):
        path = urlsplit(str(request.get("uri", ""))).path
        what = f"{request.get('method', '?')} {secrets.text(path)}"
        body = response.get("body")
        parts = {
            "request URI": request.get("uri"),
            "request headers": request.get("headers"),
            "request body": request.get("body"),
            "response status": response.get("status"),
            "response headers": response.get("headers"),
            "response body": body.get("string") if isinstance(body, dict) else body,
        }
        for part, value in parts.items():
            if _holds(value, secrets):
                return f"interaction {number}: {part} of {what}"
    return None


def _holds(value: Any, secrets: Secrets) -> bool:
    if isinstance(value, str | bytes):
        return secrets.leaks(value)
    if isinstance(value, dict):
        return any(_holds(k, secrets) or _holds(v, secrets) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds(item, secrets) for item in value)
    return False


def query_without_ids(r1: Any, r2: Any) -> None:
    """vcrpy matcher: equal query strings once the configured id parameters are left out (they
    are placeholders in cassettes and absent when replaying)."""

    def kept(request: Any) -> list[tuple[str, str]]:
        return sorted(
            (k, v) for k, v in request.query if k not in ID_PARAMETERS or v not in PLACEHOLDERS
        )

    if kept(r1) != kept(r2):
        raise AssertionError(f"{kept(r1)} != {kept(r2)}")


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line strings, so a stored JSON body reads as JSON; no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never write `&id001` anchors: each interaction reads on its own."""
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


class Serializer:
    """vcrpy serializer "yaml": vcrpy's safe loader, a dumper with readable block scalars."""

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        """A cassette from YAML text (vcrpy's safe loader)."""
        from vcr.serializers import yamlserializer

        return yamlserializer.deserialize(cassette_string)

    @staticmethod
    def serialize(cassette_dict: Any) -> str:
        """YAML text with sorted keys, no line folding and block scalars for bodies."""
        return yaml.dump(
            cassette_dict, Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=1 << 16
        )


@dataclass
class StagingPersister:
    """vcrpy persister: reads cassettes from `final` (unless re-recording from scratch), writes
    them under `stage` only; `commit` moves a staged cassette into place."""

    stage: Path
    final: Path
    rewrite: bool
    secrets: Secrets
    refused: dict[Path, CassetteRefused] = field(default_factory=dict)
    """The cassettes refused, by final path: vcrpy saves inside its cassette's `__exit__`,
    before it undoes its patches of the HTTP clients, so a refusal raised there would leave them
    patched for the rest of the process. It is kept here, and raised by the suite's teardown
    (`CassetteRun.finish`) once the cassette has closed."""

    def final_path(self, path: str | os.PathLike[str]) -> Path:
        """Where a staged cassette belongs."""
        return self.final / Path(path).relative_to(self.stage)

    def load_cassette(self, cassette_path: str, serializer: Any) -> Any:
        """The existing cassette (`rewrite` starts from nothing, as pytest-recording does)."""
        from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister

        if self.rewrite:
            raise CassetteNotFoundError()
        return FilesystemPersister.load_cassette(self.final_path(cassette_path), serializer)

    def save_cassette(self, cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        """Writes the staged cassette, refusing (see `refused`) one with a body that cannot be
        decoded or one that still holds the API key."""
        from vcr.serialize import serialize

        final = self.final_path(cassette_path)
        unreadable = undecodable_in(cassette_dict, self.secrets)
        if unreadable is not None:
            self.refused[final] = UndecodableBody(f"not written: {final}: {unreadable}")
            return
        where = leak_in(cassette_dict, self.secrets)
        text = serialize(cassette_dict, serializer)
        if where is None and self.secrets.leaks(text):
            where = "its text"
        if where is not None:
            self.refused[final] = LeakedSecret(
                f"not written: {final} would hold the API key ({where})"
            )
            return
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(staged: Path, final: Path) -> bool:
    """Moves a staged cassette into place atomically (temp file next to it, then rename);
    False when nothing was staged."""
    if not staged.is_file():
        return False
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.tmp")
    temporary.write_bytes(staged.read_bytes())
    os.replace(temporary, final)
    staged.unlink()
    return True


def vcr_options(scrubber: Scrubber) -> dict[str, Any]:
    """The `vcr_config` of the contract suite."""
    hooks: dict[str, Callable[..., Any]] = {
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
    }
    return {
        **hooks,
        "match_on": MATCH_ON,
        "decode_compressed_response": False,  # the scrubber decodes, as httpx does
        "record_on_exception": False,
        # each recorded answer is played once, in order: a retried 503 then its 200
        "allow_playback_repeats": False,
    }


def configure_vcr(vcr: Any, persister: StagingPersister | None) -> None:
    """Registers the serializer, the matcher and (when recording) the staging persister."""
    vcr.register_serializer("yaml", Serializer)
    vcr.register_matcher("query_without_ids", query_without_ids)
    if persister is not None:
        vcr.register_persister(persister)
