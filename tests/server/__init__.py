"""Tests of the reference server (batch_contract.server)."""
