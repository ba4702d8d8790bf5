"""Contract tests and schema validation for LlamaCloud's Get Batch Job Status endpoint."""

ENDPOINT_PATH = "/api/v1/beta/batch-processing/{job_id}"
"""The one endpoint this toolkit guards."""

__all__ = ["ENDPOINT_PATH", "__version__"]


def __getattr__(name: str) -> str:
    """`__version__`, looked up on first use: importlib.metadata costs most of the start-up."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("batch-contract")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0+unknown"
