"""A billing run over a 1,000,000-line period from the sandbox: wall time, lines/s and peak memory of the run, next to
the floor measured in the same process (the same lines only streamed, parsed and summed).

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory(prefix="bench-billing-") as scratch:
        root = Path(scratch)
        (root / "sandbox").mkdir()
        sandbox = start_sandbox(root / "sandbox")
        azurite = start_azurite(root / "azurite", blob_port=free_port(), queue_port=free_port(), table_port=free_port())
        try:
            run(sandbox, azurite.connection_string, args.lines)
        finally:
            azurite.stop()
            sandbox.stop()


def run(sandbox: Any, connection_string: str, lines: int) -> None:
    from shared.bootstrap import Container
    from shared.domain.onboarding import Provider, ProviderStatus
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
    generated = generate_period(sandbox, dev, lines)
    print(f"generated {generated['count']:,} lines in {time.perf_counter() - started:.1f}s", flush=True)
    client = container.partner_center_for(provider)
    floor = read_floor(client, invoice_id=generated["invoiceId"])
    print(f"floor: {floor.describe()}", flush=True)

    billing = container.billing
    period = generated["period"]
    requested = billing.request(provider.id, period, "billed", requested_by="bench")
    with _RssSampler() as rss:
        started = time.perf_counter()
        done = billing.execute(provider.id, requested.id)
        seconds = time.perf_counter() - started
    assert done is not None and done.status == "completed", done
    count = int(done.counts["lines"])
    peak = rss.peak / 2**20
    ratio = seconds / floor.seconds if floor.seconds else float("inf")
    [(currency, expected)] = generated["totals"].items()
    exact = "exact" if Decimal(done.costs.get(currency, "0")) == Decimal(expected) else f"MISMATCH ({expected})"
    print(f"billing run: {count:,} lines in {seconds:.2f}s = {count / seconds:,.0f} lines/s; peak RSS {peak:.1f} MiB; "
          f"{done.counts['discrepancies']:,} discrepancies; provider cost {done.costs.get(currency)} {currency} "
          f"({exact})", flush=True)  # fmt: skip
    verdicts = [
        f"time {seconds:.1f}s {'<' if seconds < TARGET_SECONDS else '>='} {TARGET_SECONDS:.0f}s",
        f"memory {peak:.0f} MiB {'<' if peak < TARGET_MIB else '>='} {TARGET_MIB:.0f} MiB",
        f"{ratio:.2f}x the floor ({'within' if ratio <= TARGET_RATIO else 'beyond'} {TARGET_RATIO}x)",
    ]
    print("targets: " + "; ".join(verdicts), flush=True)
    client.close()


if __name__ == "__main__":
    main()
