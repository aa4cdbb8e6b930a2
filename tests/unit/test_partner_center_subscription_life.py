"""The subscription's life on the wire: scheduled next-term changes, cancel at end of term, Extended Service Term,
transition eligibilities and transitions, read from and written to the shapes Partner Center (and the sandbox)
uses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.partner_center.errors import (
    BusinessRuleViolation,
    ScheduledChangeRefused,
    TransitionNotEligible,
    error_class_for,
)
from shared.partner_center.models import (
    UNSET,
    ScheduledNextTerm,
    Subscription,
    Transition,
    TransitionEligibility,
)

SCHEDULED = {
    "product": {
        "productId": "CFQ7TTC0LDPB",
        "skuId": "0001",
        "availabilityId": "CFQ7TTC0K5QW",
        "billingCycle": "Monthly",
        "termDuration": "p1y",
    },
    "quantity": 12,
    "customTermEndDate": "2027-06-30T00:00:00",
}

SUBSCRIPTION = {
    "id": "a1b2c3d4-0000-4000-8000-000000000001",
    "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
    "quantity": 10,
    "status": "active",
    "autoRenewEnabled": True,
    "isTrial": False,
    "billingCycle": "monthly",
    "termDuration": "P1Y",
    "renewalTermDuration": "",
    "scheduledNextTermInstructions": SCHEDULED,
    "cancelAtEndOfTerm": False,
    "extendedServiceTerm": None,
    "attributes": {"etag": "e1", "objectType": "Subscription"},
}


def test_scheduled_next_term_reads_the_product_quantity_and_custom_end_date() -> None:
    scheduled = ScheduledNextTerm.from_wire(SCHEDULED)
    assert scheduled == ScheduledNextTerm(
        product_id="CFQ7TTC0LDPB", sku_id="0001", availability_id="CFQ7TTC0K5QW", billing_cycle="monthly",
        term_duration="P1Y", quantity=12, custom_term_end_date=date(2027, 6, 30),
    )  # fmt: skip
    assert scheduled.catalog_item_id == "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW"


def test_absent_or_null_instructions_are_none() -> None:
    assert ScheduledNextTerm.from_wire(None) is None
    assert ScheduledNextTerm.from_wire({}) is None


def test_of_splits_the_catalog_item_and_to_wire_writes_what_from_wire_reads() -> None:
    scheduled = ScheduledNextTerm.of("CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW", quantity=3, term_duration="p1m",
                                     billing_cycle="Monthly", promotion_id="P1")  # fmt: skip
    wire = scheduled.to_wire()
    assert wire == {
        "product": {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "CFQ7TTC0K5QW",
                    "billingCycle": "monthly", "termDuration": "P1M", "promotionId": "P1"},
        "quantity": 3,
    }  # fmt: skip
    assert ScheduledNextTerm.from_wire(wire) == scheduled
    with pytest.raises(ValueError):
        ScheduledNextTerm.of("not-an-item", quantity=1, term_duration="P1Y", billing_cycle="monthly")


def test_subscription_reads_trial_schedule_cancel_at_end_and_extended_service_term() -> None:
    subscription = Subscription.from_wire(SUBSCRIPTION)
    assert subscription.is_trial is False
    assert subscription.scheduled_next_term is not None and subscription.scheduled_next_term.quantity == 12
    assert subscription.cancel_at_end_of_term is False and subscription.extended_service_term is None
    in_est = Subscription.from_wire(
        {**SUBSCRIPTION, "autoRenewEnabled": False, "scheduledNextTermInstructions": None, "isTrial": True,
         "extendedServiceTerm": {"startDate": "2027-01-01T00:00:00Z", "endDate": "2027-02-01T00:00:00Z",
                                 "premiumRate": "0.20"}}
    )  # fmt: skip
    assert in_est.is_trial and in_est.scheduled_next_term is None
    assert in_est.extended_service_term is not None
    assert in_est.extended_service_term.start == datetime(2027, 1, 1, tzinfo=UTC)
    assert in_est.extended_service_term.premium_rate == Decimal("0.20")


def test_an_old_resource_without_the_new_fields_reads_with_defaults() -> None:
    new_fields = ("isTrial", "scheduledNextTermInstructions", "cancelAtEndOfTerm", "extendedServiceTerm")
    old = {k: v for k, v in SUBSCRIPTION.items() if k not in new_fields}
    subscription = Subscription.from_wire(old)
    assert (subscription.is_trial, subscription.scheduled_next_term, subscription.cancel_at_end_of_term,
            subscription.extended_service_term) == (False, None, False, None)  # fmt: skip


def test_patch_body_leaves_scheduled_instructions_as_read_unless_asked() -> None:
    subscription = Subscription.from_wire(SUBSCRIPTION)
    assert subscription.changed(quantity=11)["scheduledNextTermInstructions"] == SCHEDULED
    assert subscription.changed(scheduled_next_term=UNSET)["scheduledNextTermInstructions"] == SCHEDULED


def test_patch_body_clears_instructions_with_null_and_sets_them_with_auto_renew_on() -> None:
    subscription = Subscription.from_wire({**SUBSCRIPTION, "autoRenewEnabled": False, "cancelAtEndOfTerm": True})
    cleared = subscription.changed(scheduled_next_term=None)
    assert "scheduledNextTermInstructions" in cleared and cleared["scheduledNextTermInstructions"] is None
    target = ScheduledNextTerm.of("CFQ7TTC0LCHC:0002:CFQ7TTC0K5DR", quantity=5, term_duration="P1Y",
                                  billing_cycle="annual")  # fmt: skip
    body = subscription.changed(scheduled_next_term=target)
    assert body["scheduledNextTermInstructions"] == target.to_wire()
    assert body["autoRenewEnabled"] is True and body["cancelAtEndOfTerm"] is False


def test_cancel_at_end_of_term_turns_auto_renew_off_in_the_body() -> None:
    body = Subscription.from_wire(SUBSCRIPTION).changed(cancel_at_end_of_term=True)
    assert body["cancelAtEndOfTerm"] is True and body["autoRenewEnabled"] is False
    assert Subscription.from_wire(SUBSCRIPTION).changed(cancel_at_end_of_term=False)["cancelAtEndOfTerm"] is False


def test_transition_eligibility_keeps_eligible_types_and_the_reasons_of_ineligible_ones() -> None:
    eligible = TransitionEligibility.from_wire(
        {"catalogItemId": "CFQ7TTC0LCHC:0002:CFQ7TTC0K5DR", "title": "Microsoft 365 Business Premium",
         "description": "Business Standard plus advanced security.", "quantity": 10,
         "eligibilities": [{"isEligible": True, "transitionType": "transition_only", "errors": []},
                           {"isEligible": True, "transitionType": "transition_with_license_transfer",
                            "errors": []}]}
    )  # fmt: skip
    assert eligible.eligible and eligible.transition_types == ("transition_only", "transition_with_license_transfer")
    assert eligible.errors == () and eligible.quantity == 10
    refused = TransitionEligibility.from_wire(
        {"catalogItemId": "X:0001:Y", "title": "X",
         "eligibilities": [{"isEligible": False, "transitionType": "transition_only",
                            "errors": [{"code": 800002, "description": "Not eligible for transition."}]}]}
    )  # fmt: skip
    assert not refused.eligible and refused.transition_types == ()
    assert refused.errors == ((800002, "Not eligible for transition."),) and refused.description is None


def test_transition_reads_the_created_resource() -> None:
    transition = Transition.from_wire(
        {"id": "t1", "fromCatalogItemId": "A:0001:B", "fromSubscriptionId": "s1", "toCatalogItemId": "C:0001:D",
         "toSubscriptionId": "s2", "quantity": 4, "transitionType": "transition_with_license_transfer",
         "termDuration": "P1Y", "billingCycle": "Monthly", "status": "Completed",
         "creationDate": "2026-11-01T10:00:00.1234567Z", "events": []}
    )  # fmt: skip
    assert transition.to_subscription_id == "s2" and transition.quantity == 4
    assert transition.status == "completed" and transition.billing_cycle == "monthly"
    assert transition.creation_date == datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize("code", [900244, 900245, 900246, 800093])
def test_refused_schedules_have_their_own_error(code: int) -> None:
    assert error_class_for(400, code) is ScheduledChangeRefused
    assert issubclass(ScheduledChangeRefused, BusinessRuleViolation)


def test_a_refused_transition_has_its_own_error() -> None:
    assert error_class_for(400, 800002) is TransitionNotEligible
