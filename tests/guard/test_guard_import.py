"""`batch_contract.guard` suits the light base install: it imports no HTTP client and no pytest."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_guard_loads_no_http_client_and_no_pytest() -> None:
    """Importing the guard imports neither httpx, requests, the SDK nor pytest."""
    code = (
        "import sys, batch_contract.guard\n"
        "names = ('httpx', 'requests', 'llama_cloud', 'pytest')\n"
        "print(sorted(m for m in names if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == "[]\n"
