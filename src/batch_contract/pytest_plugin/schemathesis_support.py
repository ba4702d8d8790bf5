"""schemathesis for the contract: the OpenAPI document aimed at a target, the checks that apply to
the endpoint, and the project's semantic rules as schemathesis custom checks.

The same module is the `hooks` of schemathesis.toml, so `schemathesis run` runs the custom checks
too, and a pytest plugin (options --st-max-examples and --st-seed; the schemathesis tests are
deselected, visibly, when the suite replays cassettes and has no server to generate requests for).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import unsupported_method

from batch_contract import ENDPOINT_PATH
from batch_contract.core import rules
from batch_contract.core.check import NUMBER_RANGE, contract_check
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.schemas import schema_dir
from batch_contract.errors import DocumentError, UsageError
from batch_contract.pytest_plugin.deselection import deselect
from batch_contract.pytest_plugin.options import (
    ST_DEFAULT_MAX_EXAMPLES,
    ST_DEFAULT_SEED,
    ST_MAX_EXAMPLES_ENV,
    ST_SEED_ENV,
    add_schemathesis_options,
)
from batch_contract.secret import Secret

OPENAPI_FILE = schema_dir() / "openapi.yaml"
BUILTIN_CHECKS = (
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "ignored_auth",
)
"""The schemathesis checks that apply to this endpoint (a GET with bearer auth, no body)."""
CUSTOM_CHECKS = (
    "semantic_rules",
    "contract_json",
    "success_reached",
    "unsupported_method_refused",
    "no_server_error",
)
"""The checks this module registers with schemathesis."""
JOB_IDS_ENV = "BATCH_CONTRACT_JOB_IDS"
"""Job ids (comma separated) that `schemathesis run` adds to the examples, as `--live` does."""
MAX_EXAMPLES_ENV = ST_MAX_EXAMPLES_ENV
SEED_ENV = ST_SEED_ENV
DEFAULT_MAX_EXAMPLES = ST_DEFAULT_MAX_EXAMPLES
DEFAULT_SEED = ST_DEFAULT_SEED


class RuleViolation(Failure):
    """A 200 body that honours the schema but breaks an error-level semantic rule."""

    kind_title = "Semantic rule violated"


class JsonViolation(Failure):
    """A 200 body that schemathesis reads as JSON and the contract refuses: a duplicate key, an
    unpaired surrogate, NaN, a number beyond +-(2^53-1) (docs/contract-decisions.md)."""

    kind_title = "Body breaks the contract's JSON"


class NoSuccess(Failure):
    """A run in which no request got a 200: nothing it checked was a job status."""

    kind_title = "No 200 response"


@functools.cache
def _levels() -> Mapping[str, rules.Level]:
    """The rule severities of the nearest pyproject.toml, read once."""
    return rules.load_levels()


def rule_errors(content: bytes) -> list[str]:
    """One line per error-level rule violation of a status body (none when it is not JSON)."""
    try:
        doc = parse_document(content)
    except DocumentError:
        return []
    if not isinstance(doc, dict):
        return []
    found = contract_check("documented", "status", _levels()).errors(doc)
    return [f"{v.path}: {v.message} [{v.keyword}]" for v in found if v.keyword.startswith("rule:")]


def json_errors(content: bytes) -> list[str]:
    """What the one check refuses in a body that schemathesis's own reading of JSON accepts, one
    line each: the parse problem (a duplicate key, an unpaired surrogate, NaN, ...), else each
    number beyond +-(2^53-1). A body Python's json cannot read is schemathesis's own failure
    (ST109), and schema violations are its schema check's (ST108)."""
    try:
        doc = parse_document(content)
    except DocumentError as error:
        try:
            json.loads(content)
        except (ValueError, RecursionError):  # not JSON to schemathesis either
            return []
        return [str(error)]
    found = contract_check("documented", "status", _levels()).errors(doc)
    return [f"{v.path}: {v.message} [{v.keyword}]" for v in found if v.keyword == NUMBER_RANGE]


@schemathesis.check
def contract_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """The contract's JSON (docs/contract-decisions.md) over every 200 body: what Python's json,
    and so schemathesis's schema check, lets through."""
    if response.status_code != 200:
        return None
    errors = json_errors(response.content)
    if errors:
        raise JsonViolation(operation=case.operation.label, message="\n".join(errors))
    return None


@schemathesis.check
def semantic_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """The project's semantic rules (docs/rules.md) over every 200 body; error level fails."""
    if response.status_code != 200:
        return None
    errors = rule_errors(response.content)
    if errors:
        raise RuleViolation(operation=case.operation.label, message="\n".join(errors))
    return None


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT"})
"""Methods every HTTP server recognises: refusing them takes 405. RFC 9110 (15.6.2) lets a server
answer any other method (TRACE, QUERY, ...) with 501 Not Implemented."""


def _not_implemented(response: Any) -> bool:
    """A 501 to a method the server need not recognise: a refusal, not a server error."""
    method = str(getattr(response.request, "method", "")).upper()
    return bool(response.status_code == 501 and method not in KNOWN_METHODS)


@schemathesis.check
def unsupported_method_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `unsupported_method`, except that 501 to a method the server need not
    recognise is a refusal too (a proxy in front of a deployment often answers so)."""
    if _not_implemented(response):
        return None
    result: bool | None = unsupported_method(ctx, response, case)
    return result


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `not_a_server_error`, except for that same 501."""
    if _not_implemented(response):
        return None
    result: bool | None = not_a_server_error(ctx, response, case)
    return result


