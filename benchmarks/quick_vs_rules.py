#!/usr/bin/env python3
"""The fast lane's rule step side by side: the quick test (quick.values_clean) against the rules
themselves (every document rule's check run on the decoded values), on the realistic log's valid
lines; interleaved rounds, medians.

    python benchmarks/quick_vs_rules.py                 # 100,000 lines of the log, 7 rounds
    python benchmarks/quick_vs_rules.py --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import producer

from batch_contract.core.rules import RULES
from batch_contract.engine import fastlane, quick


def lane_with(function: Callable[..., bool], first: bytes) -> Any:
    """The fast lane of the documented profile, built with `function` as its rule step."""
    import orjson

    original = quick.values_clean
    quick.values_clean = function
    try:
        lane = fastlane.build("documented", "status")
        lane.learn(orjson.loads(first))
    finally:
        quick.values_clean = original
    return lane


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per contender."""
    parser = argparse.ArgumentParser(
        description="The fast lane's quick rule test against the rules themselves, side by side."
    )
    parser.add_argument("--lines", type=int, default=100_000, help="lines of the realistic log")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (median)")
    args = parser.parse_args(argv)
    valid, _ = producer.realistic_parts(args.lines)
    lines = [line + b"\n" for line in valid]
    checks = tuple(rule.check for rule in RULES.values() if rule.kind == "document")
    fields = quick.FIELDS

    def rules_clean(values: Sequence[Any], progress: Any) -> bool:
        job = dict(zip(fields, values, strict=True))
        for check in checks:  # noqa: SIM110 - written out, as the lane's own test is: per line
            if check(job, progress):
                return False
        return True

    lanes = {
        "quick test": lane_with(quick.values_clean, valid[0]),
        "rules themselves": lane_with(rules_clean, valid[0]),
    }
    for name, lane in lanes.items():
        assert all(map(lane.clean, lines)), name
    times: dict[str, list[float]] = {name: [] for name in lanes}
    for _ in range(args.rounds):
        for name, lane in lanes.items():
            started = time.perf_counter()
            list(map(lane.clean, lines))
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["quick test"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name}: {median / len(lines) * 1e6:.2f} us/line, {median / base:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
