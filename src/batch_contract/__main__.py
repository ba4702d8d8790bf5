"""`python -m batch_contract` runs the `batch-contract` command."""

from batch_contract.cli.main import script

script()
