"""Offboarding's rules (docs/business.md#offboarding), as pure functions: the provider's decision, kept apart from
the relationship's status in Partner Center."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.relationships import (
    Customer,
    Offboarding,
    OffboardingRefused,
    RelationshipStatus,
    Reseller,
    check_buying,
    check_customer_restore,
    check_new_customer,
    check_reseller_offboarding,
    customers_still_on,
    is_purchase,
    offboarded,
    restored,
)

NOW = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)


def reseller(**changes: object) -> Reseller:
    base = Reseller(
        id="r-1", provider_id="p-1", name="Fabrikam", partner_id="1234567", contact_email="ops@fabrikam.example",
        tenant_id="t-r", status=RelationshipStatus.ACTIVE, invitation_url="https://example.test/invite",
        invited_at=NOW - timedelta(days=30), expires_at=NOW, updated_at=NOW - timedelta(days=1),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def customer(number: int = 1, **changes: object) -> Customer:
    base = Customer(
        id=f"c-{number}", provider_id="p-1", reseller_id="r-1", name=f"Customer {number}", domain=None,
        tenant_id=f"t-{number}", contact_email="it@example.test", status=RelationshipStatus.ACTIVE,
        origin="invitation", invitation_url=None, invited_at=NOW - timedelta(days=30), expires_at=NOW,
        updated_at=NOW - timedelta(days=1),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


GONE = Offboarding(at=NOW - timedelta(hours=1), by="u-alice", reason="contract ended")


def test_offboarding_records_when_who_and_why_and_leaves_the_relationship_status_alone() -> None:
    done = offboarded(customer(), by="u-alice", at=NOW, reason="contract ended")
    assert done.offboarding == Offboarding(at=NOW, by="u-alice", reason="contract ended")
    assert done.offboarded and done.status is RelationshipStatus.ACTIVE and done.updated_at == NOW


def test_offboarding_twice_is_refused_and_the_first_decision_stands() -> None:
    with pytest.raises(OffboardingRefused, match="already offboarded"):
        offboarded(customer(offboarding=GONE), by="u-bob", at=NOW, reason=None)


def test_restoring_clears_the_decision_and_one_not_offboarded_is_refused() -> None:
    back = restored(reseller(offboarding=GONE), at=NOW)
    assert back.offboarding is None and not back.offboarded and back.updated_at == NOW
    with pytest.raises(OffboardingRefused, match="is not offboarded"):
        restored(reseller(), at=NOW)


def test_a_reseller_with_customers_still_on_is_refused_naming_how_many() -> None:
    others = [customer(1), customer(2, status=RelationshipStatus.INVITED), customer(3, offboarding=GONE)]
    with pytest.raises(OffboardingRefused, match="still has 2 customers not offboarded"):
        check_reseller_offboarding(reseller(), others)
    with pytest.raises(OffboardingRefused, match="still has 1 customer not offboarded"):
        check_reseller_offboarding(reseller(), others[:1])


def test_customers_that_never_came_on_board_or_are_offboarded_do_not_hold_a_reseller_back() -> None:
    quiet = [
        customer(1, offboarding=GONE),
        customer(2, status=RelationshipStatus.EXPIRED),
        customer(3, status=RelationshipStatus.FAILED),
        customer(4, reseller_id="r-other"),
    ]
    check_reseller_offboarding(reseller(), quiet)
    ended = customer(5, status=RelationshipStatus.ENDED)  # a check may find it related again
    assert customers_still_on(reseller(), [*quiet, ended]) == [ended]


def test_a_reseller_already_offboarded_is_refused() -> None:
    with pytest.raises(OffboardingRefused, match="already offboarded"):
        check_reseller_offboarding(reseller(offboarding=GONE), [])


def test_a_customer_is_restored_only_under_a_reseller_in_business() -> None:
    with pytest.raises(OffboardingRefused, match="restore the reseller first"):
        check_customer_restore(customer(offboarding=GONE), reseller(offboarding=GONE))
    with pytest.raises(OffboardingRefused, match="is not offboarded"):
        check_customer_restore(customer(), reseller())
    check_customer_restore(customer(offboarding=GONE), reseller())


def test_nothing_new_is_bought_by_an_offboarded_customer_or_for_an_offboarded_resellers_customer() -> None:
    with pytest.raises(OffboardingRefused, match="no new orders"):
        check_buying(customer(offboarding=GONE), reseller())
    with pytest.raises(OffboardingRefused, match="reseller is offboarded"):
        check_buying(customer(), reseller(offboarding=GONE))
    check_buying(customer(), reseller())
    check_buying(customer(), None)


def test_no_customer_is_brought_in_under_an_offboarded_reseller() -> None:
    with pytest.raises(OffboardingRefused, match="no new customers"):
        check_new_customer(reseller(offboarding=GONE))
    check_new_customer(reseller())


@pytest.mark.parametrize(
    ("kind", "value", "buys"),
    [
        ("quantity", 6, True),
        ("quantity", 5, False),
        ("quantity", 4, False),
        ("status", "active", True),
        ("status", "suspended", False),
        ("autoRenew", True, True),
        ("autoRenew", False, False),
        ("cancel", True, False),
    ],
)
def test_only_changes_that_buy_more_count_as_a_purchase(kind: str, value: object, buys: bool) -> None:
    assert is_purchase(kind, value, current_quantity=5) is buys