@schemathesis.check
class success_reached:  # schemathesis names a check after its class
    """Fails a run in which no request got a 200, so a run of only 401s and 404s never passes."""

    def __init__(self) -> None:
        self.statuses: set[int] = set()

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        """Remember the status code."""
        self.statuses.add(response.status_code)

    def after_run(self, ctx: Any) -> None:
        """Fail when statuses were seen but none was 200."""
        if self.statuses and 200 not in self.statuses:
            raise NoSuccess(operation=None, message=no_success_message(self.statuses))


def no_success_message(statuses: Sequence[int] | set[int]) -> str:
    """Why a run that never got a 200 fails, naming the statuses it got."""
    seen = ", ".join(str(code) for code in sorted(statuses)) or "none"
    return (
        f"no response was 200 (statuses: {seen}), so no job status was checked: the key must be "
        f"accepted and the job ids (the examples of schemas/openapi.yaml, or --job-id) must exist"
    )


@dataclass(frozen=True)
class Settings:
    """How much schemathesis generates, and from which seed (so a failure reproduces)."""

    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = DEFAULT_SEED


def _number(value: object, name: str, minimum: int) -> int:
    """A whole number from an option or environment value; a one-line UsageError if not."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UsageError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {number}")
    return number


def settings_from(
    max_examples: object = None, seed: object = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from options, else the environment, else the defaults."""
    env = os.environ if environ is None else environ
    max_examples = max_examples if max_examples is not None else env.get(MAX_EXAMPLES_ENV)
    seed = seed if seed is not None else env.get(SEED_ENV)
    return Settings(
        max_examples=DEFAULT_MAX_EXAMPLES
        if max_examples is None
        else _number(max_examples, "--st-max-examples", 1),
        seed=DEFAULT_SEED if seed is None else _number(seed, "--st-seed", 0),
    )


def project_config(settings: Settings) -> SchemathesisConfig:
    """The schemathesis configuration of the Python API; its checks equal schemathesis.toml's."""
    checks: dict[str, Any] = {"enabled": False}
    for name in (*BUILTIN_CHECKS, *CUSTOM_CHECKS):
        checks[name] = {"enabled": True}
    return SchemathesisConfig.from_dict(
        {
            "seed": settings.seed,
            "generation": {"max-examples": settings.max_examples, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": checks,
        }
    )


def _examples(parameter: dict[str, Any], values: Sequence[str]) -> None:
    """Add values to a parameter's `examples`, named after their position."""
    examples = parameter.setdefault("examples", {})
    for number, value in enumerate(values, 1):
        if value not in (example.get("value") for example in examples.values()):
            examples[f"target-{number}"] = {"value": value}


def add_job_ids(raw_schema: dict[str, Any], job_ids: Sequence[str]) -> None:
    """Add job ids to the `job_id` examples of the endpoint in a raw OpenAPI document."""
    add_examples(raw_schema, {"job_id": job_ids})


def add_examples(raw_schema: dict[str, Any], values: Mapping[str, Sequence[str]]) -> None:
    """Add values to the examples of the endpoint's parameters, by parameter name."""
    operation = raw_schema.get("paths", {}).get(ENDPOINT_PATH, {}).get("get", {})
    for parameter in operation.get("parameters", ()):
        if values.get(parameter.get("name")):
            _examples(parameter, values[parameter["name"]])


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    """`schemathesis run` with BATCH_CONTRACT_JOB_IDS set: those jobs join the examples."""
    ids = [part.strip() for part in os.environ.get(JOB_IDS_ENV, "").split(",") if part.strip()]
    add_job_ids(raw_schema, ids)


def load_openapi(
    *,
    base_url: str,
    api_key: Secret | None,
    job_ids: Sequence[str] = (),
    query: Mapping[str, str | None] | None = None,
    settings: Settings | None = None,
) -> Any:
    """schemas/openapi.yaml as a schemathesis schema aimed at base_url with the bearer key; the
    target's job ids (and organization_id / project_id) join the document's examples."""
    schema = schemathesis.openapi.from_path(
        str(OPENAPI_FILE), config=project_config(settings or Settings())
    )
    values = {"job_id": list(job_ids), **{k: [v] for k, v in (query or {}).items() if v}}
    add_examples(schema.raw_schema, values)
    schema.config.update(base_url=base_url)
    if api_key:
        schema.config.update(headers={"Authorization": "Bearer " + api_key.get_secret_value()})
    return schema


SCHEMA_FIXTURE = "schemathesis_schema"
"""The fixture every schemathesis test of contract_tests/ uses; it marks them for this plugin."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds --st-max-examples and --st-seed to the batch-contract option group."""
    add_schemathesis_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Checks the schemathesis options once, as one line."""
    try:
        settings_from(
            config.getoption("--contract-st-max-examples"),
            config.getoption("--contract-st-seed"),
        )
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None


def _has_server(config: pytest.Config) -> bool:
    """Whether the run has a server to send generated requests to (--reference or --live)."""
    return bool(
        config.getoption("--contract-reference", False)
        or config.getoption("--contract-live", False)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselects the schemathesis tests when replaying cassettes: they need a server."""
    if _has_server(config):
        return
    mine = [item for item in items if SCHEMA_FIXTURE in getattr(item, "fixturenames", ())]
    why = (
        "schemathesis tests deselected: generated requests need a server (--reference or "
        "--live), and replay has none"
    )
    deselect(config, items, mine, why)  # said at the end of the run (deselection.summary)
