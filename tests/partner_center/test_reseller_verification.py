"""The client's reseller verification against the sandbox: another partner's profile and its Microsoft Partner
Agreement status (docs/partner-center.md#reseller-verification)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.partner_center import AgreementStatus, AppOnlyNotSupported, BusinessRuleViolation, InvalidRequest
from tests.partner_center.conftest import Control, ProviderClient, build_client


def fresh_partner_id() -> str:
    return str(uuid.uuid4().int % 9_000_000 + 1_000_000)


def test_a_known_partner_has_a_profile(dev_client: ProviderClient, control: Control) -> None:
    partner_id = fresh_partner_id()
    control.call("PUT", f"/_sandbox/partners/{partner_id}", {"name": "Northwind Resale"})
    profile = dev_client.client.find_mpn_profile(partner_id)
    assert profile is not None
    assert (profile.mpn_id, profile.partner_name) == (partner_id, "Northwind Resale")


def test_an_unknown_partner_is_none(dev_client: ProviderClient, control: Control) -> None:
    partner_id = fresh_partner_id()
    control.call("PUT", f"/_sandbox/partners/{partner_id}", {"known": False})
    assert dev_client.client.find_mpn_profile(partner_id) is None
    assert dev_client.client.find_mpn_profile("7777777") is None


def test_agreement_status_by_partner_id_follows_partner_center(dev_client: ProviderClient, control: Control) -> None:
    partner_id = fresh_partner_id()
    assert dev_client.client.get_reseller_agreement_status(mpn_id=partner_id) == AgreementStatus(signed=True)
    control.call("PUT", f"/_sandbox/partners/{partner_id}", {"agreementSigned": False})
    unsigned = dev_client.client.get_reseller_agreement_status(mpn_id=partner_id)
    assert (unsigned.signed, unsigned.code) == (False, 2203) and unsigned.description


def test_agreement_status_by_tenant_id(
    dev_client: ProviderClient, control: Control, dev_provider: dict[str, Any]
) -> None:
    partner_id = control.accept_reseller(dev_provider)
    listed = {r.mpn_id: r.id for r in dev_client.client.list_indirect_resellers()}
    assert dev_client.client.get_reseller_agreement_status(tenant_id=listed[partner_id]).signed is True
    control.call("PUT", f"/_sandbox/partners/{partner_id}", {"agreementSigned": False})
    unsigned = dev_client.client.get_reseller_agreement_status(tenant_id=listed[partner_id])
    assert (unsigned.signed, unsigned.code) == (False, 2206)


def test_an_unknown_partner_or_bad_input_raises(dev_client: ProviderClient, control: Control) -> None:
    partner_id = fresh_partner_id()
    control.call("PUT", f"/_sandbox/partners/{partner_id}", {"known": False})
    with pytest.raises(BusinessRuleViolation) as unknown:
        dev_client.client.get_reseller_agreement_status(mpn_id=partner_id)
    assert unknown.value.code == 2200
    with pytest.raises(InvalidRequest) as bad:
        dev_client.client.get_reseller_agreement_status(tenant_id="not-a-guid")
    assert bad.value.code == 2000
    with pytest.raises(ValueError):
        dev_client.client.get_reseller_agreement_status()


def test_without_consent_both_lookups_are_app_only_refusals(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path
) -> None:
    built = build_client(sandbox, dev_provider, tmp_path / "secrets", with_refresh_token=False)
    try:
        with pytest.raises(AppOnlyNotSupported):
            built.client.find_mpn_profile(fresh_partner_id())
        with pytest.raises(AppOnlyNotSupported):
            built.client.get_reseller_agreement_status(mpn_id=fresh_partner_id())
    finally:
        built.client.close()
