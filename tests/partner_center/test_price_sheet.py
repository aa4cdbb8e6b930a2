"""The price sheet download against the sandbox: streamed rows, exact prices, the app+user token it needs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.partner_center import CartLine, ConsentRequired
from tests.partner_center.conftest import Control, ProviderClient, build_client

ITEMS = (("CFQ7TTC0LH18", "0001"), ("CFQ7TTC0LDPB", "0001"), ("CFQ7TTC0LF8R", "0001"))


def test_price_sheet_rows_match_what_a_cart_is_charged(fresh_client: ProviderClient, control: Control) -> None:
    client = fresh_client.client
    rows = list(client.iter_price_sheet("NL"))
    assert rows and all(row.market == "NL" and row.currency == "EUR" for row in rows)
    reseller = control.accept_reseller(fresh_client.provider)
    customer = control.accept_customer(fresh_client.provider, reseller, "Price Check")
    lines = []
    for product_id, sku_id in ITEMS:
        [availability] = client.list_availabilities(product_id, sku_id, country="NL")[:1]
        lines.append(CartLine(availability.catalog_item_id, 3, "P1Y", "monthly", reseller_partner_id=reseller))
    cart = client.create_cart(customer, lines)
    result = client.checkout_cart(customer, cart.id)
    order = client.get_order(customer, result.orders[0].id, include_price=True)
    sheet = {(r.product_id, r.sku_id, r.term_duration, r.billing_plan): r.unit_price for r in rows}
    for line in order.line_items:
        product_id, sku_id, _ = line.offer_id.split(":")
        charged = line.raw["pricing"]["listPrice"]
        assert isinstance(charged, Decimal)
        assert sheet[(product_id, sku_id, "P1Y", "monthly")] == charged


def test_price_sheet_rows_carry_erp_dates_and_raw_columns(dev_client: ProviderClient) -> None:
    row = next(iter(dev_client.client.iter_price_sheet("US")))
    assert row.currency == "USD"
    assert isinstance(row.unit_price, Decimal)
    assert row.erp_price is not None and row.erp_price >= row.unit_price
    assert row.effective_start is not None and row.effective_start.tzinfo is not None
    assert row.raw["ProductId"] == row.product_id


def test_price_sheet_without_user_consent_is_consent_required(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path
) -> None:
    built = build_client(sandbox, dev_provider, tmp_path, with_refresh_token=False)
    with pytest.raises(ConsentRequired):
        next(iter(built.client.iter_price_sheet("NL")))


def test_price_sheet_market_and_view_are_checked_before_any_request(dev_client: ProviderClient) -> None:
    with pytest.raises(ValueError):
        next(iter(dev_client.client.iter_price_sheet("NLD")))
    with pytest.raises(ValueError):
        next(iter(dev_client.client.iter_price_sheet("NL", view="nonsense")))
