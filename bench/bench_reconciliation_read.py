"""The floor of a billing run: stream, parse and sum a generated reconciliation period (lines/s, peak memory).

`read_floor(client, ...)` is the measurement itself, for the billing benchmark to compare its own run against.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import threading
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from shared.partner_center import PartnerCenterClient, PartnerCenterCredentials, PartnerCenterEndpoints
from shared.partner_center import client_for_provider as build_client
from shared.secrets import LocalSecretStore


@dataclass(frozen=True)
class Floor:
    """What reading a period costs before any pricing: the bar a billing run is measured against."""

    lines: int
    seconds: float  # from the call to the last line, the export's own wait included
    streaming_seconds: float  # from the first line to the last: download, gunzip, parse and sum
    subtotal: Decimal
    peak_rss_mib: float
    peak_traced_mib: float | None

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds else float("inf")

    @property
    def streaming_lines_per_second(self) -> float:
        return self.lines / self.streaming_seconds if self.streaming_seconds else float("inf")

    def describe(self) -> str:
        traced = "" if self.peak_traced_mib is None else f", tracemalloc peak {self.peak_traced_mib:.1f} MiB"
        return (
            f"{self.lines:,} lines in {self.seconds:.2f}s = {self.lines_per_second:,.0f} lines/s "
            f"(streaming {self.streaming_seconds:.2f}s = {self.streaming_lines_per_second:,.0f} lines/s); "
            f"subtotal {self.subtotal}; peak RSS {self.peak_rss_mib:.1f} MiB{traced}"
        )


class _RssSampler:
    """Peak resident memory of this process while the read runs (sampled: ru_maxrss never goes down)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def current() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            self._stop.wait(self.interval)

    def __enter__(self) -> _RssSampler:
        self.peak = self.current()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())


def read_floor(
    client: PartnerCenterClient,
    *,
    kind: str = "billed",
    invoice_id: str | None = None,
    currency: str | None = None,
    method: str = "v2",
    trace_memory: bool = False,
) -> Floor:
    """Streams every line of a period through the client and sums `subtotal`: the cost of reading, nothing else."""
    if trace_memory:
        tracemalloc.start()
    count = 0
    subtotal = Decimal(0)
    with _RssSampler() as rss:
        started = time.perf_counter()
        first: float | None = None
        lines = client.iter_reconciliation_lines(kind=kind, invoice_id=invoice_id, currency=currency, method=method)
        for line in lines:
            if first is None:
                first = time.perf_counter()
            count += 1
            subtotal += line.subtotal or 0
        finished = time.perf_counter()
    traced = None
    if trace_memory:
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    streaming = finished - (first if first is not None else finished)
    return Floor(count, finished - started, streaming, subtotal, rss.peak / 2**20, traced)


def _control(base: str, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, base + path, json=body, timeout=600)
    response.raise_for_status()
    return response.json() if response.content else None


def sandbox_client(sandbox: Any, root: Path) -> tuple[PartnerCenterClient, dict[str, Any]]:
    """A new sandbox provider and a client wired like production for it."""
    base = sandbox.http_url
    provider = _control(base, "POST", "/_sandbox/providers", {"name": f"Bench {uuid.uuid4().hex[:6]}"})
    store = LocalSecretStore(root / "secrets")
    store.set("bench-secret", provider["clientSecret"])
    store.set("bench-refresh", provider["refreshToken"])
    credentials = PartnerCenterCredentials(provider["tenantId"], provider["clientId"], "bench-secret", "bench-refresh")
    endpoints = PartnerCenterEndpoints(
        partner_center_url=sandbox.https_url,
        authority_host=sandbox.https_url,
        graph_url=sandbox.https_url,
        price_sheet_url=sandbox.https_url,
        ca_bundle=str(sandbox.ca_cert_path),
    )
    return build_client(credentials, endpoints, store), provider


def generate_period(
    sandbox: Any, provider: dict[str, Any], lines: int, kind: str = "billed", markets: list[str] | None = None
) -> dict[str, Any]:
    """`POST /_sandbox/reconciliation` with `extraLines`: a period of that many lines, generated by the sandbox
    (spread over `markets`, one invoice per currency, when named)."""
    period = str(_control(sandbox.http_url, "GET", "/_sandbox/clock")["now"])[:7]
    body: dict[str, Any] = {"providerTenantId": provider["tenantId"], "period": period, "kind": kind,
                            "extraLines": lines}  # fmt: skip
    if markets:
        body["extraLinesMarkets"] = markets
    return _control(sandbox.http_url, "POST", "/_sandbox/reconciliation", body)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--method", choices=("v2", "v1"), default="v2")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slows the read)")
    args = parser.parse_args(argv)

    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory(prefix="bench-recon-") as scratch:
        root = Path(scratch)
        (root / "sandbox").mkdir()
        sandbox = start_sandbox(root / "sandbox")
        try:
            client, provider = sandbox_client(sandbox, root)
            started = time.perf_counter()
            generated = generate_period(sandbox, provider, args.lines)
            print(f"generated {generated['count']:,} lines in {time.perf_counter() - started:.1f}s")
            floor = read_floor(
                client, invoice_id=generated["invoiceId"], method=args.method, trace_memory=args.tracemalloc
            )
            [(currency, expected)] = generated["totals"].items()
            exact = "exact" if floor.subtotal == Decimal(expected) else f"MISMATCH (sandbox says {expected})"
            print(f"{args.method} floor: {floor.describe()} {currency} ({exact})")
            client.close()
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
