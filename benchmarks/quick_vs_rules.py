#!/usr/bin/env python3
"""The fast lane's rule step side by side: the quick test (quick.values_clean) against the rules
themselves (every document rule's check run on the decoded values), on the realistic log's valid
lines; interleaved rounds, medians."""

import statistics
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
import producer

from batch_contract.core.rules import RULES
from batch_contract.engine import fastlane, quick

valid, _ = producer.realistic_parts(100_000)
lines = [line + b"\n" for line in valid]
checks = tuple(rule.check for rule in RULES.values() if rule.kind == "document")
fields = quick.FIELDS


def rules_clean(values, progress):
    job = dict(zip(fields, values, strict=True))
    for check in checks:  # noqa: SIM110 - written out, as the lane's own test is: it runs per line
        if check(job, progress):
            return False
    return True


def lane_with(function):
    original = quick.values_clean
    quick.values_clean = function
    import orjson

    try:
        lane = fastlane.build("documented", "status")
        lane.learn(orjson.loads(valid[0]))
    finally:
        quick.values_clean = original
    return lane


lanes = {"quick test": lane_with(quick.values_clean), "rules themselves": lane_with(rules_clean)}
for name, lane in lanes.items():
    assert all(map(lane.clean, lines)), name
times = {name: [] for name in lanes}
for _ in range(7):
    for name, lane in lanes.items():
        started = time.perf_counter()
        list(map(lane.clean, lines))
        times[name].append(time.perf_counter() - started)
base = statistics.median(times["quick test"])
for name, values in times.items():
    median = statistics.median(values)
    print(f"{name}: {median / len(lines) * 1e6:.2f} us/line, {median / base:.2f}x")
