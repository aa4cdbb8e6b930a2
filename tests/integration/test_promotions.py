"""Promotions through the API (docs/business.md#promotions): the sync stores the market's, the catalog shows them at
each caller's price, and an order line naming one is checked here and with Partner Center before it is accepted."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from tests.integration.test_orders import settle
from tests.support.commerce import ready_shop
from tests.support.onboarding import Sandbox

BASIC_ANNUAL = "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"
E3_THREE_YEARS = "39NFJQT1Q5KL:0002:39NFJQT1Q5KL"
ENDED = "39NFJQT1Q5KL:0004:39NFJQT1Q5KL"


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, Sandbox(sandbox), sandbox)


def _item(shop: dict[str, Any], product: str, term: str, cycle: str) -> Any:
    return next(
        i for i in shop["items"] if i.product_id == product and i.term_duration == term and i.billing_cycle == cycle
    )


def _line(item: Any, quantity: int, promotion_id: str | None) -> dict[str, Any]:
    body = {"catalogItemId": item.catalog_item_id, "quantity": quantity, "termDuration": item.term_duration,
            "billingCycle": item.billing_cycle}  # fmt: skip
    return {**body, "promotionId": promotion_id} if promotion_id else body


def _order(client: TestClient, shop: dict[str, Any], *lines: dict[str, Any]) -> Any:
    headers = shop["auth"](shop["resellerStaff"])
    return client.post("/api/orders", headers=headers, json={"customerId": shop["customerId"], "lines": list(lines)})


def _promotions(client: TestClient, shop: dict[str, Any], who: str, **params: Any) -> Any:
    return client.get("/api/catalog/promotions", headers=shop["auth"](shop[who]), params={"country": "US", **params})


def _set_pass_through(client: TestClient, shop: dict[str, Any], share: Any) -> Any:
    headers = shop["auth"](shop["providerAdmin"])
    return client.put("/api/catalog/settings", headers=headers, json={"promotionPassThrough": share})


def test_the_sync_stores_the_markets_active_promotions_shown_at_each_callers_price(
    client: TestClient, shop: dict[str, Any]
) -> None:
    assert _set_pass_through(client, shop, "1").status_code == 200
    answer = _promotions(client, shop, "providerAdmin")
    assert answer.status_code == 200, answer.text
    by_id = {p["id"]: p for p in answer.json()["items"]}
    assert BASIC_ANNUAL in by_id and E3_THREE_YEARS in by_id and ENDED not in by_id
    basic = by_id[BASIC_ANNUAL]
    assert basic["discountPercent"] == "15" and {i["termDuration"] for i in basic["items"]} == {"P1Y"}
    item = _item(shop, "CFQ7TTC0LH18", "P1Y", "monthly")
    [mine] = [i for i in basic["items"] if i["catalogItemId"] == item.catalog_item_id]
    expected = (item.cost * Decimal("0.85")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (Decimal(mine["price"]), Decimal(mine["promotionalPrice"])) == (item.cost, expected)
    reseller = {p["id"]: p for p in _promotions(client, shop, "resellerStaff").json()["items"]}[BASIC_ANNUAL]
    [theirs] = [i for i in reseller["items"] if i["catalogItemId"] == item.catalog_item_id]
    assert Decimal(theirs["promotionalPrice"]) == (Decimal(theirs["price"]) * Decimal("0.85")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_the_pass_through_share_is_a_provider_setting_from_0_to_1(client: TestClient, shop: dict[str, Any]) -> None:
    try:
        answer = _set_pass_through(client, shop, "0")
        assert answer.status_code == 200 and answer.json()["promotionPassThrough"] == "0"
        basic = {p["id"]: p for p in _promotions(client, shop, "resellerStaff").json()["items"]}[BASIC_ANNUAL]
        assert all(i["promotionalPrice"] == i["price"] for i in basic["items"])  # the provider keeps the discount
        assert _set_pass_through(client, shop, "1.5").status_code == 422
        headers = shop["auth"](shop["providerAdmin"])
        assert client.put("/api/catalog/settings", headers=headers, json={}).status_code == 422
    finally:
        assert _set_pass_through(client, shop, "1").status_code == 200


def test_promotions_need_a_market_and_a_caller(client: TestClient, shop: dict[str, Any]) -> None:
    headers = shop["auth"](shop["providerAdmin"])
    assert client.get("/api/catalog/promotions", headers=headers).status_code == 422
    assert client.get("/api/catalog/promotions", params={"country": "US"}).status_code == 401
    assert client.get("/api/catalog/promotions", headers=headers, params={"country": "US", "providerId": "p-x"}
                      ).status_code == 404  # fmt: skip


def test_a_promoted_line_is_bought_under_the_promotion_at_its_price(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    item = _item(shop, "CFQ7TTC0LH18", "P1Y", "monthly")
    plain = _order(client, shop, _line(item, 3, None))
    accepted = _order(client, shop, _line(item, 3, BASIC_ANNUAL))
    assert accepted.status_code == 202, accepted.text
    [line] = accepted.json()["lines"]
    [regular] = plain.json()["lines"]
    assert line["promotionId"] == BASIC_ANNUAL and regular["promotionId"] is None
    assert Decimal(line["resellerPrice"]) == (Decimal(regular["resellerPrice"]) * Decimal("0.85")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    done = settle(client, container, shop, accepted.json()["id"])
    assert done["status"] == "completed", done
    provider = container.providers.get(shop["provider"]["id"])
    bought = container.partner_center_for(provider).get_subscription(
        shop["tenantId"], done["lines"][0]["subscriptionId"]
    )
    assert bought.promotion_id == BASIC_ANNUAL  # the cart line carried it


def test_a_line_the_stored_promotion_does_not_cover_is_422_before_partner_center(
    client: TestClient, shop: dict[str, Any]
) -> None:
    monthly = _item(shop, "CFQ7TTC0LH18", "P1M", "monthly")
    refused = _order(client, shop, _line(monthly, 3, BASIC_ANNUAL))
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "lines[0].promotionId" and "does not apply" in error["message"]
    unknown = _order(client, shop, _line(monthly, 3, "NOPE:0001:NOPE"))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["message"] == "unknown promotion"


def test_partner_centers_refusal_is_422_with_microsofts_reason(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    provider_id = shop["provider"]["id"]
    stored = container.catalog.promotions(provider_id, "US")
    # The stored copy forgets the seat minimum, so only Partner Center's own check can refuse 5 seats.
    container.catalog.replace_promotions(
        provider_id, "US", [replace(p, minimum_quantity=None) if p.id == E3_THREE_YEARS else p for p in stored]
    )
    try:
        item = _item(shop, "CFQ7TTC0LFLZ", "P3Y", "annual")
        refused = _order(client, shop, _line(item, 5, E3_THREE_YEARS))
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == "lines[0].promotionId" and "between 10 and 2400 seats" in error["message"]
    finally:
        container.catalog.replace_promotions(provider_id, "US", stored)
