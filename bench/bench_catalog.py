"""Measures catalog sync time for the sandbox's catalog (every market, first sync and re-sync) and priced page reads."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from local.azurite import free_port, start_azurite
from shared.partner_center import PartnerCenterCredentials, PartnerCenterEndpoints, client_for_provider
from shared.secrets import LocalSecretStore
from shared.services.catalog import CatalogSync
from shared.services.pricing import CatalogViewer, PricingService
from shared.storage.audit import AuditLog
from shared.storage.catalog import CatalogRepository
from shared.storage.pricing import PricingRepository
from shared.storage.tables import TableStorage


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", default="US,NL,DE", help="comma-separated markets to sync")
    parser.add_argument("--rounds", type=int, default=5, help="re-syncs to time per market")
    parser.add_argument("--pages", type=int, default=20, help="priced catalog pages to time")
    args = parser.parse_args(argv)

    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as scratch:
        root = Path(scratch)
        (root / "sandbox").mkdir()
        sandbox = start_sandbox(root / "sandbox")
        azurite = start_azurite(root / "azurite", blob_port=free_port(), queue_port=free_port(), table_port=free_port())
        try:
            run(sandbox, azurite.connection_string, args)
        finally:
            azurite.stop()
            sandbox.stop()


def run(sandbox: Any, connection_string: str, args: argparse.Namespace) -> None:
    provider = requests.get(f"{sandbox.http_url}/_sandbox/provider", timeout=30).json()
    client = client_for_provider(
        PartnerCenterCredentials(
            provider["tenantId"], provider["clientId"], provider["clientSecretRef"], provider["refreshTokenRef"]
        ),
        PartnerCenterEndpoints(
            partner_center_url=sandbox.https_url,
            authority_host=sandbox.https_url,
            price_sheet_url=sandbox.https_url,
            graph_url=sandbox.https_url,
            ca_bundle=str(sandbox.ca_cert_path),
        ),
        LocalSecretStore(sandbox.secrets_dir),
    )
    storage = TableStorage(connection_string=connection_string)
    repository = CatalogRepository(storage)
    sync = CatalogSync(client, repository)
    provider_id = f"bench-{uuid.uuid4().hex[:8]}"
    client.get_legal_business_profile()  # token and connections warmed before timing

    print(f"sandbox {sandbox.https_url}; markets {args.markets}; {args.rounds} re-syncs each")
    for market in [m.strip().upper() for m in args.markets.split(",") if m.strip()]:
        started = time.perf_counter()
        first = sync.sync(provider_id, market, now=datetime.now(UTC))
        cold = time.perf_counter() - started
        warm: list[float] = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            again = sync.sync(provider_id, market, now=datetime.now(UTC))
            warm.append(time.perf_counter() - started)
            assert again.added == again.retired == 0, again
        print(
            f"catalog sync {market}: {first.added} items ({first.priced} priced, price sheet {first.price_sheet.value})"
            f"  first {cold * 1000:7.1f} ms  re-sync p50 {statistics.median(warm) * 1000:7.1f} ms"
            f"  max {max(warm) * 1000:7.1f} ms"
        )

    service = PricingService(repository, PricingRepository(storage), AuditLog(storage))
    service.set_reseller_pricing("bench", provider_id, "reseller", {"margin": "0.12"})
    service.set_customer_pricing("bench", provider_id, "reseller", "customer", {"margin": "0.08"})
    for name, viewer in (
        ("provider", CatalogViewer(provider_id)),
        ("customer", CatalogViewer(provider_id, "reseller", "customer")),
    ):
        samples: list[float] = []
        for _ in range(args.pages):
            started = time.perf_counter()
            service.catalog_for(viewer, "NL", limit=50)
            samples.append(time.perf_counter() - started)
        print(f"priced catalog page (50 items) as {name:<8} p50 {statistics.median(samples) * 1000:7.1f} ms")
    client.close()


if __name__ == "__main__":
    main()
