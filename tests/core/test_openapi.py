"""schemas/openapi.yaml: a valid OpenAPI 3.1 document that schemathesis loads, whose 200 response
is our schema files by `$ref` (never a copy), resolved locally with the network blocked."""

from __future__ import annotations

import datetime
import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from batch_contract.core.check import ContractCheck
from batch_contract.core.jsondoc import parse_document

ROOT = Path(__file__).parents[2]
OPENAPI = ROOT / "schemas" / "openapi.yaml"
EXAMPLES = Path(__file__).parents[1] / "examples"
DOCUMENTED_ID = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
URL = f"http://127.0.0.1/api/v1/beta/batch-processing/{DOCUMENTED_ID}"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve a name or open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        """Stand-in for the socket calls that reach a network."""
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def operation(no_network: None) -> Any:
    """The one operation of the OpenAPI document, loaded by schemathesis (its default config,
    so no project schemathesis.toml or environment variable is involved)."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    schema = schemathesis.openapi.from_path(OPENAPI, config=SchemathesisConfig())
    (result,) = list(schema.get_all_operations())
    return result.ok()


def response(status: int, body: Any) -> httpx.Response:
    """An httpx response of the endpoint with a JSON body, as schemathesis receives one."""
    answer = httpx.Response(status, json=body, request=httpx.Request("GET", URL))
    answer.elapsed = datetime.timedelta(0)
    return answer


def spec() -> dict[str, Any]:
    """The OpenAPI document as data."""
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def test_openapi_spec_validator_passes(no_network: None) -> None:
    """openapi-spec-validator (OpenAPI 3.1 rules) finds nothing wrong, references included."""
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    validate(spec(), base_uri=OPENAPI.as_uri(), cls=OpenAPIV31SpecValidator)


def test_openapi_spec_validator_is_not_blind(no_network: None) -> None:
    """The same check fails on a broken copy (a response without its description)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    broken = spec()
    del broken["paths"]["/api/v1/beta/batch-processing/{job_id}"]["get"]["responses"]["404"][
        "description"
    ]
    with pytest.raises(OpenAPIValidationError):
        validate(broken, base_uri=OPENAPI.as_uri(), cls=OpenAPIV31SpecValidator)


def test_200_refers_to_the_schema_files() -> None:
    """The 200 body is a `$ref` to batch-job-status.schema.json, and the document copies no field
    of it."""
    operation = spec()["paths"]["/api/v1/beta/batch-processing/{job_id}"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "batch-job-status.schema.json"}
    assert (OPENAPI.parent / body["$ref"]).is_file()
    text = OPENAPI.read_text(encoding="utf-8")
    for field in ("total_items", "processed_items", "progress_percentage", "dispatched"):
        assert field not in text, f"openapi.yaml copies {field}: refer to the schema files"


def test_schemathesis_loads_the_operation(operation: Any) -> None:
    """schemathesis sees one GET with the documented responses, parameters and bearer auth."""
    assert (operation.method, operation.path) == ("get", "/api/v1/beta/batch-processing/{job_id}")
    assert set(operation.responses.status_codes) == {"200", "401", "403", "404", "422"}
    parameters = {(p.name, str(p.location.value)) for p in operation.iter_parameters()}
    assert parameters >= {("job_id", "path"), ("organization_id", "query"), ("project_id", "query")}
    assert ("Authorization", "header") in parameters


def test_parameters_are_as_documented() -> None:
    """job_id is a required path string with the documented example id; organization_id and
    project_id are optional UUIDs; the operation needs bearer auth."""
    document = spec()
    operation = document["paths"]["/api/v1/beta/batch-processing/{job_id}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    job_id = parameters.pop("job_id")
    assert (job_id["in"], job_id["required"], job_id["schema"]["type"]) == ("path", True, "string")
    assert DOCUMENTED_ID in [e["value"] for e in job_id["examples"].values()]
    for name in ("organization_id", "project_id"):
        query = parameters.pop(name)
        assert (query["in"], query["required"], query["schema"]["format"]) == (
            "query",
            False,
            "uuid",
        )
    assert not parameters
    assert operation["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
    }


def example_params() -> list[Any]:
    """Every valid, invalid and strict-invalid example, as pytest parameters."""
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.stem}")
        for folder in ("valid", "invalid", "strict-invalid")
        for path in sorted((EXAMPLES / folder).glob("*.json"))
    ]


@pytest.mark.parametrize("path", example_params())
def test_schemathesis_judges_200_bodies_as_we_do(operation: Any, path: Path) -> None:
    """schemathesis's verdict on each example as a 200 body (its engine, formats asserted) is the
    documented profile's: the `$ref` resolved to our files, date-time decisions included."""
    document = parse_document(path.read_bytes())
    ours = not ContractCheck("documented").schema_violations(document)
    assert operation.is_valid_response(response(200, document)) is ours


@pytest.mark.parametrize(
    ("status", "body", "valid"),
    [
        pytest.param(401, {"detail": "Invalid API key"}, True, id="401"),
        pytest.param(403, {"detail": "Forbidden"}, True, id="403"),
        pytest.param(404, {"detail": "Batch job not found"}, True, id="404"),
        pytest.param(404, {"detail": ["not", "a", "string"]}, False, id="404-wrong-detail"),
        pytest.param(404, {}, False, id="404-no-detail"),
        pytest.param(
            422,
            {"detail": [{"loc": ["path", "job_id"], "msg": "field required", "type": "missing"}]},
            True,
            id="422",
        ),
        pytest.param(422, {"detail": [{"loc": ["path"]}]}, False, id="422-incomplete-error"),
    ],
)
def test_error_responses_are_checked(operation: Any, status: int, body: Any, valid: bool) -> None:
    """401, 403 and 404 bodies are `{"detail": string}`; 422 is FastAPI's HTTPValidationError."""
    assert operation.is_valid_response(response(status, body)) is valid


def test_documented_example_is_a_valid_200(operation: Any) -> None:
    """The documentation's example response passes schemathesis's check of a 200."""
    example = json.loads((ROOT / "docs" / "example-response.json").read_text(encoding="utf-8"))
    assert operation.is_valid_response(response(200, example))
