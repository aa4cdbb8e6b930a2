"""Reseller verification as Partner Center does it: another partner's MPN profile, the Microsoft Partner Agreement
status, and checkout refusing a partner of record that is unknown or has not signed
(docs/partner-center.md#reseller-verification)."""

from __future__ import annotations

import uuid

import pytest

from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import checkout, create_cart, line


def fresh_partner_id() -> str:
    return str(uuid.uuid4().int % 9_000_000 + 1_000_000)


def set_partner(provider: Provider, partner_id: str, **state: object) -> dict[str, object]:
    response = provider.control("PUT", f"/partners/{partner_id}", json=state)
    assert response.status_code == 200, response.text
    return dict(response.json())


def error_of(response: object) -> tuple[int, int, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) >= {"code", "description", "data", "source"}, body
    return response.status_code, int(body["code"]), str(body["source"])  # type: ignore[attr-defined]


def test_a_well_formed_partner_id_is_a_known_partner_by_default(provider: Provider) -> None:
    partner_id = fresh_partner_id()
    body = provider.call("GET", f"/profiles/mpn?mpnId={partner_id}").json()
    assert body["mpnId"] == partner_id and body["profileType"] == "MpnProfile"
    assert body["attributes"]["objectType"] == "MpnProfile" and body["partnerName"]
    status = provider.call("GET", f"/compliance/csp/agreementstatus?mpnId={partner_id}")
    assert status.status_code == 200 and status.json() == {"isAgreementSigned": True}


def test_a_partner_set_unknown_is_404_3000_and_agreement_status_2200(provider: Provider) -> None:
    partner_id = fresh_partner_id()
    assert set_partner(provider, partner_id, known=False)["known"] is False
    response = provider.call("GET", f"/profiles/mpn?mpnId={partner_id}")
    assert response.status_code == 404 and response.json()["code"] == 3000
    assert partner_id in response.json()["description"]
    status = provider.call("GET", f"/compliance/csp/agreementstatus?mpnId={partner_id}")
    assert error_of(status) == (400, 2200, "ComplianceController")


def test_a_partner_named_keeps_its_name(provider: Provider) -> None:
    partner_id = fresh_partner_id()
    set_partner(provider, partner_id, name="Contoso Resale")
    assert provider.call("GET", f"/profiles/mpn?mpnId={partner_id}").json()["partnerName"] == "Contoso Resale"
    assert provider.control("GET", f"/partners/{partner_id}").json()["name"] == "Contoso Resale"


def test_an_unsigned_agreement_is_2203_by_partner_id_and_2206_by_tenant_id(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    set_partner(provider, reseller["partnerId"], agreementSigned=False)
    by_mpn = provider.call("GET", f"/compliance/csp/agreementstatus?mpnId={reseller['partnerId']}")
    assert error_of(by_mpn) == (400, 2203, "ComplianceController")
    by_tenant = provider.call("GET", f"/compliance/csp/agreementstatus?tenantId={reseller['tenantId']}")
    assert error_of(by_tenant) == (400, 2206, "ComplianceController")
    set_partner(provider, reseller["partnerId"], agreementSigned=True)
    signed = provider.call("GET", f"/compliance/csp/agreementstatus?tenantId={reseller['tenantId']}")
    assert signed.status_code == 200 and signed.json() == {"isAgreementSigned": True}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", 2001),
        ("?mpnId=12a45", 2000),
        ("?tenantId=not-a-guid", 2000),
        ("?mpnId=1234567&tenantId=6f1c2f4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f", 2000),
        ("?tenantId=6f1c2f4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f", 2205),
    ],
)
def test_agreement_status_refuses_bad_input_with_its_codes(provider: Provider, query: str, code: int) -> None:
    response = provider.call("GET", f"/compliance/csp/agreementstatus{query}")
    assert error_of(response) == (400, code, "ComplianceController")


def test_the_providers_own_partner_id_is_not_an_indirect_reseller(provider: Provider) -> None:
    response = provider.call("GET", f"/compliance/csp/agreementstatus?mpnId={provider.info['partnerId']}")
    assert error_of(response) == (400, 2204, "ComplianceController")


def test_both_lookups_need_app_user(provider: Provider) -> None:
    for path in ("/profiles/mpn?mpnId=1234567", "/compliance/csp/agreementstatus?mpnId=1234567"):
        response = provider.call("GET", path, user=False)
        assert response.status_code == 403 and response.json()["code"] == 900329


def _cart_for(provider: Provider) -> tuple[str, str, dict[str, object]]:
    reseller = provider.accept_reseller()
    customer = provider.accept_customer(reseller["partnerId"])
    cart = create_cart(provider, customer, line(reseller=str(reseller["partnerId"])))
    return customer, str(cart["id"]), reseller


def test_checkout_refuses_an_unknown_partner_of_record_with_800016(provider: Provider) -> None:
    customer, cart_id, reseller = _cart_for(provider)
    set_partner(provider, str(reseller["partnerId"]), known=False)
    assert error_of(checkout(provider, customer, cart_id)) == (400, 800016, "PCCartService")
    assert provider.call("GET", f"/customers/{customer}/carts/{cart_id}").json()["status"] == "Active"
    assert provider.control("GET", f"/purchases?customerTenantId={customer}").json()["totalCount"] == 0


def test_checkout_refuses_a_reseller_without_the_agreement_with_900123_until_it_signs(provider: Provider) -> None:
    customer, cart_id, reseller = _cart_for(provider)
    set_partner(provider, str(reseller["partnerId"]), agreementSigned=False)
    assert error_of(checkout(provider, customer, cart_id)) == (403, 900123, "PCCartService")
    assert provider.call("GET", f"/customers/{customer}/carts/{cart_id}").json()["status"] == "Active"
    set_partner(provider, str(reseller["partnerId"]), agreementSigned=True)
    response = checkout(provider, customer, cart_id)
    assert response.status_code == 201 and len(response.json()["orders"]) == 1


def test_the_control_route_takes_digits_only(provider: Provider) -> None:
    assert provider.control("PUT", "/partners/abc", json={"known": False}).status_code == 422
