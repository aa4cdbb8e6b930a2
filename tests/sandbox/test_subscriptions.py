"""Subscription changes obey the new-commerce windows and Partner Center's PATCH rules
(docs/partner-center.md#subscriptions)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import buy, customer_with_reseller


def patch(provider: Provider, customer_id: str, subscription: dict[str, Any], **changes: Any) -> Any:
    body = {**subscription, **changes}
    return provider.call(
        "PATCH",
        f"/customers/{customer_id}/subscriptions/{subscription['id']}",
        json=body,
        headers={"If-Match": subscription["attributes"]["etag"]},
    )


def bought(provider: Provider, **line_args: Any) -> tuple[str, dict[str, Any]]:
    customer_id, reseller = customer_with_reseller(provider)
    return customer_id, buy(provider, customer_id, reseller=reseller["partnerId"], **line_args)


def test_new_subscription_shows_its_windows(provider: Provider) -> None:
    _, subscription = bought(provider)
    assert subscription["status"] == "active" and subscription["attributes"]["objectType"] == "Subscription"
    assert subscription["refundableQuantity"]["totalQuantity"] == 10
    detail = subscription["refundableQuantity"]["details"][0]
    assert detail["allowedUntilDateTime"] == subscription["cancellationAllowedUntilDate"]
    assert subscription["attributes"]["etag"]


def test_added_seats_form_their_own_refund_lot(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    provider.control("POST", "/clock", json={"advance": "P2D"})
    response = patch(provider, customer_id, subscription, quantity=15)
    assert response.status_code == 200, response.text
    details = response.json()["refundableQuantity"]["details"]
    assert sorted(d["quantity"] for d in details) == [5, 10]
    assert len({d["allowedUntilDateTime"] for d in details}) == 2


def test_decrease_after_the_window_is_refused_with_900214(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    provider.control("POST", "/clock", json={"advance": "P8D"})
    fresh = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription['id']}").json()
    assert fresh["refundableQuantity"]["totalQuantity"] == 0
    response = patch(provider, customer_id, fresh, quantity=5)
    assert response.status_code == 400 and response.json()["code"] == 900214
    increased = patch(provider, customer_id, fresh, quantity=12)
    assert increased.status_code == 200
    decreased = patch(provider, customer_id, increased.json(), quantity=10)
    assert decreased.status_code == 200 and decreased.json()["quantity"] == 10


def test_cancel_after_the_window_is_refused_with_900213(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    provider.control("POST", "/clock", json={"advance": "P7DT1H"})
    fresh = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription['id']}").json()
    response = patch(provider, customer_id, fresh, status="deleted")
    assert response.status_code == 400
    assert response.json()["code"] == 900213 and "168-hour" in response.json()["description"]


def test_cancel_within_the_window_deletes_and_later_updates_are_2011(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    cancelled = patch(provider, customer_id, subscription, status="deleted")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "deleted"
    again = patch(provider, customer_id, cancelled.json(), quantity=11)
    assert again.status_code == 400 and again.json()["code"] == 2011


def test_stale_etag_is_400_2055(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    assert patch(provider, customer_id, subscription, quantity=11).status_code == 200
    stale = patch(provider, customer_id, subscription, quantity=12)
    assert stale.status_code == 400 and stale.json()["code"] == 2055


def test_partial_body_without_etag_is_accepted(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    response = provider.call(
        "PATCH", f"/customers/{customer_id}/subscriptions/{subscription['id']}", json={"autoRenewEnabled": False}
    )
    assert response.status_code == 200 and response.json()["autoRenewEnabled"] is False


def test_quantity_above_maximum_is_refused(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    response = patch(provider, customer_id, subscription, quantity=301)
    assert response.status_code == 400 and response.json()["code"] == 900275


def test_suspended_subscription_refuses_quantity_changes_with_800091(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    suspended = patch(provider, customer_id, subscription, status="suspended")
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    refused = patch(provider, customer_id, suspended.json(), quantity=11)
    assert refused.status_code == 400 and refused.json()["code"] == 800091
    reactivated = patch(provider, customer_id, suspended.json(), status="active")
    assert reactivated.status_code == 200 and reactivated.json()["status"] == "active"


def test_subscription_list_and_order_filter(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    listed = provider.call("GET", f"/customers/{customer_id}/subscriptions").json()
    assert [s["id"] for s in listed["items"]] == [subscription["id"]]
    by_order = provider.call("GET", f"/customers/{customer_id}/subscriptions?order_id={subscription['orderId']}")
    assert by_order.json()["totalCount"] == 1


def test_direct_change_bypasses_windows_and_shows_in_partner_center(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    changed = provider.control("POST", f"/subscriptions/{subscription['id']}/change", json={"quantity": 4})
    assert changed.status_code == 200 and changed.json()["quantity"] == 4
    fresh = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription['id']}").json()
    assert fresh["quantity"] == 4 and fresh["attributes"]["etag"] != subscription["attributes"]["etag"]
    held = provider.control("GET", f"/subscriptions?customerTenantId={customer_id}").json()
    assert [s["id"] for s in held["items"]] == [subscription["id"]]
