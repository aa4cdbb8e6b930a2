"""Shared steps of the reconciliation and export tests: a fresh month on the clock, generation, v1 paging."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from local.sandbox.clock import add_months, parse_timestamp
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import checkout, create_cart, wait_completed

LINE_QUERY = "provider=onetime&invoicelineitemtype=billinglineitems"


def start_fresh_month(provider: Provider) -> tuple[str, dt.datetime]:
    """Moves the clock forward to the 10th of next month, 10:00 UTC, so a test's charges fall in one known period."""
    now = parse_timestamp(provider.control("GET", "/clock").json()["now"])
    moment = add_months(dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC), 1) + dt.timedelta(days=9, hours=10)
    assert provider.control("POST", "/clock", json={"set": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}).status_code == 200
    return f"{moment.year:04d}-{moment.month:02d}", moment


def generate(provider: Provider, period: str, kind: str = "billed", **extra: Any) -> dict[str, Any]:
    body = {"providerTenantId": provider.tenant_id, "period": period, "kind": kind, **extra}
    response = provider.control("POST", "/reconciliation", json=body)
    assert response.status_code == 200, response.text
    return dict(json.loads(response.content, parse_float=Decimal))


def all_pages(provider: Provider, first_path: str, *, user: bool = True) -> list[dict[str, Any]]:
    """Every page of a seek-paged collection, following links.next with its MS-ContinuationToken header."""
    pages = []
    response = provider.call("GET", first_path, user=user)
    while True:
        assert response.status_code == 200, response.text
        page = json.loads(response.content, parse_float=Decimal)
        pages.append(page)
        following = page.get("links", {}).get("next")
        if following is None:
            assert "continuationToken" not in page
            return pages
        headers = {h["key"]: h["value"] for h in following["headers"]}
        response = provider.call("GET", following["uri"], headers=headers, user=user)


def billed_lines(provider: Provider, invoice_id: str, size: int = 2000) -> list[dict[str, Any]]:
    pages = all_pages(provider, f"/invoices/{invoice_id}/lineitems?{LINE_QUERY}&size={size}")
    return [item for page in pages for item in page["items"]]


def control_lines(provider: Provider, period: str, kind: str, limit: int = 2000) -> list[dict[str, Any]]:
    query = f"providerTenantId={provider.tenant_id}&period={period}&kind={kind}&limit={limit}"
    response = provider.control("GET", f"/reconciliation/lines?{query}")
    assert response.status_code == 200, response.text
    return list(json.loads(response.content, parse_float=Decimal)["items"])


def buy_lines(provider: Provider, customer_id: str, *lines: dict[str, Any]) -> list[str]:
    """Buys several lines in one cart; answers the subscription ids once the orders complete."""
    cart = create_cart(provider, customer_id, *lines)
    result = checkout(provider, customer_id, cart["id"]).json()
    ids = []
    for order in result["orders"]:
        completed = wait_completed(provider, customer_id, order["id"])
        ids.extend(item["subscriptionId"] for item in completed["lineItems"])
    return ids
