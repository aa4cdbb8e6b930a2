"""A billing run over a 1,000,000-line period from the sandbox: wall time, lines/s and peak memory of the run, next to
the floor measured in the same process (the same lines only streamed, parsed and summed). Two variants: one market
(one invoice, EUR) and three markets (NL, US, JP: one invoice per currency, read one after the other).

Targets: under 30 s, under 256 MiB, within 2.5x of the floor.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from bench.bench_reconciliation_read import _RssSampler, generate_period, read_floor
from local.azurite import free_port, start_azurite

TARGET_SECONDS = 30.0
TARGET_MIB = 256.0
TARGET_RATIO = 2.5
VARIANTS: dict[str, list[str] | None] = {"one-market": None, "three-currencies": ["NL", "US", "JP"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--variant", choices=("all", *VARIANTS), default="all")
    args = parser.parse_args(argv)
    variants = list(VARIANTS) if args.variant == "all" else [args.variant]

    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory(prefix="bench-billing-") as scratch:
        root = Path(scratch)
        (root / "sandbox").mkdir()
        sandbox = start_sandbox(root / "sandbox")
        azurite = start_azurite(root / "azurite", blob_port=free_port(), queue_port=free_port(), table_port=free_port())
        try:
            for variant in variants:
                print(f"-- {variant}", flush=True)
                run(sandbox, azurite.connection_string, args.lines, VARIANTS[variant])
        finally:
            azurite.stop()
            sandbox.stop()


def run(sandbox: Any, connection_string: str, lines: int, markets: list[str] | None = None) -> None:
    from shared.bootstrap import Container
    from shared.domain.relationships import Provider, ProviderStatus
    from tests.support.platform import platform_settings

    container = Container(platform_settings(connection_string, sandbox))
    dev = requests.get(f"{sandbox.http_url}/_sandbox/provider", timeout=30).json()
    now = datetime.now(UTC)
    provider = container.providers.add(Provider(
        id=str(uuid.uuid4()), name="Bench Distribution", tenant_id=dev["tenantId"], client_id=dev["clientId"],
        client_secret_ref=dev["clientSecretRef"], refresh_token_ref=dev["refreshTokenRef"],
        partner_id=str(dev["partnerId"]), status=ProviderStatus.ENROLLED, company_name=None, created_at=now,
        updated_at=now,
    ))  # fmt: skip
    started = time.perf_counter()
    generated = generate_period(sandbox, dev, lines, markets=markets)
    print(f"generated {generated['count']:,} lines in {time.perf_counter() - started:.1f}s "
          f"({len(generated['invoices'])} invoice(s))", flush=True)  # fmt: skip
    client = container.partner_center_for(provider)
    floors = [read_floor(client, invoice_id=invoice["invoiceId"]) for invoice in generated["invoices"]]
    floor_seconds = sum(f.seconds for f in floors)
    print(f"floor: {sum(f.lines for f in floors):,} lines in {floor_seconds:.2f}s over {len(floors)} invoice(s); "
          + "; ".join(f.describe() for f in floors), flush=True)  # fmt: skip

    billing = container.billing_service
    period = generated["period"]
    requested = billing.request(provider.id, period, "billed", requested_by="bench")
    with _RssSampler() as rss:
        started = time.perf_counter()
        done = billing.execute(provider.id, requested.id)
        seconds = time.perf_counter() - started
    assert done is not None and done.status == "completed", done
    count = int(done.counts["lines"])
    peak = rss.peak / 2**20
    ratio = seconds / floor_seconds if floor_seconds else float("inf")
    checks = []
    for currency, expected in sorted(generated["totals"].items()):
        exact = "exact" if Decimal(done.costs.get(currency, "0")) == Decimal(expected) else f"MISMATCH ({expected})"
        checks.append(f"{done.costs.get(currency)} {currency} ({exact})")
    print(f"billing run: {count:,} lines in {seconds:.2f}s = {count / seconds:,.0f} lines/s; peak RSS {peak:.1f} MiB; "
          f"{done.counts['discrepancies']:,} discrepancies; provider cost {', '.join(checks)}", flush=True)  # fmt: skip
    verdicts = [
        f"time {seconds:.1f}s {'<' if seconds < TARGET_SECONDS else '>='} {TARGET_SECONDS:.0f}s",
        f"memory {peak:.0f} MiB {'<' if peak < TARGET_MIB else '>='} {TARGET_MIB:.0f} MiB",
        f"{ratio:.2f}x the floor ({'within' if ratio <= TARGET_RATIO else 'beyond'} {TARGET_RATIO}x)",
    ]
    print("targets: " + "; ".join(verdicts), flush=True)
    client.close()


if __name__ == "__main__":
    main()
