"""The client reads the Microsoft Customer Agreement template, attests acceptances and reads them back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shared.partner_center import (
    AgreementContact,
    CartLine,
    Conflict,
    CustomerAgreementMissing,
    InvalidRequest,
)
from tests.partner_center.conftest import Control, ProviderClient

CONTACT = AgreementContact("Tania", "Carr", "tania@wingtip.example", "+31 20 123 4567")


def _declined_customer(control: Control, provider: dict[str, Any]) -> tuple[str, str]:
    reseller = control.accept_reseller(provider)
    answer = control.call(
        "POST",
        "/_sandbox/customers/accept",
        {"providerTenantId": provider["tenantId"], "resellerPartnerId": reseller, "acceptAgreement": False},
    )
    return str(answer["tenantId"]), reseller


def test_template_is_the_customer_agreement_with_its_link(fresh_client: ProviderClient) -> None:
    template = fresh_client.client.get_agreement_template()
    assert template.agreement_type == "MicrosoftCustomerAgreement"
    assert template.template_id and (template.agreement_link or "").startswith("https://")


def test_an_attested_acceptance_reads_back_and_unblocks_checkout(
    fresh_client: ProviderClient, control: Control
) -> None:
    client = fresh_client.client
    customer_id, reseller = _declined_customer(control, fresh_client.provider)
    assert client.list_customer_agreements(customer_id) == []
    [availability] = client.list_availabilities("CFQ7TTC0LH18", "0001", country="NL")[:1]
    cart_line = CartLine(availability.catalog_item_id, 3, "P1Y", "monthly", reseller_partner_id=reseller)
    with pytest.raises(CustomerAgreementMissing) as refused:
        client.checkout_cart(customer_id, client.create_cart(customer_id, [cart_line]).id)
    assert refused.value.code == 13605 and refused.value.status == 403
    template = client.get_agreement_template()
    agreed = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    created = client.create_customer_agreement(
        customer_id, contact=CONTACT, date_agreed=agreed, template_id=template.template_id
    )
    assert created.primary_contact == CONTACT and created.template_id == template.template_id
    assert created.date_agreed is not None and abs(created.date_agreed - agreed) < dt.timedelta(seconds=1)
    [listed] = client.list_customer_agreements(customer_id)
    assert listed.primary_contact.email == CONTACT.email and listed.type == "MicrosoftCustomerAgreement"
    result = client.checkout_cart(customer_id, client.create_cart(customer_id, [cart_line]).id)
    assert result.orders


def test_the_same_acceptance_twice_is_a_conflict_and_a_bad_one_invalid(
    fresh_client: ProviderClient, control: Control
) -> None:
    client = fresh_client.client
    customer_id, _ = _declined_customer(control, fresh_client.provider)
    template_id = client.get_agreement_template().template_id
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    client.create_customer_agreement(customer_id, contact=CONTACT, date_agreed=yesterday, template_id=template_id)
    with pytest.raises(Conflict) as duplicate:
        client.create_customer_agreement(customer_id, contact=CONTACT, date_agreed=yesterday, template_id=template_id)
    assert duplicate.value.code == 600061
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    other = AgreementContact("Ops", "Team", "ops@wingtip.example")
    with pytest.raises(InvalidRequest):
        client.create_customer_agreement(customer_id, contact=other, date_agreed=tomorrow, template_id=template_id)
    assert len(client.list_customer_agreements(customer_id)) == 1
