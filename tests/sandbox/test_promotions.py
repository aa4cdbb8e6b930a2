"""Promotions: the market's active list, eligibility, carts that name one, and what a promoted purchase costs
(docs/partner-center.md#promotions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.sandbox.billing import billed_lines, buy_lines, generate, start_fresh_month
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import checkout, create_cart, customer_with_reseller, line

BASIC_ANNUAL = "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"
E3_THREE_YEARS = "39NFJQT1Q5KL:0002:39NFJQT1Q5KL"
TEAMS_FIRST = "39NFJQT1Q5KL:0003:39NFJQT1Q5KL"
ENDED = "39NFJQT1Q5KL:0004:39NFJQT1Q5KL"
E3 = "CFQ7TTC0LFLZ:0001:CFQ7TTC0K8QD"
TEAMS = "CFQ7TTC0MBMD:0001:CFQ7TTC0MBKN"


def promoted(promotion_id: str, **line_args: Any) -> dict[str, Any]:
    return {**line(**line_args), "promotionId": promotion_id}


def eligibility(provider: Provider, customer_id: str, *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = provider.call("POST", f"/customers/{customer_id}/promotionEligibilities", json={"items": list(items)})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_promotions_of_a_market_carry_microsofts_fields(provider: Provider) -> None:
    body = provider.call("GET", "/productpromotions?country=NL&segment=commercial").json()
    ids = {p["id"] for p in body["items"]}
    assert {BASIC_ANNUAL, E3_THREE_YEARS, TEAMS_FIRST} <= ids and ENDED not in ids  # the ended one is not listed
    assert body["totalCount"] == len(body["items"]) and body["attributes"] == {"objectType": "Collection"}
    basic = next(p for p in body["items"] if p["id"] == BASIC_ANNUAL)
    assert basic["currencyCode"] == "EUR" and basic["marketCode"] == "NL"
    assert {(r["productId"], r["skuId"], r["term"]["duration"], r["term"]["billingCycle"])
            for r in basic["requiredProducts"]} == {("CFQ7TTC0LH18", "0001", "P1Y", "Monthly"),
                                                    ("CFQ7TTC0LH18", "0001", "P1Y", "Annual")}  # fmt: skip
    assert basic["requiredProducts"][0]["pricingPolicies"] == [{"policyType": "discount", "value": "15"}]
    us = {p["id"] for p in provider.call("GET", "/productpromotions?country=US&segment=commercial").json()["items"]}
    assert TEAMS_FIRST not in us and BASIC_ANNUAL in us  # promotions are per market


def test_promotions_need_country_and_segment(provider: Provider) -> None:
    assert provider.call("GET", "/productpromotions?segment=commercial").status_code == 400
    assert provider.call("GET", "/productpromotions?country=NL").status_code == 400
    assert provider.call("GET", "/productpromotions?country=ZZ&segment=commercial").status_code == 400
    assert provider.call("GET", "/productpromotions?country=NL&segment=education").json()["items"] == []


def test_eligibility_reasons_name_the_rule_broken(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    eligible, seats, term, ended, wrong_product = eligibility(
        provider, customer_id,
        promoted(BASIC_ANNUAL, quantity=5, line_id=0),
        promoted(E3_THREE_YEARS, catalog_item_id=E3, quantity=5, term="P3Y", cycle="annual", line_id=1),
        promoted(BASIC_ANNUAL, quantity=5, term="P1M", line_id=2),
        promoted(ENDED, catalog_item_id="CFQ7TTC0LH16:0001:CFQ7TTC0K97F", line_id=3),
        promoted(BASIC_ANNUAL, catalog_item_id=TEAMS, line_id=4),
    )  # fmt: skip
    assert eligible["eligibilities"] == [
        {"type": "promotion", "promotionId": BASIC_ANNUAL, "isEligible": True, "errors": []}
    ]
    [seat_error] = seats["eligibilities"][0]["errors"]
    assert (seat_error["type"], seat_error["minimumQuantity"], seat_error["maximumQuantity"]) == ("SeatCount", 10, 2400)
    [term_error] = term["eligibilities"][0]["errors"]
    assert (
        term_error["type"] == "Term" and {"duration": "P1Y", "billingCycle": "Annual"} in term_error["availableTerms"]
    )
    assert ended["eligibilities"][0]["errors"][0]["type"] == "PromotionNotActive"
    assert wrong_product["eligibilities"][0]["errors"][0]["type"] == "ProductNotApplicable"
    assert not any(e["isEligible"] for item in (seats, term, ended, wrong_product) for e in item["eligibilities"])


def test_eligibility_without_a_promotion_lists_the_items_promotions(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    [item] = eligibility(provider, customer_id, line(quantity=3))
    assert [(e["promotionId"], e["isEligible"]) for e in item["eligibilities"]] == [(BASIC_ANNUAL, True)]


def test_cart_refuses_an_ineligible_promotion_line_and_checkout_fails_its_group(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, promoted(BASIC_ANNUAL, term="P1M", reseller=reseller["partnerId"]))
    error = cart["lineItems"][0]["error"]
    assert error["errorCode"] == "promotion_not_eligible" and "does not cover the term P1M" in error["errorDescription"]
    result = checkout(provider, customer_id, cart["id"]).json()
    assert result["orders"] == [] and result["orderErrors"][0]["code"] == 800009


def test_promoted_purchase_costs_the_promotion_price_and_recon_carries_the_promotion(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    [subscription_id] = buy_lines(provider, customer_id, promoted(BASIC_ANNUAL, quantity=10,
                                                                  reseller=reseller["partnerId"]))  # fmt: skip
    subscription = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription_id}").json()
    assert subscription["promotionId"] == BASIC_ANNUAL
    [item] = billed_lines(provider, generate(provider, period)["invoiceId"])
    # Business Basic is 5.60 EUR a month in NL; 15% off is 4.76
    assert (item["promotionId"], item["unitPrice"], item["subtotal"]) == (BASIC_ANNUAL, Decimal("4.76"),
                                                                          Decimal("47.60"))  # fmt: skip


def test_first_purchase_promotion_is_refused_the_second_time(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    buy_lines(provider, customer_id, promoted(TEAMS_FIRST, catalog_item_id=TEAMS, reseller=reseller["partnerId"]))
    [item] = eligibility(provider, customer_id, promoted(TEAMS_FIRST, catalog_item_id=TEAMS))
    assert item["eligibilities"][0]["errors"][0]["type"] == "CustomerLimitReached"
    again = create_cart(provider, customer_id, promoted(TEAMS_FIRST, catalog_item_id=TEAMS))
    assert again["lineItems"][0]["error"]["errorCode"] == "promotion_not_eligible"


def test_eligibility_for_another_providers_customer_is_refused(provider: Provider, new_provider: Any) -> None:
    customer_id, _ = customer_with_reseller(provider)
    other = new_provider("Other provider")
    response = other.call("POST", f"/customers/{customer_id}/promotionEligibilities",
                          json={"items": [promoted(BASIC_ANNUAL)]})  # fmt: skip
    assert response.status_code == 403  # as for every call about another partner's customer
    assert provider.call("POST", f"/customers/{customer_id}/promotionEligibilities", json={}).status_code == 400
