"""Latency of the API's common path on the local stack: sign-in check, a member lookup, a create."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

import requests

from bench.stack import local_stack


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(name: str, call: Callable[[int], requests.Response], count: int, expect: int) -> None:
    for n in range(5):  # warm up connections and caches
        call(-1 - n)
    samples = []
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        response = call(n)
        samples.append((time.perf_counter() - t0) * 1000)
        if response.status_code != expect:
            raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
    elapsed = time.perf_counter() - started
    print(
        f"{name:<34} n={count:<5} p50={percentile(samples, 50):6.1f} ms  p99={percentile(samples, 99):6.1f} ms  "
        f"mean={statistics.fmean(samples):6.1f} ms  {count / elapsed:6.0f} req/s"
    )


def main() -> None:
    with local_stack() as stack:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {stack.token(stack.operator)}"
        measure("GET /api/me", lambda n: session.get(f"{stack.api}/me"), 300, 200)
        measure(
            "POST /api/members",
            lambda n: session.post(
                f"{stack.api}/members",
                json={
                    "userId": f"bench-{uuid.uuid4()}",
                    "orgType": "operator",
                    "orgId": "platform",
                    "role": "operator",
                },
            ),
            200,
            201,
        )
        key = str(uuid.uuid4())
        body = {"userId": f"bench-{uuid.uuid4()}", "orgType": "operator", "orgId": "platform", "role": "operator"}
        measure(
            "POST /api/members (replayed key)",
            lambda n: session.post(f"{stack.api}/members", json=body, headers={"Idempotency-Key": key}),
            200,
            201,
        )
        measure(
            "GET /api/audit", lambda n: session.get(f"{stack.api}/audit", params={"entityId": body["userId"]}), 200, 200
        )
        measure("GET /api/health", lambda n: requests.get(f"{stack.api}/health"), 50, 200)


if __name__ == "__main__":
    main()
