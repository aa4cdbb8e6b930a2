"""Catalog, carts, checkout and orders follow Partner Center's wire format
(docs/partner-center.md#carts-and-checkout)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from decimal import Decimal
from typing import Any

from tests.sandbox.conftest import Provider

BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


def line(
    catalog_item_id: str = BASIC,
    quantity: int = 10,
    term: str = "P1Y",
    cycle: str = "monthly",
    reseller: str | None = None,
    line_id: int = 0,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": line_id,
        "catalogItemId": catalog_item_id,
        "quantity": quantity,
        "termDuration": term,
        "billingCycle": cycle,
    }
    if reseller:
        item["participants"] = [{"key": "transaction_reseller", "value": reseller}]
    return item


def customer_with_reseller(provider: Provider) -> tuple[str, dict[str, Any]]:
    reseller = provider.accept_reseller()
    return provider.accept_customer(reseller["partnerId"]), reseller


def create_cart(provider: Provider, customer_id: str, *lines: dict[str, Any]) -> dict[str, Any]:
    body = {"partnerOnRecordAttestationAccepted": True, "lineItems": list(lines)}
    response = provider.call("POST", f"/customers/{customer_id}/carts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def checkout(provider: Provider, customer_id: str, cart_id: str, request_id: str | None = None) -> Any:
    headers = {"MS-RequestId": request_id} if request_id else {}
    return provider.call("POST", f"/customers/{customer_id}/carts/{cart_id}/checkout", headers=headers)


def wait_completed(provider: Provider, customer_id: str, order_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        order = provider.call("GET", f"/customers/{customer_id}/orders/{order_id}").json()
        if order["status"] == "completed":
            return dict(order)
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} did not complete")


def buy(provider: Provider, customer_id: str, reseller: str | None = None, **line_args: Any) -> dict[str, Any]:
    """Buys one line and answers the completed order's subscription."""
    cart = create_cart(provider, customer_id, line(reseller=reseller, **line_args))
    order_id = checkout(provider, customer_id, cart["id"]).json()["orders"][0]["id"]
    order = wait_completed(provider, customer_id, order_id)
    subscription_id = order["lineItems"][0]["subscriptionId"]
    return dict(provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription_id}").json())


def test_catalog_requires_country(provider: Provider) -> None:
    response = provider.call("GET", "/products?targetView=OnlineServicesNCE")
    assert response.status_code == 400 and "code" in response.json()


def test_products_cover_the_new_commerce_set(provider: Provider) -> None:
    body = provider.call("GET", "/products?country=US&targetView=OnlineServicesNCE").json()
    titles = {p["title"] for p in body["items"]}
    for title in (
        "Microsoft 365 Business Basic",
        "Microsoft 365 Business Standard",
        "Microsoft 365 Business Premium",
        "Office 365 E1",
        "Office 365 E3",
        "Microsoft 365 E3",
        "Microsoft 365 E5",
        "Microsoft Teams Enterprise",
        "Exchange Online (Plan 1)",
    ):
        assert title in titles
    assert any(t.startswith("Dynamics 365") for t in titles)
    assert body["items"][0]["productType"]["id"] == "OnlineServicesNCE"


def test_availability_has_catalog_item_id_and_terms(provider: Provider) -> None:
    skus = provider.call("GET", "/products/CFQ7TTC0LFLZ/skus?country=NL").json()["items"]
    sku = skus[0]
    assert sku["minimumQuantity"] >= 1 and sku["maximumQuantity"] > sku["minimumQuantity"]
    availabilities = provider.call("GET", f"/products/CFQ7TTC0LFLZ/skus/{sku['id']}/availabilities?country=NL").json()
    availability = availabilities["items"][0]
    assert availability["catalogItemId"] == f"CFQ7TTC0LFLZ:{sku['id']}:{availability['id']}"
    assert availability["defaultCurrency"]["code"] == "EUR"
    pairs = {(t["duration"], t["billingCycle"]) for t in availability["terms"]}
    assert {("P1M", "Monthly"), ("P1Y", "Monthly"), ("P1Y", "Annual"), ("P3Y", "Triennial")} <= pairs
    refund = availability["terms"][0]["cancellationPolicies"][0]["refundOptions"][0]
    assert refund["expiresAfter"] == "P7D"


def test_us_market_is_priced_in_dollars(provider: Provider) -> None:
    availability = provider.call("GET", "/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US").json()
    assert availability["items"][0]["defaultCurrency"]["code"] == "USD"


def test_cart_is_active_with_order_group_and_expiry(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line(reseller=reseller["partnerId"]))
    assert cart["status"] == "Active" and cart["expirationTimestamp"]
    assert cart["attributes"]["objectType"] == "Cart"
    item = cart["lineItems"][0]
    assert item["orderGroup"] == "0" and item["currencyCode"] == "EUR" and "error" not in item


