"""The price sheet download (docs/partner-center.md#price-sheet) and the catalog-change control route."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import requests

from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import BASIC, buy, checkout, create_cart, customer_with_reseller, line, wait_completed

COLUMNS = [
    "ProductTitle", "ProductId", "SkuId", "SkuTitle", "Publisher", "SkuDescription", "UnitOfMeasure", "TermDuration",
    "BillingPlan", "Market", "Currency", "UnitPrice", "PricingTierRangeMin", "PricingTierRangeMax",
    "EffectiveStartDate", "EffectiveEndDate", "Tags", "ERPPrice", "Segment",
]  # fmt: skip


def sheet_url(provider: Provider, market: str, view: str = "updatedlicensebased") -> str:
    return f"{provider.sandbox.https_url}/v1.0/sales/pricesheets(Market='{market}',PricesheetView='{view}')/$value"


def download(provider: Provider, market: str, *, user: bool = True) -> requests.Response:
    token = provider.user_token if user else provider.app_token
    return provider.session.get(sheet_url(provider, market), headers={"Authorization": f"Bearer {token}"}, timeout=30)


def rows(provider: Provider, market: str) -> list[dict[str, str]]:
    response = download(provider, market)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def price_of(sheet: list[dict[str, str]], catalog_item_id: str, term: str, plan: str) -> Decimal:
    product_id, sku_id, _ = catalog_item_id.split(":")
    found = [r for r in sheet if (r["ProductId"], r["SkuId"], r["TermDuration"], r["BillingPlan"]) ==
             (product_id, sku_id, term, plan)]  # fmt: skip
    assert len(found) == 1, found
    return Decimal(found[0]["UnitPrice"])


def test_price_sheet_is_a_csv_with_one_row_per_sku_term_and_billing_plan(provider: Provider) -> None:
    sheet = rows(provider, "NL")
    keys = [(r["ProductId"], r["SkuId"], r["TermDuration"], r["BillingPlan"]) for r in sheet]
    assert len(keys) == len(set(keys)) and len(keys) >= 30
    assert {r["Currency"] for r in sheet} == {"EUR"} and {r["Market"] for r in sheet} == {"NL"}
    assert price_of(sheet, BASIC, "P1Y", "Monthly") == Decimal("5.60")
    assert price_of(sheet, BASIC, "P1Y", "Annual") == Decimal("67.20")


def test_price_sheet_markets_have_their_currency(provider: Provider) -> None:
    assert {r["Currency"] for r in rows(provider, "US")} == {"USD"}
    assert {r["Currency"] for r in rows(provider, "DE")} == {"EUR"}


def test_price_sheet_refuses_app_only_tokens_with_900329(provider: Provider) -> None:
    response = download(provider, "NL", user=False)
    assert response.status_code == 403 and response.json()["code"] == 900329


def test_unknown_market_is_400_with_partner_center_error_body(provider: Provider) -> None:
    response = download(provider, "ZZ")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "description", "data", "source"}


def test_sheet_price_is_what_the_order_charges(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line(quantity=3, term="P1Y", cycle="annual",
                                                   reseller=reseller["partnerId"]))  # fmt: skip
    order_id = checkout(provider, customer_id, cart["id"]).json()["orders"][0]["id"]
    wait_completed(provider, customer_id, order_id)
    order = provider.call("GET", f"/customers/{customer_id}/orders/{order_id}?include_price=true")
    pricing = order.json(parse_float=Decimal)["lineItems"][0]["pricing"]
    assert pricing["listPrice"] == price_of(rows(provider, "NL"), BASIC, "P1Y", "Annual")
    assert pricing["extendedPrice"] == pricing["listPrice"] * 3


def test_price_change_shows_in_the_sheet_and_charges_new_purchases_only(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    before = buy(provider, customer_id, reseller=reseller["partnerId"], catalog_item_id=BASIC)
    change = {"catalogItemId": BASIC, "market": "NL", "termDuration": "P1Y", "billingCycle": "Monthly",
              "unitPrice": "5.8125"}  # fmt: skip
    try:
        answer = provider.control("POST", "/catalog/changes", json={"changes": [change]})
        assert answer.status_code == 200, answer.text
        assert price_of(rows(provider, "NL"), BASIC, "P1Y", "Monthly") == Decimal("5.8125")
        assert price_of(rows(provider, "DE"), BASIC, "P1Y", "Monthly") == Decimal("5.60")
        cart = create_cart(provider, customer_id, line(reseller=reseller["partnerId"]))
        order_id = checkout(provider, customer_id, cart["id"]).json()["orders"][0]["id"]
        wait_completed(provider, customer_id, order_id)
        priced = provider.call("GET", f"/customers/{customer_id}/orders/{order_id}?include_price=true")
        assert priced.json(parse_float=Decimal)["lineItems"][0]["pricing"]["listPrice"] == Decimal("5.8125")
        first = provider.call("GET", f"/customers/{customer_id}/orders/{before['orderId']}?include_price=true")
        assert first.json(parse_float=Decimal)["lineItems"][0]["pricing"]["listPrice"] == Decimal("5.60")
    finally:
        provider.control("DELETE", "/catalog/changes")


def test_retired_offer_leaves_the_sheet_and_the_catalog_and_cannot_be_bought(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    try:
        answer = provider.control("POST", "/catalog/changes", json={"changes": [{"catalogItemId": BASIC,
                                                                                  "retire": True}]})  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert not [r for r in rows(provider, "NL") if r["ProductId"] == BASIC.split(":")[0]]
        availability = provider.call("GET", "/products/CFQ7TTC0LH18/skus/0001/availabilities?country=NL")
        assert availability.status_code == 404
        products = provider.call("GET", "/products?country=NL&targetView=OnlineServicesNCE").json()["items"]
        assert "CFQ7TTC0LH18" not in {p["id"] for p in products}
        cart = create_cart(provider, customer_id, line())
        assert cart["lineItems"][0]["error"]["errorCode"] == "catalog_item_id_is_not_valid"
    finally:
        provider.control("DELETE", "/catalog/changes")
    assert [r for r in rows(provider, "NL") if r["ProductId"] == BASIC.split(":")[0]]


def test_catalog_change_is_refused_for_unknown_offers_and_incomplete_prices(provider: Provider) -> None:
    unknown = provider.control(
        "POST", "/catalog/changes", json={"changes": [{"catalogItemId": "X:1:Y", "retire": True}]}
    )
    assert unknown.status_code == 400
    partial = provider.control("POST", "/catalog/changes", json={"changes": [{"catalogItemId": BASIC,
                                                                              "unitPrice": "1.00"}]})  # fmt: skip
    assert partial.status_code == 400
    documented = provider.control("GET", "/openapi.json").json()["paths"]
    assert "/_sandbox/catalog/changes" in documented
