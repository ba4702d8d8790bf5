"""The HTTP defaults of the contract suite (the official SDK's), in a module of their own so the
pytest options can show them without importing httpx."""

DEFAULT_TIMEOUT = 30.0
"""Seconds before one HTTP request times out."""
MAX_RETRIES = 5
"""Retries on 408, 409, 429, 5xx and connection errors."""