def test_cart_line_with_an_unoffered_term_carries_an_error(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(
        provider,
        customer_id,
        line(term="P3Y", cycle="triennial", line_id=0),
        line(catalog_item_id="CFQ7TTC0LH18:0001:NOPE", line_id=1),
        line(quantity=100000, line_id=2),
    )
    assert all("error" in item for item in cart["lineItems"])
    result = checkout(provider, customer_id, cart["id"]).json()
    assert result["orders"] == [] and result["orderErrors"][0]["code"] == 800009


def test_checkout_partial_success_reports_orders_and_order_errors(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line(line_id=0), line(term="P2Y", line_id=1, cycle="annual"))
    response = checkout(provider, customer_id, cart["id"])
    assert response.status_code == 201
    assert len(response.json()["orders"]) == 1 and len(response.json()["orderErrors"]) == 1


def test_checkout_makes_a_pending_order_that_completes_with_a_subscription(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line(reseller=reseller["partnerId"]))
    response = checkout(provider, customer_id, cart["id"])
    assert response.status_code == 201
    order = response.json()["orders"][0]
    assert order["status"] == "pending" and order["attributes"]["objectType"] == "Order"
    completed = wait_completed(provider, customer_id, order["id"])
    item = completed["lineItems"][0]
    assert item["partnerIdOnRecord"] == reseller["partnerId"]
    assert item["links"]["subscription"]["uri"] == f"/customers/{customer_id}/subscriptions/{item['subscriptionId']}"
    subscription = provider.call("GET", f"/customers/{customer_id}/subscriptions/{item['subscriptionId']}").json()
    assert subscription["partnerId"] == reseller["partnerId"] and subscription["offerId"] == BASIC
    cart_after = provider.call("GET", f"/customers/{customer_id}/carts/{cart['id']}").json()
    assert cart_after["status"] == "Ordered"


def test_second_checkout_of_a_cart_is_400_800065(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line())
    assert checkout(provider, customer_id, cart["id"]).status_code == 201
    again = checkout(provider, customer_id, cart["id"])
    assert again.status_code == 400 and again.json()["code"] == 800065


def test_concurrent_checkout_is_409_800064(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line())
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda: answers.append(checkout(provider, customer_id, cart["id"]))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409]
    assert next(a for a in answers if a.status_code == 409).json()["code"] == 800064


def test_checkout_repeated_with_the_same_request_id_returns_the_first_result(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line())
    request_id = str(uuid.uuid4())
    first = checkout(provider, customer_id, cart["id"], request_id)
    second = checkout(provider, customer_id, cart["id"], request_id)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    purchases = provider.control("GET", f"/purchases?customerTenantId={customer_id}").json()["items"]
    assert len(purchases) == 1 and purchases[0]["requestId"] == request_id


def test_lost_checkout_answer_is_recovered_by_replaying_the_request_id(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line())
    request_id = str(uuid.uuid4())
    provider.control("PUT", "/faults", json={"dropAfterCommit": 1})
    try:
        checkout(provider, customer_id, cart["id"], request_id)
        raise AssertionError("the answer should have been lost")
    except Exception as exc:  # noqa: BLE001 - any transport failure is what a lost answer looks like
        assert "should have been lost" not in str(exc)
    provider.control("PUT", "/faults", json={})
    assert provider.call("GET", f"/customers/{customer_id}/carts/{cart['id']}").json()["status"] == "Ordered"
    replay = checkout(provider, customer_id, cart["id"], request_id)
    assert replay.status_code == 201 and len(replay.json()["orders"]) == 1
    assert len(provider.control("GET", f"/purchases?customerTenantId={customer_id}").json()["items"]) == 1


def test_order_prices_are_exact_decimals(provider: Provider) -> None:
    customer_id, _ = customer_with_reseller(provider)
    cart = create_cart(provider, customer_id, line(quantity=3))
    order_id = checkout(provider, customer_id, cart["id"]).json()["orders"][0]["id"]
    raw = provider.call("GET", f"/customers/{customer_id}/orders/{order_id}?include_price=true").text
    order = json.loads(raw, parse_float=Decimal)
    assert order["lineItems"][0]["pricing"]["extendedPrice"] == Decimal("16.80")
    assert order["totalPrice"] == Decimal("16.80")


def test_purchases_control_route_shape(provider: Provider) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    subscription = buy(provider, customer_id, reseller=reseller["partnerId"])
    purchase = provider.control("GET", f"/purchases?customerTenantId={customer_id}").json()["items"][0]
    assert {"cartId", "orderId", "requestId", "customerTenantId", "lineItems"} <= set(purchase)
    assert purchase["lineItems"][0] == {
        "offerId": BASIC,
        "quantity": 10,
        "termDuration": "P1Y",
        "billingCycle": "monthly",
        "partnerIdOnRecord": reseller["partnerId"],
        "subscriptionId": subscription["id"],
    }
