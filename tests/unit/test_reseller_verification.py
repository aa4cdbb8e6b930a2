"""Reseller verification (docs/business.md#reseller-verification): an invitation names a partner ID Partner Center
knows; a reseller without the Microsoft Partner Agreement is flagged and is no partner of record until a check sees
it signed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.domain.relationships import (
    PARTNER_AGREEMENT_MISSING,
    RelationshipStatus,
    agreement_flag,
    partner_of_record_refusal,
)
from shared.partner_center import AppOnlyNotSupported, Unavailable
from shared.services.errors import Conflict, Invalid
from shared.services.errors import Unavailable as ServiceUnavailable
from shared.services.orders import LineRequest
from tests.unit.fake_platform import PROVIDER_ID, FakePlatform, catalog_item, provider_staff
from tests.unit.fakes import FakeTierPricing, indirect_reseller


def _invite(platform: FakePlatform, partner_id: str = "3333333"):
    return platform.relationship_service().invite_reseller(
        provider_staff(), partner_id=partner_id, name="Litware", contact_email="ops@litware.test"
    )


def _nothing_stored(platform: FakePlatform) -> bool:
    return not platform.resellers.rows and platform.audit.entries == [] and platform.publisher.sent == []


def test_the_flag_follows_the_agreement_status_and_keeps_other_flags():
    assert agreement_flag(None, signed=False) == PARTNER_AGREEMENT_MISSING
    assert agreement_flag(PARTNER_AGREEMENT_MISSING, signed=True) is None
    assert agreement_flag(None, signed=True) is None
    assert agreement_flag("somethingElse", signed=True) == "somethingElse"


def test_only_a_reseller_without_the_agreement_is_refused_as_partner_of_record():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    assert partner_of_record_refusal(reseller) is None
    flagged = platform.add_reseller(partner_id="4444444", flag=PARTNER_AGREEMENT_MISSING)
    refusal = partner_of_record_refusal(flagged) or ""
    assert "4444444" in refusal and "Microsoft Partner Agreement" in refusal


def test_an_unknown_partner_id_is_422_on_partner_id_and_nothing_is_stored():
    platform = FakePlatform()
    platform.partner_center.unknown_partners.add("3333333")
    with pytest.raises(Invalid) as refused:
        _invite(platform)
    assert [(e.field, e.message) for e in refused.value.errors] == [("partnerId", "unknown partner ID")]
    assert _nothing_stored(platform)
    assert platform.partner_center.count("get_reseller_agreement_status") == 0


@pytest.mark.parametrize("error", [Unavailable(status=503), AppOnlyNotSupported(status=403, code=900329)])
def test_partner_center_failing_the_check_is_503_and_nothing_is_stored(error):
    platform = FakePlatform()
    platform.partner_center.fail_next("find_mpn_profile", error)
    with pytest.raises(ServiceUnavailable):
        _invite(platform)
    assert _nothing_stored(platform)


def test_a_signed_reseller_is_invited_unflagged():
    platform = FakePlatform()
    invited = _invite(platform)
    assert invited.status is RelationshipStatus.INVITED and invited.flag is None
    assert platform.partner_center.count("find_mpn_profile") == 1


def test_an_unsigned_reseller_is_invited_flagged_and_the_invitation_audit_says_so():
    platform = FakePlatform()
    platform.partner_center.unsigned_partners.add("3333333")
    invited = _invite(platform)
    assert invited.status is RelationshipStatus.INVITED and invited.flag == PARTNER_AGREEMENT_MISSING
    [entry] = platform.audit.entries
    assert entry.action == "reseller.invited" and entry.after["flag"] == PARTNER_AGREEMENT_MISSING


def _flagged_shop() -> tuple[FakePlatform, object, object]:
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": (Decimal("10"), Decimal("11"), Decimal("12"))}))
    platform.catalog.items.append(catalog_item("sku-a"))
    platform.partner_center.unsigned_partners.add("2222222")
    reseller = platform.add_reseller(flag=PARTNER_AGREEMENT_MISSING)
    platform.partner_center.resellers.append(indirect_reseller(reseller.tenant_id or "", "2222222"))
    return platform, reseller, platform.add_customer(reseller)


def test_orders_for_a_flagged_resellers_customers_are_409_before_partner_center_is_asked():
    platform, _, customer = _flagged_shop()
    with pytest.raises(Conflict) as refused:
        platform.order_service().place(
            provider_staff(),
            customer.id,
            [LineRequest("sku-a", 1, "P1Y", "monthly")],  # type: ignore[attr-defined]
        )
    assert "Microsoft Partner Agreement" in refused.value.detail
    assert platform.orders.rows == {} and platform.partner_center.calls == []


def test_a_check_that_sees_the_agreement_signed_clears_the_flag_and_orders_go_through():
    platform, reseller, customer = _flagged_shop()
    platform.partner_center.unsigned_partners.clear()
    checked = platform.relationship_service().request_reseller_check(provider_staff(), reseller.id)  # type: ignore[attr-defined]
    cleared = platform.relationship_service().check_reseller(PROVIDER_ID, checked.id, checked.check.attempt)
    assert cleared is not None and cleared.flag is None and cleared.status is RelationshipStatus.ACTIVE
    assert platform.audit.actions(reseller.id) == ["reseller.flagCleared"]  # type: ignore[attr-defined]
    order = platform.order_service().place(
        provider_staff(),
        customer.id,
        [LineRequest("sku-a", 1, "P1Y", "monthly")],  # type: ignore[attr-defined]
    )
    assert order.reseller_partner_id == "2222222"


def test_a_pending_check_sets_the_flag_when_partner_center_says_unsigned_later():
    platform = FakePlatform()
    invited = _invite(platform)
    platform.partner_center.unsigned_partners.add("3333333")
    waiting = platform.relationship_service().check_reseller(PROVIDER_ID, invited.id, 1)
    assert waiting is not None and waiting.flag == PARTNER_AGREEMENT_MISSING
    assert waiting.status is RelationshipStatus.INVITED
    assert platform.audit.actions(invited.id) == ["reseller.invited", "reseller.flagged"]


def test_the_sweep_flags_an_active_reseller_that_no_longer_has_the_agreement_and_survives_errors():
    platform = FakePlatform()
    reseller = platform.add_reseller()
    other = platform.add_reseller(partner_id="5555555")
    platform.partner_center.resellers.extend(
        [indirect_reseller(reseller.tenant_id or "", "2222222"), indirect_reseller("t-5", "5555555")]
    )
    platform.partner_center.unsigned_partners.add("5555555")
    platform.partner_center.fail_next("get_reseller_agreement_status", Unavailable(status=503))
    counts = platform.relationship_service().sweep()
    assert counts["failedProviders"] == 0  # one reseller's status not read does not fail the provider's sweep
    assert platform.partner_center.count("get_reseller_agreement_status") == 2
    platform.relationship_service().sweep()
    assert platform.resellers.get(PROVIDER_ID, reseller.id).flag is None  # type: ignore[union-attr]
    assert platform.resellers.get(PROVIDER_ID, other.id).flag == PARTNER_AGREEMENT_MISSING  # type: ignore[union-attr]
    assert platform.audit.actions() == ["reseller.flagged"]
