"""Every channel of a pytest report is masked at the boundary, whatever wrote to it: a failed
assertion, captured stdout, a captured log, a warning and a JUnit `<property>` of a test that runs
beside the contract suite, each holding the key in another form."""

from __future__ import annotations

import pytest

from .canary import CANARY, holds_canary

LEAKY = """
import base64, logging, os, warnings
KEY = os.environ["LLAMA_CLOUD_API_KEY"]

def test_leaky(record_property):
    print("stdout", KEY.upper())
    logging.getLogger("leaky").warning("log %s", base64.b64encode(KEY.encode()).decode())
    warnings.warn(f"warned {KEY.encode().hex()}", UserWarning)
    record_property("echo", KEY)
    assert KEY == "something else"
"""


@pytest.mark.parametrize("tb", ["auto", "line", "native"])
def test_every_report_channel_is_masked(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tb: str
) -> None:
    """With the suite loaded (`--contract-reference`, nothing started), the failure, the
    captured output and log, the warnings summary and the JUnit XML hold no form of the key."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    pytester.makepyfile(test_leaky=LEAKY)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        "--contract-reference", "-p", "no:cacheprovider", "-rA", f"--tb={tb}", "-W", "default",
        "--junitxml", str(junit), "-o", "junit_family=xunit1", "-o", "junit_logging=all",
    )  # fmt: skip
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, output
    assert "UserWarning: warned ***" in output
    assert not holds_canary(output), output
    xml = junit.read_text("utf-8")
    assert '<property name="echo" value="***"' in xml
    assert not holds_canary(xml), xml
