"""Relationships are checked, not assumed (docs/business.md#relationship-checks-and-the-sweep): a reseller turns
active once Partner Center lists it, expires past its invitation's expiry, ends when it is no longer listed; a
customer turns active only when related through its own reseller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.relationships import RelationshipStatus
from shared.messaging import QueueNames
from shared.partner_center import Throttled
from shared.services.relationships import CUSTOMER_CHECK, RESELLER_CHECK
from tests.unit.fake_platform import CUSTOMER_TENANT, PROVIDER_ID, RESELLER_TENANT, FakePlatform, provider_staff
from tests.unit.fakes import indirect_reseller, partner_center_customer

PAST = datetime.now(UTC) - timedelta(minutes=1)


def _checks_sent(platform: FakePlatform, message_type: str) -> list[tuple[int, timedelta | None]]:
    return [
        (sent.message.attempt, sent.delay)
        for sent in platform.publisher.sent
        if sent.queue == QueueNames.RELATIONSHIP_CHECKS and sent.message.type == message_type
    ]


def test_an_invited_reseller_listed_by_partner_center_turns_active():
    platform = FakePlatform()
    invited = platform.relationship_service().invite_reseller(
        provider_staff(), partner_id="3333333", name="Litware", contact_email="ops@litware.test"
    )
    assert _checks_sent(platform, RESELLER_CHECK) == [(1, None)]
    platform.partner_center.resellers.append(indirect_reseller("litware-tenant", "3333333"))
    active = platform.relationship_service().check_reseller(PROVIDER_ID, invited.id, 1)
    assert active is not None and active.status is RelationshipStatus.ACTIVE
    assert active.tenant_id == "litware-tenant" and active.activated_at is not None
    assert platform.resellers.get(PROVIDER_ID, invited.id) == active
    assert platform.audit.actions(invited.id) == ["reseller.invited", "reseller.active"]


def test_a_reseller_not_listed_yet_is_checked_again_later():
    platform = FakePlatform()
    reseller = platform.add_reseller(status=RelationshipStatus.INVITED)
    waiting = platform.relationship_service().check_reseller(PROVIDER_ID, reseller.id, 1)
    assert waiting is not None and waiting.status is RelationshipStatus.INVITED
    assert waiting.check.attempt == 2 and waiting.check.last_result == "not listed yet"
    [(attempt, delay)] = _checks_sent(platform, RESELLER_CHECK)
    assert attempt == 2 and delay is not None and delay > timedelta(0)


def test_a_throttled_check_waits_at_least_as_long_as_partner_center_asks():
    platform = FakePlatform()
    reseller = platform.add_reseller(status=RelationshipStatus.INVITED)
    platform.partner_center.fail_next("list_indirect_resellers", Throttled(status=429, retry_after=600))
    platform.relationship_service().check_reseller(PROVIDER_ID, reseller.id, 1)
    [(attempt, delay)] = _checks_sent(platform, RESELLER_CHECK)
    assert attempt == 2 and delay is not None and delay >= timedelta(seconds=600)


def test_an_invitation_past_its_expiry_expires():
    platform = FakePlatform()
    reseller = platform.add_reseller(status=RelationshipStatus.INVITED, expires_at=PAST)
    expired = platform.relationship_service().check_reseller(PROVIDER_ID, reseller.id, 1)
    assert expired is not None and expired.status is RelationshipStatus.EXPIRED
    assert platform.audit.actions(reseller.id) == ["reseller.expired"]
    assert platform.partner_center.calls == []  # decided without asking Partner Center


def test_an_active_reseller_no_longer_listed_ends_and_staff_are_told():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    counts = platform.relationship_service().sweep()
    assert counts["ended"] == 1
    ended = platform.resellers.get(PROVIDER_ID, reseller.id)
    assert ended is not None and ended.status is RelationshipStatus.ENDED and ended.ended_at is not None
    assert platform.audit.actions(reseller.id) == ["reseller.ended"]
    assert platform.events() == ["relationship.ended"]


def test_a_reseller_still_listed_stays_active():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    platform.partner_center.resellers.append(indirect_reseller(RESELLER_TENANT, reseller.partner_id))
    assert platform.relationship_service().sweep()["ended"] == 0
    assert platform.resellers.get(PROVIDER_ID, reseller.id).status is RelationshipStatus.ACTIVE  # type: ignore[union-attr]
    assert platform.audit.entries == []


def test_a_customer_related_through_its_reseller_turns_active_with_its_market():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, status=RelationshipStatus.INVITED)
    platform.partner_center.customers[CUSTOMER_TENANT] = partner_center_customer(
        CUSTOMER_TENANT, domain="northwind.onmicrosoft.com", country="GB"
    )
    platform.partner_center.customer_resellers[CUSTOMER_TENANT] = [RESELLER_TENANT]
    active = platform.relationship_service().check_customer(PROVIDER_ID, customer.id, 1)
    assert active is not None and active.status is RelationshipStatus.ACTIVE
    assert (active.tenant_id, active.country, active.currency) == (CUSTOMER_TENANT, "GB", "GBP")
    assert platform.audit.actions(customer.id) == ["customer.active"]


def test_a_customer_accepted_for_another_reseller_is_flagged_not_activated():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, status=RelationshipStatus.INVITED)
    platform.partner_center.customers[CUSTOMER_TENANT] = partner_center_customer(
        CUSTOMER_TENANT, domain="northwind.onmicrosoft.com"
    )
    platform.partner_center.customer_resellers[CUSTOMER_TENANT] = ["someone-elses-tenant"]
    flagged = platform.relationship_service().check_customer(PROVIDER_ID, customer.id, 1)
    assert flagged is not None and flagged.status is RelationshipStatus.INVITED
    assert flagged.flag == "acceptedForOtherReseller"
    assert platform.audit.actions(customer.id) == ["customer.flagged"]
    assert _checks_sent(platform, CUSTOMER_CHECK)[-1][0] == 2


def test_a_customer_invitation_past_its_expiry_expires():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, status=RelationshipStatus.INVITED, expires_at=PAST)
    expired = platform.relationship_service().check_customer(PROVIDER_ID, customer.id, 1)
    assert expired is not None and expired.status is RelationshipStatus.EXPIRED
    assert platform.audit.actions(customer.id) == ["customer.expired"]


def test_an_active_customer_partner_center_no_longer_lists_ends():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    platform.partner_center.resellers.append(indirect_reseller(RESELLER_TENANT, reseller.partner_id))
    customer = platform.add_customer(reseller)
    assert platform.relationship_service().sweep()["ended"] == 1
    assert platform.customers.get(PROVIDER_ID, customer.id).status is RelationshipStatus.ENDED  # type: ignore[union-attr]
    assert platform.audit.actions(customer.id) == ["customer.ended"]
    assert platform.events() == ["relationship.ended"]
