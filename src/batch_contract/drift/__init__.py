"""The drift report: what changed between two sets of recorded responses."""
