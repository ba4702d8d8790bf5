"""The reference server: an embedded stand-in for the provider's Get Batch Job Status endpoint.

`create_app` builds the Starlette application, `running_server` runs it on loopback for tests,
and `batch-contract serve` (`command.main`) runs it for people.
"""

from batch_contract.suite import require_suite

require_suite("batch-contract's reference server")  # a light install has no Starlette

from batch_contract.server.app import create_app  # noqa: E402
from batch_contract.server.breaks import BREAKS  # noqa: E402
from batch_contract.server.jobs import DOCUMENTED_JOB_ID, MOVING_JOB_IDS  # noqa: E402
from batch_contract.server.running import RunningServer, running_server  # noqa: E402

__all__ = [
    "BREAKS",
    "DOCUMENTED_JOB_ID",
    "MOVING_JOB_IDS",
    "RunningServer",
    "create_app",
    "running_server",
]
