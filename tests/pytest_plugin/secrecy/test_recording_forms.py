"""Recording never writes the key in any form: a hostile server that echoes it back encoded
(percent-encoding in either case, JSON escapes, base64 of the key, of user:key and of :key), in a
kept response header, a JSON body, a plain-text 404 body or a body that is not UTF-8, gets it
scrubbed or its recording refused with one line that names the interaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from vcr.request import Request

from batch_contract.pytest_plugin.recording import (
    LeakedSecret,
    Scrubber,
    Secrets,
    Serializer,
    StagingPersister,
)
from batch_contract.secret import Secret

from .canary import CANARY, echoed_forms, holds_canary

FORMS = echoed_forms()
SCRUB = Scrubber(Secrets(Secret(CANARY)), "http://127.0.0.1:5555", "http://reference.invalid")
PATH = "/api/v1/beta/batch-processing/bjb-1"


def _json(form: str) -> tuple[dict[str, list[str]], bytes]:
    body = {"job": {"id": "bjb-1", "status": "running"}, "echo": f"key {form}"}
    return {"content-type": ["application/json"]}, json.dumps(body, separators=(",", ":")).encode()


def _json_spaced(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["application/json"]}, b'{"detail": "key ' + form.encode() + b'"}'


def _text_404(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["text/plain"]}, f"no job for key {form}".encode()


def _latin1(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["text/plain"]}, f"clé {form}".encode("latin-1")


def _latin1_declared(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["text/plain; charset=iso-8859-1"]}, f"clé {form}".encode("latin-1")


def _utf16(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["text/plain; charset=utf-16"]}, f"key {form}".encode("utf-16")


def _utf16_undeclared(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"content-type": ["text/plain"]}, f"key {form}".encode("utf-16-le")


def _header(form: str) -> tuple[dict[str, list[str]], bytes]:
    headers = {"content-type": ["text/plain"], "www-authenticate": [f'Bearer error="{form}"']}
    return headers, b"denied"


def _location(form: str) -> tuple[dict[str, list[str]], bytes]:
    return {"location": [f"https://x.invalid/login?key={form}"]}, b""


PLACES = {
    fn.__name__.strip("_"): fn
    for fn in (
        *(_json, _json_spaced, _text_404, _latin1, _latin1_declared),
        *(_utf16, _utf16_undeclared, _header, _location),
    )
}


def record(tmp_path: Path, headers: dict[str, list[str]], body: bytes) -> tuple[Path, str]:
    """One interaction through the scrubber and the staging persister; returns the cassette path
    and the refusal message ('' when it was written)."""
    request = SCRUB.request(
        Request("GET", f"http://127.0.0.1:5555{PATH}", b"", {"Authorization": f"Bearer {CANARY}"})
    )
    response = SCRUB.response(
        {
            "status": {"code": 404, "message": "Not Found"},
            "headers": headers,
            "body": {"string": body},
        }
    )
    persister = StagingPersister(tmp_path / "stage", tmp_path / "final", True, SCRUB.secrets)
    path = tmp_path / "stage" / "status" / "bjb-1.yaml"
    persister.save_cassette(str(path), {"requests": [request], "responses": [response]}, Serializer)
    refusal = persister.refused.get(tmp_path / "final" / "status" / "bjb-1.yaml")
    assert refusal is None or isinstance(refusal, LeakedSecret), refusal
    return path, str(refusal or "")


def _strings(value: object) -> list[str | bytes]:
    if isinstance(value, str | bytes):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.mark.parametrize("place", PLACES.values(), ids=list(PLACES))
@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_an_echoed_key_never_reaches_a_cassette(tmp_path: Path, form: str, place: object) -> None:
    """The key echoed in this form and place is scrubbed, or the cassette is refused naming the
    interaction; no file holds it, decoded or not (`!!binary` bodies included)."""
    headers, body = place(form)  # type: ignore[operator]
    path, refused = record(tmp_path, headers, body)
    if refused:
        assert not path.exists()
        assert refused.startswith("not written: ")
        assert "interaction 1: " in refused
        assert PATH in refused
        assert not holds_canary(refused)
        return
    raw = path.read_bytes()
    assert not holds_canary(raw)
    for value in _strings(yaml.load(raw, Loader=yaml.SafeLoader)):
        assert not holds_canary(value)


def test_a_json_echo_is_scrubbed_not_refused(tmp_path: Path) -> None:
    """A key echoed in a JSON body in any form is replaced by the placeholder, and the cassette
    is written (a refusal is kept for what cannot be scrubbed)."""
    for form in FORMS.values():
        headers, body = _json(form)
        path, refused = record(tmp_path, headers, body)
        assert refused == ""
        assert "<LLAMA_CLOUD_API_KEY>" in path.read_text()
