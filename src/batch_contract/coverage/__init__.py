"""Contract coverage: which parts of the contract recorded or live responses exercised."""
