"""`batch-contract report` and `--contract-report`: one offline HTML page of a contract run."""
