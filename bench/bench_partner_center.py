"""Measures the Partner Center client's cost per call against a local sandbox (calls/s, p50/p99, overhead)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from shared.partner_center import PartnerCenterClient, PartnerCenterCredentials, PartnerCenterEndpoints
from shared.partner_center import client_for_provider as build_client
from shared.partner_center.auth import Grant
from shared.secrets import LocalSecretStore


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of the samples (seconds)."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(call: Callable[[], Any], repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall time per call; with `cpu`, also this process's CPU time per call (independent of server latency)."""
    samples: list[float] = []
    cpu_started = time.process_time()
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    if cpu is not None:
        cpu.append((time.process_time() - cpu_started) / max(repeat, 1))
    return samples


def report(name: str, samples: list[float], *, unit_calls: int = 1) -> dict[str, float]:
    total = sum(samples)
    figures = {
        "calls_per_second": unit_calls * len(samples) / total if total else float("inf"),
        "p50_ms": percentile(samples, 0.50) * 1000,
        "p99_ms": percentile(samples, 0.99) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000,
    }
    print(
        f"{name:<38} n={len(samples):<5} {figures['calls_per_second']:8.1f} calls/s  "
        f"p50 {figures['p50_ms']:7.2f} ms  p99 {figures['p99_ms']:7.2f} ms"
    )
    return figures


def control(base: str, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, base + path, json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200, help="single-resource calls to time")
    parser.add_argument("--customers", type=int, default=100, help="customers to page through")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--listings", type=int, default=5, help="full paged listings to time")
    parser.add_argument("--price-sheets", type=int, default=20, help="price sheet downloads to time")
    parser.add_argument("--recon-lines", type=int, default=20000, help="reconciliation lines to read by v1 and v2")
    args = parser.parse_args(argv)

    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory(prefix="bench-pc-") as scratch:
        root = Path(scratch)
        (root / "sandbox").mkdir()
        sandbox = start_sandbox(root / "sandbox")
        try:
            run(sandbox, root, args)
        finally:
            sandbox.stop()


def run(sandbox: Any, root: Path, args: argparse.Namespace) -> None:
    base = sandbox.http_url
    provider = control(base, "POST", "/_sandbox/providers", {"name": f"Bench {uuid.uuid4().hex[:6]}"})
    reseller = str(uuid.uuid4().int % 9_000_000 + 1_000_000)
    control(
        base, "POST", "/_sandbox/resellers/accept", {"providerTenantId": provider["tenantId"], "partnerId": reseller}
    )
    tenants = [
        control(
            base,
            "POST",
            "/_sandbox/customers/accept",
            {"providerTenantId": provider["tenantId"], "resellerPartnerId": reseller, "companyName": f"Bench {n}"},
        )["tenantId"]
        for n in range(args.customers)
    ]
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
    client: PartnerCenterClient = build_client(credentials, endpoints, store)
    client.get_customer(tenants[0])  # token and connection pool warmed before timing

    print(f"sandbox {sandbox.https_url}; {len(tenants)} customers; page size {args.page_size}")
    token = client.transport.tokens.token(Grant.APP_ONLY)
    raw = requests.Session()
    raw.trust_env = False
    raw.verify = str(sandbox.ca_cert_path)
    url = f"{sandbox.https_url}/v1/customers/{tenants[0]}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "MS-RequestId": str(uuid.uuid4())}
    raw_cpu: list[float] = []
    client_cpu: list[float] = []
    baseline = report(
        "raw requests GET customer", timed(lambda: raw.get(url, headers=headers, timeout=30), args.calls, raw_cpu)
    )
    single = report("client.get_customer", timed(lambda: client.get_customer(tenants[0]), args.calls, client_cpu))
    pages = -(-len(tenants) // args.page_size)
    listing = timed(lambda: sum(1 for _ in client.iter_customers(page_size=args.page_size)), args.listings)
    report(f"client.iter_customers ({pages} pages)", listing)
    report("  per page", [sample / pages for sample in listing for _ in range(pages)])
    print(f"client overhead per call, p50 wall time over raw requests: {single['p50_ms'] - baseline['p50_ms']:.2f} ms")
    print(
        f"client CPU per call: {client_cpu[0] * 1000:.3f} ms (raw requests {raw_cpu[0] * 1000:.3f} ms, "
        f"client's own {(client_cpu[0] - raw_cpu[0]) * 1000:.3f} ms)"
    )
    sheet = timed(lambda: sum(1 for _ in client.iter_price_sheet("NL")), args.price_sheets)
    report("client.iter_price_sheet NL", sheet)
    period = str(control(base, "GET", "/_sandbox/clock")["now"])[:7]
    generated = control(
        base,
        "POST",
        "/_sandbox/reconciliation",
        {"providerTenantId": provider["tenantId"], "period": period, "kind": "billed", "extraLines": args.recon_lines},
    )
    for method in ("v1", "v2"):
        started = time.perf_counter()
        count = sum(1 for _ in client.iter_reconciliation_lines(invoice_id=generated["invoiceId"], method=method))
        seconds = time.perf_counter() - started
        print(f"reconciliation {method}: {count:,} lines in {seconds:.2f}s = {count / seconds:,.0f} lines/s")
    client.close()
    raw.close()


if __name__ == "__main__":
    main()
