"""The end of a subscription's term (docs/api-guide.md#renewals): the pure rules, then the use cases over fakes.
A reseller never drifts into Extended Service Term by accident: auto-renew off cancels at the end; EST only when
asked for. Scheduled changes, upgrades and what clears them go through the queue exactly once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.money import Money
from shared.domain.relationships import Customer
from shared.domain.renewals import (
    EndOfTerm,
    ExtendedTerm,
    ScheduledChanges,
    WipeNotConfirmed,
    check_wipe,
    end_of_term,
    end_of_term_date,
    extended_term_unit_price,
    monthly_item_id,
    renewal_window,
    scheduled_refusal,
)
from shared.domain.subscriptions import ChangeKind, ChangeRefused, Subscription, check_end_of_term
from shared.partner_center import Throttled, TransitionEligibility
from shared.services.errors import Conflict, Invalid, ScheduledChangesWouldBeWiped
from tests.unit.fake_platform import CUSTOMER_TENANT, FakePlatform, catalog_item, reseller_staff
from tests.unit.fakes import pc_subscription

NOW = datetime.now(UTC)
OFFER = "BASIC:0001:AVAIL"
STANDARD = "STANDARD:0001:AVAIL"
NEXT = ScheduledChanges(offer_id=STANDARD, quantity=8, term_duration="P1Y", billing_cycle="annual")

# -- the rules -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auto_renew", "cancel", "scheduled", "trial", "expected"),
    [
        (True, False, None, False, EndOfTerm.RENEW),
        (True, False, NEXT, False, EndOfTerm.RENEW_WITH_CHANGES),
        (False, True, None, False, EndOfTerm.CANCEL),
        (False, False, None, False, EndOfTerm.EXTENDED_SERVICE_TERM),  # what Partner Center does when nobody chose
        (False, False, None, True, EndOfTerm.CANCEL),  # trials never enter EST
        (True, True, NEXT, False, EndOfTerm.CANCEL),  # cancel wins
    ],
)
def test_the_end_of_term_is_read_from_the_mirror(
    auto_renew: bool, cancel: bool, scheduled: ScheduledChanges | None, trial: bool, expected: EndOfTerm
) -> None:
    assert end_of_term(auto_renew=auto_renew, cancel_at_end_of_term=cancel, scheduled=scheduled,
                       is_trial=trial) is expected  # fmt: skip


def test_the_end_of_term_date_is_the_est_months_end_while_in_est_and_none_when_not_active() -> None:
    term_end = datetime(2027, 9, 30, tzinfo=UTC)
    est = ExtendedTerm(datetime(2027, 10, 1, tzinfo=UTC), datetime(2027, 10, 31, tzinfo=UTC), Decimal("0.20"))
    assert end_of_term_date("active", term_end, None) == date(2027, 9, 30)
    assert end_of_term_date("active", term_end, est) == date(2027, 10, 31)
    assert end_of_term_date("expired", term_end, None) is None


def test_an_est_month_costs_the_monthly_price_plus_the_premium_at_any_tier() -> None:
    assert extended_term_unit_price(Money.of("6.00", "USD"), Decimal("0.20")) == Money.of("7.20", "USD")
    assert extended_term_unit_price(Money.of("7.2128", "EUR"), None).shown() == "8.66"  # default premium 20%
    assert monthly_item_id(f"{OFFER}:P1Y:annual") == f"{OFFER}:P1M:monthly"
    with pytest.raises(ValueError, match="negative"):
        extended_term_unit_price(Money.of("6.00", "USD"), Decimal("-0.1"))


def test_a_mid_term_change_over_scheduled_changes_needs_confirmation() -> None:
    check_wipe(None, confirmed=False)
    check_wipe(NEXT, confirmed=True)
    with pytest.raises(WipeNotConfirmed) as refused:
        check_wipe(NEXT, confirmed=False)
    assert refused.value.scheduled == NEXT


def test_the_renewal_window_defaults_to_ninety_days_and_spans_at_most_366() -> None:
    today = date(2026, 12, 7)
    assert renewal_window(None, None, today) == (today, date(2027, 3, 7))
    assert renewal_window(date(2027, 1, 1), date(2028, 1, 2), today) == (date(2027, 1, 1), date(2028, 1, 2))
    with pytest.raises(ValueError, match="366"):
        renewal_window(date(2027, 1, 1), date(2028, 1, 3), today)
    with pytest.raises(ValueError, match="before"):
        renewal_window(date(2027, 1, 2), date(2027, 1, 1), today)


def test_scheduled_changes_name_an_eligible_target_a_quantity_in_limits_and_a_date_after_the_term() -> None:
    term_end = datetime(2027, 9, 30, tzinfo=UTC)
    ok = {"minimum": 1, "maximum": 300, "own_offer_id": OFFER, "eligible_offer_ids": frozenset({STANDARD}),
          "term_end": term_end}  # fmt: skip
    assert scheduled_refusal(quantity=5, target_offer_id=STANDARD, custom_term_end_date=None, **ok) is None  # type: ignore[arg-type]
    assert scheduled_refusal(quantity=5, target_offer_id=OFFER, custom_term_end_date=None, **ok) is None  # type: ignore[arg-type]
    assert scheduled_refusal(quantity=301, target_offer_id=OFFER, custom_term_end_date=None, **ok)[0] == "quantity"  # type: ignore[arg-type,index]
    assert scheduled_refusal(quantity=5, target_offer_id="E5:0001:AVAIL", custom_term_end_date=None,
                             **ok)[0] == "catalogItemId"  # type: ignore[arg-type,index]  # fmt: skip
    assert scheduled_refusal(quantity=5, target_offer_id=OFFER, custom_term_end_date=date(2027, 9, 1),
                             **ok)[0] == "customTermEndDate"  # type: ignore[arg-type,index]  # fmt: skip


def test_a_trial_cannot_choose_est_and_an_expired_subscription_chooses_nothing() -> None:
    check_end_of_term(status="active", is_trial=False, requested="extendedServiceTerm")
    with pytest.raises(ChangeRefused, match="trial"):
        check_end_of_term(status="active", is_trial=True, requested="extendedServiceTerm")
    with pytest.raises(ChangeRefused, match="expired"):
        check_end_of_term(status="expired", is_trial=False, requested="renew")


# -- the use cases ---------------------------------------------------------------------------------------------------


def _shop(quantity: int = 10) -> tuple[FakePlatform, Customer, object]:
    platform = FakePlatform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller)
    for offer in ("basic-0001", "standard-0001"):
        for term, cycle in (("P1Y", "monthly"), ("P1Y", "annual"), ("P1M", "monthly")):
            item_id = f"{offer.split('-')[0].upper()}:0001:AVAIL:{term}:{cycle}"
            platform.catalog.items.append(replace(catalog_item(offer, term=term), catalog_item_id=item_id,
                                                  billing_cycle=cycle))  # fmt: skip
    pc = pc_subscription("sub-1", offer_id=OFFER, quantity=quantity)
    platform.partner_center.subscriptions[(CUSTOMER_TENANT, pc.id)] = pc
    provider = platform.providers.get(customer.provider_id)
    assert provider is not None
    platform.subscription_service().sync_customer(provider, customer.id)
    return platform, customer, reseller_staff(platform.resellers.get(reseller.provider_id, reseller.id))


def _stored(platform: FakePlatform, customer: Customer, sub_id: str = "sub-1") -> Subscription:
    sub = platform.subscriptions.get(customer.id, sub_id)
    assert sub is not None
    return sub


def _apply(platform: FakePlatform, customer: Customer) -> Subscription:
    change = _stored(platform, customer).change
    assert change is not None
    applied = platform.subscription_service().apply_change(customer.id, "sub-1", change.id, change.attempt)
    assert applied is not None
    return applied


def test_auto_renew_off_cancels_at_the_end_of_the_term_and_never_leads_to_est() -> None:
    platform, customer, staff = _shop()
    platform.subscription_service().request_change(staff, "sub-1", auto_renew=False)  # type: ignore[arg-type]
    done = _apply(platform, customer)
    assert done.change is None and done.end_of_term is EndOfTerm.CANCEL and done.cancel_at_end_of_term
    assert platform.partner_center.subscriptions[(CUSTOMER_TENANT, "sub-1")].cancel_at_end_of_term
    assert "subscription.change.autoRenew" in platform.audit.actions("sub-1")


def test_est_only_when_asked_for_explicitly_and_renew_turns_it_back() -> None:
    platform, customer, staff = _shop()
    service = platform.subscription_service()
    service.request_change(staff, "sub-1", end_of_term="extendedServiceTerm")  # type: ignore[arg-type]
    assert _apply(platform, customer).end_of_term is EndOfTerm.EXTENDED_SERVICE_TERM
    service.request_change(staff, "sub-1", end_of_term="renew")  # type: ignore[arg-type]
    assert _apply(platform, customer).end_of_term is EndOfTerm.RENEW
    assert platform.audit.actions("sub-1").count("subscription.change.endOfTerm") == 2


def test_changes_scheduled_for_the_next_term_are_queued_applied_and_cleared() -> None:
    platform, customer, staff = _shop()
    platform.partner_center.eligibilities[("sub-1", "scheduled")] = [
        TransitionEligibility(STANDARD, "Standard", None, None, True, ("transition_only",), ())
    ]
    service = platform.subscription_service()
    queued = service.request_renewal(staff, "sub-1", quantity=8, catalog_item_id=f"{STANDARD}:P1Y:annual")  # type: ignore[arg-type]
    assert queued.change is not None and queued.change.kind is ChangeKind.RENEWAL
    done = _apply(platform, customer)
    assert done.scheduled == NEXT and done.end_of_term is EndOfTerm.RENEW_WITH_CHANGES and done.change is None
    service.request_renewal(staff, "sub-1", clear=True)  # type: ignore[arg-type]
    assert _apply(platform, customer).scheduled is None


def test_a_target_that_is_not_eligible_at_renewal_is_422_and_nothing_is_queued() -> None:
    platform, customer, staff = _shop()
    with pytest.raises(Invalid) as refused:
        platform.subscription_service().request_renewal(staff, "sub-1", catalog_item_id=f"{STANDARD}:P1Y:annual")  # type: ignore[arg-type]
    assert refused.value.errors[0].field == "catalogItemId"
    assert _stored(platform, customer).change is None


def test_a_mid_term_quantity_change_over_scheduled_changes_is_refused_until_confirmed() -> None:
    platform, customer, staff = _shop()
    service = platform.subscription_service()
    service.request_renewal(staff, "sub-1", quantity=12)  # type: ignore[arg-type]
    _apply(platform, customer)
    with pytest.raises(ScheduledChangesWouldBeWiped) as refused:
        service.request_change(staff, "sub-1", quantity=11)  # type: ignore[arg-type]
    assert refused.value.extensions["scheduledChanges"]["quantity"] == 12
    assert _stored(platform, customer).change is None
    service.request_change(staff, "sub-1", quantity=11, confirm_wipe=True)  # type: ignore[arg-type]
    done = _apply(platform, customer)
    assert done.quantity == 11 and done.scheduled is None


def _eligible_upgrade(platform: FakePlatform) -> None:
    platform.partner_center.eligibilities[("sub-1", "immediate")] = [
        TransitionEligibility(STANDARD, "Standard", None, None, True, ("transition_with_license_transfer",), ()),
        TransitionEligibility("E5:0001:AVAIL", "E5", None, None, False, (), ((800002, "not eligible"),)),
    ]


def test_an_upgrade_moves_the_seats_once_and_links_both_subscriptions() -> None:
    platform, customer, staff = _shop()
    _eligible_upgrade(platform)
    service = platform.subscription_service()
    service.request_upgrade(staff, "sub-1", to_catalog_item_id=f"{STANDARD}:P1Y:monthly", quantity=10,  # type: ignore[arg-type]
                            transition_type="transitionWithLicenseTransfer")  # fmt: skip
    source = _apply(platform, customer)
    assert source.status == "deleted" and source.upgraded_to and source.change is None
    target = _stored(platform, customer, source.upgraded_to)
    assert target.upgraded_from == "sub-1" and target.quantity == 10
    assert target.catalog_item_id == f"{STANDARD}:P1Y:monthly"
    assert platform.partner_center.count("create_transition") == 1


def test_an_upgrade_whose_answer_was_lost_is_found_among_the_transitions_not_made_twice() -> None:
    platform, customer, staff = _shop()
    _eligible_upgrade(platform)
    service = platform.subscription_service()
    service.request_upgrade(staff, "sub-1", to_catalog_item_id=f"{STANDARD}:P1Y:monthly", quantity=4,  # type: ignore[arg-type]
                            transition_type="transitionWithLicenseTransfer")  # fmt: skip
    platform.partner_center.lose_next_answer("create_transition", Throttled(status=429, description="lost"))
    retried = _apply(platform, customer)  # the transition was made; its answer lost: retried later
    assert retried.change is not None and retried.change.value["progress"] == "posting"
    done = _apply(platform, customer)
    assert platform.partner_center.count("list_transitions") == 1
    assert len(platform.partner_center.transitions_by_request) == 1
    assert done.quantity == 6 and done.upgraded_to is not None and done.change is None


def test_an_upgrade_to_an_ineligible_item_is_422_with_partner_centers_reason() -> None:
    platform, customer, staff = _shop()
    _eligible_upgrade(platform)
    platform.catalog.items.append(replace(catalog_item("e5-0001"), catalog_item_id="E5:0001:AVAIL:P1Y:monthly"))
    with pytest.raises(Invalid, match="800002"):
        platform.subscription_service().request_upgrade(staff, "sub-1", to_catalog_item_id="E5:0001:AVAIL:P1Y:monthly",  # type: ignore[arg-type]
                                                        quantity=1, transition_type="transitionOnly")  # fmt: skip
    assert _stored(platform, customer).change is None


def test_an_upgrade_over_scheduled_changes_needs_confirmation_and_an_inactive_one_is_409() -> None:
    platform, customer, staff = _shop()
    _eligible_upgrade(platform)
    service = platform.subscription_service()
    service.request_renewal(staff, "sub-1", quantity=12)  # type: ignore[arg-type]
    _apply(platform, customer)
    with pytest.raises(ScheduledChangesWouldBeWiped):
        service.request_upgrade(staff, "sub-1", to_catalog_item_id=f"{STANDARD}:P1Y:monthly", quantity=1,  # type: ignore[arg-type]
                                transition_type="transitionOnly")  # fmt: skip
    platform.subscriptions.update(customer.id, "sub-1", lambda s: replace(s, status="suspended"))
    with pytest.raises(Conflict, match="suspended"):
        service.request_upgrade(staff, "sub-1", to_catalog_item_id=f"{STANDARD}:P1Y:monthly", quantity=1,  # type: ignore[arg-type]
                                transition_type="transitionOnly", confirm_wipe=True)  # fmt: skip


def test_the_mirror_keeps_trial_cancel_and_est_from_partner_center() -> None:
    platform, customer, _ = _shop()
    key = (CUSTOMER_TENANT, "sub-1")
    est = replace(platform.partner_center.subscriptions[key], auto_renew_enabled=False, is_trial=False,
                  extended_service_term=_est(), etag="etag-est")  # fmt: skip
    platform.partner_center.subscriptions[key] = est
    provider = platform.providers.get(customer.provider_id)
    assert provider is not None
    platform.subscription_service().sync_customer(provider, customer.id)
    sub = _stored(platform, customer)
    assert sub.extended_term is not None and sub.extended_term.premium_rate == Decimal("0.20")
    assert sub.end_of_term is EndOfTerm.EXTENDED_SERVICE_TERM
    assert "subscription.synced" in platform.audit.actions("sub-1")


def _est() -> object:
    from shared.partner_center.models import ExtendedServiceTerm

    return ExtendedServiceTerm(start=NOW, end=NOW + timedelta(days=30), premium_rate=Decimal("0.20"))
