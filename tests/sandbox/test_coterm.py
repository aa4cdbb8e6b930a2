"""Custom term end dates and add-on prerequisites: the sandbox refuses what new commerce refuses
(docs/partner-center.md#co-terming-and-add-ons)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from local.sandbox.clock import add_months
from tests.sandbox.billing import buy_lines, control_lines, generate, start_fresh_month
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import BASIC, create_cart, customer_with_reseller, line

EXCHANGE = "CFQ7TTC0LH16:0001:CFQ7TTC0K97F"
ARCHIVING = "CFQ7TTC0LH0R:0001:CFQ7TTC0K9N8"  # an add-on of Exchange Online (Plan 1)


def _end_dates(provider: Provider, customer_id: str, query: str) -> list[dict]:
    response = provider.call("GET", f"/customers/{customer_id}/subscriptions/customTermEndDates?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["attributes"] == {"objectType": "Collection"} and body["totalCount"] == len(body["items"])
    return list(body["items"])


def _subscription(provider: Provider, customer_id: str, subscription_id: str) -> dict:
    response = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_allowed_end_dates_are_the_month_end_and_the_customers_subscriptions_ends(provider: Provider) -> None:
    _, bought_at = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    [monthly] = buy_lines(provider, customer_id, line(term="P1M", quantity=2, reseller=reseller["partnerId"]))
    base_end = _subscription(provider, customer_id, monthly)["commitmentEndDate"][:10]
    items = _end_dates(provider, customer_id, "term_duration=P1Y")
    standard_last = add_months(bought_at, 12).date() - dt.timedelta(days=1)
    month_end = standard_last.replace(day=1) - dt.timedelta(days=1)
    assert items == [
        {"allowedCustomTermEndDateType": "calendarMonthAligned", "allowedCustomTermEndDate": f"{month_end}T00:00:00"},
        {"allowedCustomTermEndDateType": "subscriptionAligned", "cotermSubscriptionIds": [monthly],
         "allowedCustomTermEndDate": f"{base_end}T00:00:00"},
    ]  # fmt: skip
    [target] = _end_dates(provider, customer_id, f"term_duration=P1Y&target_coterm_subscription_id={monthly}")
    assert target["cotermSubscriptionIds"] == [monthly]
    # a one-month term bought today cannot end with a subscription that ends after it
    [yearly] = buy_lines(provider, customer_id, line(term="P1Y", quantity=1, reseller=reseller["partnerId"]))
    assert _end_dates(provider, customer_id, f"term_duration=P1M&target_coterm_subscription_id={yearly}") == []


def test_bad_queries_are_refused_as_partner_center_does(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    other_customer, _ = customer_with_reseller(provider)
    [theirs] = buy_lines(provider, other_customer, line(quantity=1))
    path = f"/customers/{customer_id}/subscriptions/customTermEndDates"
    assert provider.call("GET", f"{path}?term_duration=P2Y").json()["code"] == 2000
    unknown = provider.call("GET", f"{path}?term_duration=P1Y&target_coterm_subscription_id={theirs}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, 20003)
    past = provider.call("GET", f"{path}?term_duration=P1Y&term_start_date=2001-01-01")
    assert past.status_code == 400


def test_a_co_termed_line_ends_on_its_date_and_its_first_cycle_is_prorated(provider: Provider) -> None:
    period, bought_at = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    [base] = buy_lines(provider, customer_id, line(term="P1M", quantity=2, reseller=reseller["partnerId"]))
    provider.control("POST", "/clock", json={"advance": "P10D"})
    bought_at += dt.timedelta(days=10)
    [aligned] = _end_dates(provider, customer_id, f"term_duration=P1Y&target_coterm_subscription_id={base}")
    end = aligned["allowedCustomTermEndDate"]
    co_termed = line(EXCHANGE, quantity=3, reseller=reseller["partnerId"]) | {"customTermEndDate": end}
    [bought] = buy_lines(provider, customer_id, co_termed)
    subscription = _subscription(provider, customer_id, bought)
    assert subscription["commitmentEndDate"][:10] == end[:10] == _subscription(provider, customer_id, base)[
        "commitmentEndDate"][:10]  # fmt: skip
    lines = control_lines(provider, generate(provider, period)["period"], "billed")
    [first] = [x for x in lines if x["subscriptionId"] == bought]
    day = bought_at.replace(hour=0, minute=0, second=0, microsecond=0)
    ends = dt.datetime.fromisoformat(end[:10]).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
    whole = (ends - add_months(ends, -1)).days
    fraction = Decimal((ends - day).days) / Decimal(whole)
    assert fraction < 1
    assert first["chargeType"] == "new" and first["unitPrice"] == Decimal("3.70")
    assert first["effectiveUnitPrice"] == (Decimal("3.70") * fraction).quantize(Decimal("1E-14"), ROUND_HALF_UP)
    assert first["subtotal"] == (Decimal("3.70") * fraction * 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert first["chargeEndDate"][:10] == end[:10]


def test_a_custom_term_end_date_not_allowed_is_a_line_error(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    odd = line(quantity=1, reseller=reseller["partnerId"]) | {"customTermEndDate": "2099-01-15T00:00:00"}
    cart = create_cart(provider, customer_id, odd)
    [item] = cart["lineItems"]
    assert item["error"]["errorCode"] == "invalid_custom_term_end_date"


def test_an_add_on_needs_a_base_subscription_or_a_base_in_the_same_cart(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    partner = reseller["partnerId"]
    alone = create_cart(provider, customer_id, line(ARCHIVING, quantity=1, reseller=partner))
    [refused] = alone["lineItems"]
    assert refused["error"]["errorCode"] == "prerequisite_offer_not_owned"
    assert "CFQ7TTC0LH16:0001" in refused["error"]["errorDescription"]
    other_base = create_cart(provider, customer_id, line(ARCHIVING, quantity=1, reseller=partner),
                             line(BASIC, quantity=1, reseller=partner, line_id=1))  # fmt: skip
    assert "error" in other_base["lineItems"][0]
    together = create_cart(provider, customer_id, line(ARCHIVING, quantity=1, reseller=partner),
                           line(EXCHANGE, quantity=1, reseller=partner, line_id=1))  # fmt: skip
    assert all("error" not in item for item in together["lineItems"])
    buy_lines(provider, customer_id, line(EXCHANGE, quantity=1, reseller=partner))
    later = create_cart(provider, customer_id, line(ARCHIVING, quantity=1, reseller=partner))
    assert "error" not in later["lineItems"][0]
