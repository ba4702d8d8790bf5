"""What reaches a cassette: the key, the Authorization header and the configured ids become
placeholders wherever they are (headers, query, body, cookies), a short key only where a whole
value equals it, volatile headers are dropped, and JSON bodies are pretty only when lossless."""

import json
from pathlib import Path

import pytest
from vcr.request import Request

from batch_contract.pytest_plugin.client import WRONG_KEY
from batch_contract.pytest_plugin.recording import (
    KEY_PLACEHOLDER,
    ORGANIZATION_PLACEHOLDER,
    REDACTED,
    LeakedSecret,
    Scrubber,
    Secrets,
    Serializer,
    StagingPersister,
    query_without_ids,
    store_body,
)
from batch_contract.secret import Secret

KEY = "canary-key-7f3a9c1e5b"
ORG = "0b1f3c5e-0000-4000-8000-000000000001"
SECRETS = Secrets(Secret(KEY), ORG, None)
SCRUB = Scrubber(SECRETS, "http://127.0.0.1:5555", "http://reference.invalid")


def request(uri: str, **headers: str) -> Request:
    """A vcrpy GET request with these headers."""
    return Request("GET", uri, b"", headers)


def test_request_key_and_ids_become_placeholders() -> None:
    """Authorization, a key in another header, in the query, in a cookie; the org id; the host."""
    scrubbed = SCRUB.request(
        request(
            f"http://127.0.0.1:5555/api/v1/beta/batch-processing/bjb-1?organization_id={ORG}"
            f"&token={KEY}",
            Authorization=f"Bearer {KEY}",
            Accept="application/json",
            Cookie=f"session={KEY}; theme=dark",
            **{"User-Agent": "python-httpx/0.28.1", "X-Api-Key": KEY},
        )
    )
    assert scrubbed.uri == (
        "http://reference.invalid/api/v1/beta/batch-processing/bjb-1"
        f"?organization_id={ORGANIZATION_PLACEHOLDER}&token={KEY_PLACEHOLDER}"
    )
    assert dict(scrubbed.headers) == {
        "authorization": f"Bearer {KEY_PLACEHOLDER}",
        "accept": "application/json",
        "cookie": f"session={KEY_PLACEHOLDER}; theme=dark",
    }


def test_wrong_key_stays_and_other_credentials_are_redacted() -> None:
    """The deliberately wrong key is no secret; any other credential is redacted whole."""
    wrong = SCRUB.request(request("http://x/p", Authorization=f"Bearer {WRONG_KEY}"))
    other = SCRUB.request(request("http://x/p", Authorization="Bearer someone-elses-key"))
    assert wrong.headers["authorization"] == f"Bearer {WRONG_KEY}"
    assert other.headers["authorization"] == REDACTED


def test_response_body_and_headers_are_scrubbed_and_volatile_headers_dropped() -> None:
    """A key echoed in the body or a header is replaced; date, server, ids, timing dropped."""
    body = json.dumps({"detail": f"bad key {KEY}", "input": ORG}, separators=(",", ":"))
    response = {
        "status": {"code": 401, "message": "Unauthorized"},
        "headers": {
            "date": ["Sat, 28 Nov 2026 10:53:30 GMT"],
            "server": ["uvicorn"],
            "x-request-id": ["r-1"],
            "server-timing": ["app;dur=3"],
            "content-length": ["60"],
            "content-type": ["application/json"],
            "www-authenticate": [f"Bearer realm={KEY}"],
        },
        "body": {"string": body.encode()},
    }
    stored = SCRUB.response(response)
    assert stored["headers"] == {
        "content-type": ["application/json"],
        "www-authenticate": [f"Bearer realm={KEY_PLACEHOLDER}"],
    }
    assert json.loads(stored["body"]["string"]) == {
        "detail": f"bad key {KEY_PLACEHOLDER}",
        "input": ORGANIZATION_PLACEHOLDER,
    }


def test_short_key_is_replaced_only_as_a_whole_value() -> None:
    """A one-letter key never mangles other text, yet a value equal to it is replaced."""
    secrets = Secrets(Secret("k"))
    body = b'{"key":"k","detail":"keep kind words"}'
    assert json.loads(store_body(body, secrets)) == {
        "key": KEY_PLACEHOLDER,
        "detail": "keep kind words",
    }
    assert (
        Scrubber(secrets).request(request("http://x/p?k=k")).uri
        == f"http://x/p?k={KEY_PLACEHOLDER}"
    )


def test_json_is_pretty_only_when_nothing_is_lost() -> None:
    """Compact JSON is stored indented; a duplicate key or odd spacing is stored verbatim."""
    assert store_body(b'{"a":1,"b":[true,null]}', Secrets()) == (
        b'{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n'
    )
    for raw in (b'{"a":1,"a":2}', b'{"a": 1}', b"Internal Server Error", b"\xff\xfe"):
        assert store_body(raw, Secrets()) == raw


def test_serializer_writes_bodies_as_block_scalars() -> None:
    """A multi-line body is a YAML `|` block, and loads back to the same text."""
    data = {"interactions": [{"response": {"body": {"string": '{\n  "a": 1\n}\n'}}}]}
    text = Serializer.serialize(data)
    assert "string: |\n" in text
    assert Serializer.deserialize(text) == data


@pytest.mark.parametrize(
    ("stored", "asked", "matches"),
    [
        (f"/p?organization_id={ORGANIZATION_PLACEHOLDER}", "/p", True),
        ("/p?organization_id=not-a-uuid", "/p?organization_id=not-a-uuid", True),
        ("/p?organization_id=not-a-uuid", "/p", False),
        ("/p?page=2", "/p?page=3", False),
    ],
)
def test_query_matcher_ignores_only_placeholder_ids(stored: str, asked: str, matches: bool) -> None:
    """Replay ignores the configured ids (placeholders) but no other query parameter."""
    try:
        query_without_ids(request("http://x" + stored), request("http://x" + asked))
    except AssertionError:
        assert not matches
    else:
        assert matches


def test_persister_refuses_to_write_a_leaked_key(tmp_path: Path) -> None:
    """Should a key slip past the hooks, the staging persister writes nothing and keeps the
    refusal for the suite's teardown to raise (vcrpy saves before it unpatches the clients)."""
    persister = StagingPersister(tmp_path / "stage", tmp_path / "final", True, SECRETS)
    leaked = {"requests": [request(f"http://x/p?t={KEY}")], "responses": [{"status": {}}]}
    persister.save_cassette(str(tmp_path / "stage" / "a.yaml"), leaked, Serializer)
    assert isinstance(persister.refused[tmp_path / "final" / "a.yaml"], LeakedSecret)
    assert not (tmp_path / "stage" / "a.yaml").exists()
