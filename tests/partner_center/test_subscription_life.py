"""The client drives a subscription's life against the sandbox over HTTP: schedule, let the clock renew, end of
term, EST, transitions and trials, and reads the reconciliation lines each produces."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

import pytest

from shared.partner_center import (
    CartLine,
    ScheduledChangeRefused,
    ScheduledNextTerm,
    Subscription,
    TransitionNotEligible,
)
from tests.partner_center.conftest import Control
from tests.partner_center.test_ordering import Buyer, bought_subscription, buyer, restore_clock  # noqa: F401

STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW"
PREMIUM = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5DR"
PREMIUM_TRIAL = "CFQ7TTC0LCHC:0T01:CFQ7TTC0TR5D"
BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


def advance(control: Control, duration: str) -> str:
    return str(control.call("POST", "/_sandbox/clock", {"advance": duration})["now"])


def recon_lines(buyer: Buyer, control: Control, period: str, *subscription_ids: str) -> list[dict[str, Any]]:  # noqa: F811
    tenant = buyer.pc.provider["tenantId"]
    control.call("POST", "/_sandbox/reconciliation", {"providerTenantId": tenant, "period": period,
                                                       "kind": "unbilled"})  # fmt: skip
    answer = control.call("GET", "/_sandbox/reconciliation/lines", providerTenantId=tenant, period=period,
                          kind="unbilled", limit="2000")  # fmt: skip
    return [line for line in answer["items"] if line["subscriptionId"] in subscription_ids]


def read(buyer: Buyer, subscription: Subscription) -> Subscription:  # noqa: F811
    return buyer.pc.client.get_subscription(buyer.customer_id, subscription.id)


def test_scheduled_changes_renew_with_the_clock_at_the_new_price(buyer: Buyer, restore_clock: Control) -> None:  # noqa: F811
    client = buyer.pc.client
    subscription = bought_subscription(buyer, quantity=5)
    scheduled = client.update_subscription(
        buyer.customer_id, subscription,
        scheduled_next_term=ScheduledNextTerm.of(STANDARD, quantity=7, term_duration="P1Y", billing_cycle="monthly"),
    )  # fmt: skip
    assert scheduled.scheduled_next_term is not None and scheduled.scheduled_next_term.catalog_item_id == STANDARD
    now = advance(restore_clock, "P1Y")
    renewed = read(buyer, subscription)
    assert (renewed.offer_id, renewed.quantity, renewed.scheduled_next_term) == (STANDARD, 7, None)
    [renewal] = [x for x in recon_lines(buyer, restore_clock, now[:7], subscription.id) if x["chargeType"] == "renew"]
    assert (renewal["quantity"], Decimal(str(renewal["unitPrice"]))) == (7, Decimal("11.70"))


def test_clearing_and_refusing_scheduled_changes(buyer: Buyer) -> None:  # noqa: F811
    client = buyer.pc.client
    subscription = bought_subscription(buyer)
    target = ScheduledNextTerm.of(BASIC, quantity=6, term_duration="P1Y", billing_cycle="monthly")
    scheduled = client.update_subscription(buyer.customer_id, subscription, scheduled_next_term=target)
    cleared = client.update_subscription(buyer.customer_id, scheduled, scheduled_next_term=None)
    assert cleared.scheduled_next_term is None
    bad = ScheduledNextTerm(product_id="CFQ7TTC0LH18", sku_id="0001", availability_id="CFQ7TTC0K971",
                            billing_cycle="monthly", term_duration="P1Y", quantity=6,
                            custom_term_end_date=subscription.commitment_end_date.date()  # type: ignore[union-attr]
                            .replace(year=2001))  # fmt: skip
    with pytest.raises(ScheduledChangeRefused) as refused:
        client.update_subscription(buyer.customer_id, cleared, scheduled_next_term=bad)
    assert refused.value.code == 900246


def test_auto_renew_off_without_cancel_enters_est_at_the_premium(buyer: Buyer, restore_clock: Control) -> None:  # noqa: F811
    subscription = bought_subscription(buyer)
    buyer.pc.client.update_subscription(buyer.customer_id, subscription, auto_renew=False)
    now = advance(restore_clock, "P1Y")
    extended = read(buyer, subscription)
    assert extended.status == "active" and extended.extended_service_term is not None
    assert extended.extended_service_term.premium_rate == Decimal("0.20")
    lines = recon_lines(buyer, restore_clock, now[:7], subscription.id)
    [est] = [x for x in lines if x["chargeType"] == "cycleCharge"]
    assert Decimal(str(est["unitPrice"])) == Decimal("8.06")


def test_cancel_at_end_of_term_expires(buyer: Buyer, restore_clock: Control) -> None:  # noqa: F811
    subscription = bought_subscription(buyer)
    cancelled = buyer.pc.client.update_subscription(buyer.customer_id, subscription, cancel_at_end_of_term=True)
    assert cancelled.cancel_at_end_of_term and cancelled.auto_renew_enabled is False
    advance(restore_clock, "P1Y")
    assert read(buyer, subscription).status == "expired"


def test_an_upgrade_moves_seats_once_and_wipes_scheduled_changes(buyer: Buyer, restore_clock: Control) -> None:  # noqa: F811
    client = buyer.pc.client
    subscription = bought_subscription(buyer, quantity=5)
    client.update_subscription(buyer.customer_id, subscription, scheduled_next_term=ScheduledNextTerm.of(
        BASIC, quantity=4, term_duration="P1Y", billing_cycle="monthly"))  # fmt: skip
    [premium] = [e for e in client.get_transition_eligibilities(buyer.customer_id, subscription.id)
                 if e.catalog_item_id == PREMIUM]  # fmt: skip
    assert premium.eligible and "transition_with_license_transfer" in premium.transition_types
    request_id = str(uuid.uuid4())
    kwargs: dict[str, Any] = {"to_catalog_item_id": PREMIUM, "quantity": 5, "transition_type":
                              "transition_with_license_transfer", "term_duration": "P1Y", "billing_cycle": "monthly",
                              "request_id": request_id}  # fmt: skip
    first = client.create_transition(buyer.customer_id, subscription.id, **kwargs)
    again = client.create_transition(buyer.customer_id, subscription.id, **kwargs)
    assert again == first and first.status == "completed" and first.to_subscription_id
    assert client.list_transitions(buyer.customer_id, subscription.id) == [first]
    source = read(buyer, subscription)
    assert source.status == "deleted" and source.scheduled_next_term is None
    target = client.get_subscription(buyer.customer_id, first.to_subscription_id)
    assert (target.offer_id, target.quantity) == (PREMIUM, 5)
    now = restore_clock.call("GET", "/_sandbox/clock")["now"]
    lines = recon_lines(buyer, restore_clock, now[:7], subscription.id, target.id)
    assert {(x["subscriptionId"], x["chargeType"]) for x in lines} >= {(subscription.id, "cancel"), (target.id, "new")}


def test_an_ineligible_transition_is_refused(buyer: Buyer) -> None:  # noqa: F811
    subscription = bought_subscription(buyer)
    with pytest.raises(TransitionNotEligible):
        buyer.pc.client.create_transition(
            buyer.customer_id, subscription.id, to_catalog_item_id="CFQ7TTC0LH16:0001:CFQ7TTC0K97F", quantity=1,
            transition_type="transition_only", term_duration="P1Y", billing_cycle="monthly",
            request_id=str(uuid.uuid4()),
        )  # fmt: skip


def _trial(buyer: Buyer) -> Subscription:  # noqa: F811
    client = buyer.pc.client
    cart = client.create_cart(buyer.customer_id, [CartLine(PREMIUM_TRIAL, 3, "P1M", "none",
                                                           reseller_partner_id=buyer.reseller_partner_id)])  # fmt: skip
    order_id = client.checkout_cart(buyer.customer_id, cart.id).orders[0].id
    deadline = time.monotonic() + 15
    while not (ids := [i.subscription_id for i in client.get_order(buyer.customer_id, order_id).line_items
                       if i.subscription_id]):  # fmt: skip
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return client.get_subscription(buyer.customer_id, str(ids[0]))


def test_a_trial_converts_or_expires_and_is_never_billed(buyer: Buyer, restore_clock: Control) -> None:  # noqa: F811
    client = buyer.pc.client
    converting, lapsing = _trial(buyer), _trial(buyer)
    assert converting.is_trial
    [conversion] = client.get_transition_eligibilities(buyer.customer_id, converting.id)
    assert conversion.catalog_item_id == PREMIUM and conversion.eligible
    paid = client.create_transition(buyer.customer_id, converting.id, to_catalog_item_id=PREMIUM, quantity=3,
                                    transition_type="transition_only", term_duration="P1Y", billing_cycle="monthly",
                                    request_id=str(uuid.uuid4()))  # fmt: skip
    assert paid.to_subscription_id and not client.get_subscription(buyer.customer_id, paid.to_subscription_id).is_trial
    now = advance(restore_clock, "P1M")
    assert read(buyer, lapsing).status == "expired"
    assert recon_lines(buyer, restore_clock, now[:7], converting.id, lapsing.id) == []
