"""Contract tests and schema validation for LlamaCloud's Get Batch Job Status endpoint."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("batch-contract")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

ENDPOINT_PATH = "/api/v1/beta/batch-processing/{job_id}"
"""The one endpoint this toolkit guards."""

__all__ = ["ENDPOINT_PATH", "__version__"]
