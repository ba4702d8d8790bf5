"""`batch-contract watch`: whether the provider's OpenAPI document, its SDK or its documentation
page has moved away from what the shipped contract was derived from (the baseline), judged by what
each change does to this contract.

`sources` reads the inputs (bounded, never importing the SDK), `shapes` brings the three sources'
schemas to one normal form, `compare` lists the changes, `severity` judges them with the one
check, `seen` joins them with recordings, and `render` prints them."""
