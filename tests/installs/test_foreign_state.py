"""Installing batch-contract changes nothing in another project's test process: a foreign suite
that records its process's state (warning filters, loggers and level names, environment,
sys.path, working folder, signal handlers, limits, Hypothesis's profile, vcrpy's and httpx's
defaults, markers) finds it the same with our plugins as with them turned off
(`-p no:batch_contract -p no:batch_contract_fixtures`), even after one of its tests used our
fixtures (`assert_batch_status`, and `batch_reference_server` where `[suite]` is installed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.install
OFF = ("-p", "no:batch_contract", "-p", "no:batch_contract_fixtures")

CONFTEST = """\
import logging


class Mine(logging.Handler):
    def emit(self, record):
        pass


# the project's own logging set-up, for its own uvicorn among others
logging.getLogger("uvicorn.access").addHandler(Mine())
logging.getLogger("uvicorn.error").setLevel(logging.INFO)
logging.getLogger("app").setLevel(logging.DEBUG)
"""

TESTS = """\
import gc, importlib.util, json, logging, os, signal, sys, warnings

import pytest

JOB = {"id": "bjb-1", "job_type": "parse", "project_id": "p", "status": "running"}


def _name(value):
    return getattr(value, "__qualname__", None) or repr(value)


def _optional(build):
    try:
        return build()
    except ImportError:
        return None


def _hypothesis():
    from hypothesis import settings

    return [repr(settings.default), settings._current_profile]


def _vcr():
    import vcr

    made = vcr.VCR()
    return [str(made.record_mode), list(made.filter_headers), list(made.match_on)]


def _httpx():
    import httpx

    client = httpx.Client()
    return [repr(client.timeout), dict(client.headers), client.follow_redirects, client.trust_env]


def test_a_uses_the_fixtures(request):
    assert_batch_status = request.getfixturevalue("assert_batch_status")
    assert_batch_status({"job": {**JOB, "total_items": 2}, "progress_percentage": 0})
    with pytest.raises(AssertionError):
        assert_batch_status({"job": {**JOB, "status": "done"}, "progress_percentage": 0})
    if importlib.util.find_spec("uvicorn") is not None:
        import httpx

        server = request.getfixturevalue("batch_reference_server")
        answer = httpx.get(server.base_url + "/api/v1/beta/batch-processing/" + server.job_ids[0])
        assert answer.status_code == 401


def test_b_records_the_state(pytestconfig):
    loggers = logging.root.manager.loggerDict.items()
    state = {
        "warnings": [
            [action, getattr(message, "pattern", None), category.__name__,
             getattr(module, "pattern", None), line]
            for action, message, category, module, line in warnings.filters
        ],
        "loggers": {
            name: [each.level, each.disabled, each.propagate,
                   [type(handler).__name__ for handler in each.handlers]]
            for name, each in loggers if isinstance(each, logging.Logger)
        },
        "root": [logging.root.level, logging.root.manager.disable],
        "level_names": [logging.getLevelName(level) for level in range(0, 60)],
        "environ": {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
        "path": sys.path,
        "cwd": os.getcwd(),
        "signals": {s.name: _name(signal.getsignal(s)) for s in signal.Signals
                    if s.name not in ("SIGKILL", "SIGSTOP")},
        "limits": [sys.getrecursionlimit(), gc.get_threshold(), sys.getswitchinterval()],
        "hooks": [_name(sys.excepthook), _name(sys.displayhook)],
        "markers": sorted(pytestconfig.getini("markers")),
        "hypothesis": _optional(_hypothesis),
        "vcr": _optional(_vcr),
        "httpx": _optional(_httpx),
    }
    with open(pytestconfig.rootpath / "state.json", "w") as out:
        json.dump(state, out)
"""


def _state(venv: Any, folder: Path, *args: str) -> dict[str, Any]:
    """Runs the foreign suite with `args`; the state its second test recorded."""
    result = venv.run(venv.bin("pytest"), "-p", "no:cacheprovider", "-q", *args, cwd=folder)
    assert result.returncode == 0, result.stdout
    state: dict[str, Any] = json.loads((folder / "state.json").read_text())
    return state


@pytest.mark.parametrize("flags", [(), ("-W", "error", "--strict-markers")])
def test_a_foreign_process_keeps_its_state(
    any_install: Any, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    """The state the foreign suite records is the same with our plugins as without them, its
    own logging set-up of uvicorn's loggers included, after using our fixtures (the loggers the
    fixtures' imports create, such as httpx's, are left out: their names only)."""
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_foreign.py").write_text(TESTS)
    with_us = _state(any_install, tmp_path, *flags)
    without = _state(any_install, tmp_path, *flags, *OFF, "-k", "test_b")
    shared = with_us["loggers"].keys() & without["loggers"].keys()
    assert {"uvicorn.access", "uvicorn.error", "app"} <= shared
    for state in (with_us, without):
        state["loggers"] = {name: state["loggers"][name] for name in sorted(shared)}
    assert with_us == without
