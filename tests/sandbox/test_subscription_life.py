"""A subscription's life on the sandbox clock (docs/partner-center.md#the-subscriptions-life): changes scheduled
for the next term, cancel at end of term, Extended Service Term, transitions (upgrades, trial conversions) and
what each is billed."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from tests.sandbox.billing import control_lines, generate, start_fresh_month
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import BASIC
from tests.sandbox.test_subscriptions import bought, patch
from tests.sandbox.test_webhooks import Receiver, receiver, register  # noqa: F401

STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW"
PREMIUM = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5DR"
PREMIUM_TRIAL = "CFQ7TTC0LCHC:0T01:CFQ7TTC0TR5D"
E5 = "CFQ7TTC0LFLX:0001:CFQ7TTC0K8QF"


def instructions(item: str, quantity: int, term: str = "P1Y", cycle: str = "monthly", **extra: Any) -> dict:
    product_id, sku_id, availability_id = item.split(":")
    product = {"productId": product_id, "skuId": sku_id, "availabilityId": availability_id, "billingCycle": cycle,
               "termDuration": term}  # fmt: skip
    return {"product": product, "quantity": quantity, **extra}


def read(provider: Provider, customer_id: str, subscription_id: str) -> dict[str, Any]:
    return dict(provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription_id}").json())


def advance(provider: Provider, duration: str) -> None:
    assert provider.control("POST", "/clock", json={"advance": duration}).status_code == 200


def lines_of(provider: Provider, period: str, *subscription_ids: str) -> list[dict[str, Any]]:
    generate(provider, period, "unbilled")
    return [i for i in control_lines(provider, period, "unbilled") if i["subscriptionId"] in subscription_ids]


def transition(provider: Provider, customer_id: str, subscription: dict[str, Any], to: str, quantity: int,
               request_id: str | None = None, **extra: Any) -> Any:  # fmt: skip
    body = {
        "toCatalogItemId": to,
        "quantity": quantity,
        "transitionType": "transition_with_license_transfer",
        "termDuration": subscription["termDuration"],
        "billingCycle": subscription["billingCycle"],
        **extra,
    }
    headers = {"MS-RequestId": request_id or str(uuid.uuid4())}
    return provider.call("POST", f"/customers/{customer_id}/subscriptions/{subscription['id']}/transitions",
                         json=body, headers=headers)  # fmt: skip


# Scheduling ----------------------------------------------------------------------------------------------------------


def test_a_new_subscription_has_nothing_scheduled_and_is_no_trial(provider: Provider) -> None:
    _, subscription = bought(provider)
    assert subscription["isTrial"] is False and subscription["scheduledNextTermInstructions"] is None
    assert subscription["cancelAtEndOfTerm"] is False and subscription["extendedServiceTerm"] is None
    assert subscription["renewalTermDuration"] == ""


def test_scheduled_changes_are_kept_shown_and_cleared_with_null(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    wanted = instructions(STANDARD, 12, term="P1M")
    response = patch(provider, customer_id, subscription, scheduledNextTermInstructions=wanted)
    assert response.status_code == 200, response.text
    assert response.json()["scheduledNextTermInstructions"] == wanted
    assert response.json()["renewalTermDuration"] == "P1M"
    cleared = patch(provider, customer_id, response.json(), scheduledNextTermInstructions=None)
    assert cleared.status_code == 200 and cleared.json()["scheduledNextTermInstructions"] is None


def test_a_target_outside_the_scheduled_eligibilities_is_refused_and_nothing_changes(provider: Provider) -> None:
    customer_id, subscription = bought(provider, catalog_item_id=PREMIUM)
    response = patch(provider, customer_id, subscription, scheduledNextTermInstructions=instructions(BASIC, 5))
    assert response.status_code == 400 and response.json()["code"] == 800002
    assert read(provider, customer_id, subscription["id"]) == subscription


def test_scheduling_needs_auto_renew_on(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    response = patch(provider, customer_id, subscription, autoRenewEnabled=False,
                     scheduledNextTermInstructions=instructions(BASIC, 5))  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == 800093


def test_custom_term_end_dates_of_the_next_term_are_checked(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    ends = subscription["commitmentEndDate"][:10]
    cases = {"not-a-date": 900244, "2001-01-31": 900246, f"{int(ends[:4]) + 1}-{ends[5:7]}-15": 900245}
    for value, code in cases.items():
        response = patch(provider, customer_id, subscription,
                         scheduledNextTermInstructions=instructions(BASIC, 10, customTermEndDate=value))  # fmt: skip
        assert response.status_code == 400 and response.json()["code"] == code, (value, response.text)


def test_a_mid_term_quantity_change_wipes_scheduled_changes(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    scheduled = patch(provider, customer_id, subscription, scheduledNextTermInstructions=instructions(STANDARD, 12))
    changed = patch(provider, customer_id, scheduled.json(), quantity=11)
    assert changed.status_code == 200 and changed.json()["scheduledNextTermInstructions"] is None


def test_cancel_at_end_turns_auto_renew_off_and_auto_renew_on_clears_it(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    cancelled = patch(provider, customer_id, subscription, cancelAtEndOfTerm=True).json()
    assert (cancelled["cancelAtEndOfTerm"], cancelled["autoRenewEnabled"]) == (True, False)
    renewing = patch(provider, customer_id, cancelled, autoRenewEnabled=True).json()
    assert (renewing["cancelAtEndOfTerm"], renewing["autoRenewEnabled"]) == (False, True)


# The clock -----------------------------------------------------------------------------------------------------------


def test_renewal_applies_the_scheduled_changes_at_the_new_terms_price_and_bills_them(provider: Provider) -> None:
    start_fresh_month(provider)
    customer_id, subscription = bought(provider)
    patch(provider, customer_id, subscription, scheduledNextTermInstructions=instructions(STANDARD, 12))
    advance(provider, "P1Y")
    renewed = read(provider, customer_id, subscription["id"])
    assert renewed["status"] == "active" and renewed["offerId"] == STANDARD and renewed["quantity"] == 12
    assert renewed["scheduledNextTermInstructions"] is None
    assert renewed["effectiveStartDate"] > subscription["effectiveStartDate"]
    assert renewed["refundableQuantity"]["totalQuantity"] == 12  # the renewal opens a fresh window
    now = provider.control("GET", "/clock").json()["now"]
    [renewal] = [i for i in lines_of(provider, now[:7], subscription["id"]) if i["chargeType"] == "renew"]
    assert (renewal["productId"], renewal["quantity"], renewal["unitPrice"]) == ("CFQ7TTC0LDPB", 12, Decimal("11.70"))


def test_auto_renew_off_without_cancel_rolls_into_est_month_by_month_at_the_premium(provider: Provider) -> None:
    start_fresh_month(provider)
    customer_id, subscription = bought(provider)
    patch(provider, customer_id, subscription, autoRenewEnabled=False)
    advance(provider, "P1Y")
    extended = read(provider, customer_id, subscription["id"])
    assert extended["status"] == "active" and extended["extendedServiceTerm"]["premiumRate"] == "0.20"
    first_end = extended["extendedServiceTerm"]["endDate"]
    now = provider.control("GET", "/clock").json()["now"]
    [est] = [i for i in lines_of(provider, now[:7], subscription["id"]) if i["chargeType"] == "cycleCharge"]
    assert est["unitPrice"] == Decimal("8.06") and est["quantity"] == 10  # 5.60 × 1.2 (one-month) × 1.2 (premium)
    advance(provider, "P1M")
    assert read(provider, customer_id, subscription["id"])["extendedServiceTerm"]["startDate"] == first_end


def test_est_may_be_ended_at_any_time_and_auto_renew_on_renews_after_the_month(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    other_customer, other = bought(provider)
    for c, s in ((customer_id, subscription), (other_customer, other)):
        patch(provider, c, s, autoRenewEnabled=False)
    advance(provider, "P1Y")
    ended = patch(provider, customer_id, read(provider, customer_id, subscription["id"]), status="deleted")
    assert ended.status_code == 200 and ended.json()["status"] == "deleted"
    renewing = patch(provider, other_customer, read(provider, other_customer, other["id"]), autoRenewEnabled=True)
    assert renewing.status_code == 200 and renewing.json()["extendedServiceTerm"] is not None
    advance(provider, "P1M")
    renewed = read(provider, other_customer, other["id"])
    assert renewed["extendedServiceTerm"] is None and renewed["termDuration"] == "P1Y"
    assert renewed["status"] == "active" and renewed["autoRenewEnabled"] is True


def test_cancel_at_end_of_term_expires_and_is_announced(provider: Provider, receiver: Receiver) -> None:  # noqa: F811
    customer_id, subscription = bought(provider)
    patch(provider, customer_id, subscription, cancelAtEndOfTerm=True)
    register(provider, receiver.url, ["subscription-updated"])
    advance(provider, "P1Y")
    assert read(provider, customer_id, subscription["id"])["status"] == "expired"
    bodies = [json.loads(body) for _, body in receiver.wait_for(1)]
    assert any(b["ResourceUri"].endswith(f"/subscriptions/{subscription['id']}") for b in bodies)


# Transitions and trials ----------------------------------------------------------------------------------------------


def test_eligibilities_follow_the_upgrade_paths(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    path = f"/customers/{customer_id}/subscriptions/{subscription['id']}/transitionEligibilities"
    immediate = provider.call("GET", f"{path}?eligibilityType=immediate").json()
    assert {i["catalogItemId"] for i in immediate["items"]} == {STANDARD, PREMIUM, "CFQ7TTC0LFLZ:0001:CFQ7TTC0K8QD"}
    assert all(e["isEligible"] for i in immediate["items"] for e in i["eligibilities"])
    assert {e["transitionType"] for e in immediate["items"][0]["eligibilities"]} == {
        "transition_only", "transition_with_license_transfer"}  # fmt: skip
    scheduled = provider.call("GET", f"{path}?eligibilityType=scheduled").json()
    assert len(scheduled["items"]) == 3


def test_an_immediate_transition_moves_seats_wipes_schedules_and_replays(provider: Provider) -> None:
    start_fresh_month(provider)
    customer_id, subscription = bought(provider)
    scheduled = patch(provider, customer_id, subscription, scheduledNextTermInstructions=instructions(BASIC, 9))
    assert scheduled.status_code == 200
    advance(provider, "P10D")
    request_id = str(uuid.uuid4())
    first = transition(provider, customer_id, subscription, PREMIUM, 4, request_id)
    assert first.status_code == 201, first.text
    again = transition(provider, customer_id, subscription, PREMIUM, 4, request_id)
    assert again.status_code == 201 and again.json() == first.json()
    moved = first.json()
    assert (moved["status"], moved["quantity"], moved["fromSubscriptionId"]) == ("completed", 4, subscription["id"])
    source = read(provider, customer_id, subscription["id"])
    assert source["quantity"] == 6 and source["scheduledNextTermInstructions"] is None
    target = read(provider, customer_id, moved["toSubscriptionId"])
    assert (target["offerId"], target["quantity"], target["partnerId"]) == (PREMIUM, 4, subscription["partnerId"])
    listed = provider.call("GET", f"/customers/{customer_id}/subscriptions/{subscription['id']}/transitions").json()
    assert [t["id"] for t in listed["items"]] == [moved["id"]]
    now = provider.control("GET", "/clock").json()["now"]
    lines = lines_of(provider, now[:7], subscription["id"], moved["toSubscriptionId"])
    [credit] = [i for i in lines if i["subscriptionId"] == subscription["id"] and i["chargeType"] == "cancel"]
    assert credit["quantity"] == 4 and credit["subtotal"] < 0 and -credit["subtotal"] < Decimal("5.60") * 4
    [charge] = [i for i in lines if i["subscriptionId"] == moved["toSubscriptionId"]]
    assert (charge["chargeType"], charge["quantity"], charge["unitPrice"]) == ("new", 4, Decimal("20.60"))


def test_moving_every_seat_deletes_the_source(provider: Provider) -> None:
    customer_id, subscription = bought(provider)
    assert transition(provider, customer_id, subscription, STANDARD, 10).status_code == 201
    assert read(provider, customer_id, subscription["id"])["status"] == "deleted"


def test_an_ineligible_transition_is_refused(provider: Provider) -> None:
    customer_id, subscription = bought(provider, catalog_item_id=PREMIUM)
    response = transition(provider, customer_id, subscription, BASIC, 2)
    assert response.status_code == 400 and response.json()["code"] == 800002
    assert read(provider, customer_id, subscription["id"])["quantity"] == 10


def test_a_trial_is_free_converts_through_a_transition_or_expires(provider: Provider) -> None:
    start_fresh_month(provider)
    customer_id, trial = bought(provider, catalog_item_id=PREMIUM_TRIAL, quantity=5, term="P1M", cycle="none")
    assert trial["isTrial"] is True and trial["billingCycle"] == "none"
    other_customer, unconverted = bought(provider, catalog_item_id=PREMIUM_TRIAL, quantity=5, term="P1M",
                                         cycle="none")  # fmt: skip
    path = f"/customers/{customer_id}/subscriptions/{trial['id']}/transitionEligibilities"
    [conversion] = provider.call("GET", path).json()["items"]
    assert conversion["catalogItemId"] == PREMIUM
    converted = transition(provider, customer_id, trial, PREMIUM, 5, termDuration="P1Y", billingCycle="monthly")
    assert converted.status_code == 201, converted.text
    assert read(provider, customer_id, trial["id"])["status"] == "deleted"
    paid = read(provider, customer_id, converted.json()["toSubscriptionId"])
    assert paid["isTrial"] is False and paid["autoRenewEnabled"] is True
    now = provider.control("GET", "/clock").json()["now"]
    assert lines_of(provider, now[:7], trial["id"], unconverted["id"]) == []
    advance(provider, "P1M")
    ended = read(provider, other_customer, unconverted["id"])
    assert ended["status"] == "expired" and ended["extendedServiceTerm"] is None
