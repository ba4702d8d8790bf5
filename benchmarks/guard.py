"""The cost of `StatusGuard` per response, side by side with the same client unguarded.

    python benchmarks/guard.py            # 300 rounds of 100 requests per contender
    python benchmarks/guard.py --quick    # 60 rounds of 100

Every contender is a client over an in-process `httpx.MockTransport` that answers each request
with the documented example response (valid, so the guard checks it and stays silent): no network,
no server, so what differs between two rows is the hook alone. The example is a pending job with a
started_at, which a warning-level rule notes: a little dearer to check than most valid bodies.
Times are CPU time of the thread, in short interleaved rounds (a busy, shared machine disturbs every
contender alike); each row is the median over rounds of the mean time per request, and the
overhead is a guarded row minus its plain row. The last line times the guard alone, inside an
httpx client (a hook that times the guard's call).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from batch_contract.guard import StatusGuard

clock = time.thread_time
"""CPU time of this thread: what the client spends, whatever else the machine is running (every
request is served in-process, in this thread)."""
BODY = (Path(__file__).resolve().parents[1] / "docs" / "example-response.json").read_bytes()
BASE = "http://127.0.0.1:9"
JOB = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
PATH = f"/api/v1/beta/batch-processing/{JOB}"


def transport() -> httpx.MockTransport:
    """Answers every request with the example body, as the endpoint would."""
    headers = {"content-type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, content=BODY, headers=headers))


def httpx_poll(guard: StatusGuard | None) -> Callable[[], Any]:
    """One GET with a plain httpx.Client, the guard as its hook when given."""
    hooks = {"response": [guard]} if guard is not None else {}
    client = httpx.Client(base_url=BASE, transport=transport(), event_hooks=hooks)
    return lambda: client.get(PATH)


def sdk_poll(guard: StatusGuard | None) -> Callable[[], Any]:
    """One `client.beta.batch.get_status(job)` with the official SDK over such a client."""
    from llama_cloud import LlamaCloud

    hooks = {"response": [guard]} if guard is not None else {}
    http = httpx.Client(transport=transport(), event_hooks=hooks)
    sdk = LlamaCloud(api_key="llx-benchmark", base_url=BASE, http_client=http, max_retries=0)
    return lambda: sdk.beta.batch.get_status(JOB)


class Timed:
    """A response hook that calls the guard and keeps how long each call took."""

    def __init__(self, guard: StatusGuard) -> None:
        self.guard = guard
        self.seconds: list[float] = []

    def __call__(self, response: httpx.Response) -> None:
        start = clock()
        self.guard(response)
        self.seconds.append(clock() - start)


def guard_alone(requests: int) -> tuple[float, float]:
    """Median and mean microseconds of the guard's own call inside an httpx client."""
    timed = Timed(StatusGuard("raise"))
    client = httpx.Client(base_url=BASE, transport=transport(), event_hooks={"response": [timed]})
    for _ in range(requests):
        client.get(PATH)
    micros = [s * 1e6 for s in timed.seconds[50:]]
    return statistics.median(micros), statistics.fmean(micros)


def contenders() -> dict[str, Callable[[], Any]]:
    """Each row of the table: a client, plain or guarded."""
    rows = {
        "httpx, plain": httpx_poll(None),
        "httpx, guard": httpx_poll(StatusGuard("raise")),
        "httpx, guard sample=0.1": httpx_poll(StatusGuard("raise", sample=0.1, seed=0)),
    }
    try:
        rows["SDK get_status, plain"] = sdk_poll(None)
        rows["SDK get_status, guard"] = sdk_poll(StatusGuard("raise"))
    except ImportError:  # llama-cloud is in the [sdk] extra
        pass
    return rows


def measure(rounds: int, requests: int) -> dict[str, float]:
    """Median over interleaved rounds of the mean microseconds per request of each contender."""
    rows = contenders()
    for poll in rows.values():  # warm up: schemas, validators, connection objects
        for _ in range(50):
            poll()
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, poll in rows.items():
            start = clock()
            for _ in range(requests):
                poll()
            times[name].append((clock() - start) / requests * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Print the table: time per request of each contender and the guard's overhead."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 rounds of 100 requests")
    args = parser.parse_args()
    rounds, requests = (60, 100) if args.quick else (300, 100)
    medians = measure(rounds, requests)
    print(f"{rounds} rounds x {requests} requests, median CPU us per request")
    print(f"{'contender':<28} {'us/request':>10} {'overhead us':>12}")
    for name, value in medians.items():
        plain = medians.get(name.split(",")[0] + ", plain", value)
        extra = "" if name.endswith("plain") else f"{value - plain:12.1f}"
        print(f"{name:<28} {value:10.1f} {extra}")
    median, mean = guard_alone(rounds * requests)
    print(f"guard alone, inside httpx: median {median:.1f} us, mean {mean:.1f} us per response")


if __name__ == "__main__":
    main()
