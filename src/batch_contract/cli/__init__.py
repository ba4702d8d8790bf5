"""The command-line face: `validate-status` and `batch-contract`, their reporters and
progress line."""
