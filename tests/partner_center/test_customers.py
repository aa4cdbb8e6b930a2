"""Resellers, customers and seek paging against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from shared.partner_center import Address, BillingProfile, Customer, Forbidden, NotFound
from tests.partner_center.conftest import Control, ProviderClient


def test_paging_streams_every_customer_across_many_pages(fresh_client: ProviderClient, control: Control) -> None:
    reseller = control.accept_reseller(fresh_client.provider)
    created = {control.accept_customer(fresh_client.provider, reseller, f"Paged {n}") for n in range(23)}
    pages = list(fresh_client.client.iter_customers(page_size=4).by_page())
    seen = [customer.tenant_id for page in pages for customer in page]
    assert len(pages) >= 6
    assert all(len(page) <= 4 for page in pages)
    assert len(seen) == len(set(seen))
    assert created <= set(seen)


def test_customer_filter_by_indirect_reseller_lists_only_its_customers(
    fresh_client: ProviderClient, control: Control
) -> None:
    first = control.accept_reseller(fresh_client.provider, "First Reseller")
    second = control.accept_reseller(fresh_client.provider, "Second Reseller")
    mine = {control.accept_customer(fresh_client.provider, first, f"Mine {n}") for n in range(3)}
    control.accept_customer(fresh_client.provider, second, "Theirs")
    resellers = {r.mpn_id: r for r in fresh_client.client.list_indirect_resellers()}
    assert {first, second} <= set(resellers)
    listed = fresh_client.client.iter_customers(
        page_size=2, filter_field="IndirectReseller", filter_value=resellers[first].tenant_id
    )
    assert {customer.tenant_id for customer in listed} == mine


def test_customer_relationships_name_the_reseller(fresh_client: ProviderClient, control: Control) -> None:
    reseller = control.accept_reseller(fresh_client.provider, "Named Reseller")
    tenant = control.accept_customer(fresh_client.provider, reseller, "Related")
    relationships = fresh_client.client.get_customer_relationships(tenant)
    assert [r.mpn_id for r in relationships] == [reseller]
    customer = fresh_client.client.get_customer(tenant)
    assert customer.tenant_id == tenant


def test_relationship_request_link_is_returned_verbatim(fresh_client: ProviderClient, control: Control) -> None:
    reseller = control.accept_reseller(fresh_client.provider)
    tenant_id = next(r.tenant_id for r in fresh_client.client.list_indirect_resellers() if r.mpn_id == reseller)
    url = fresh_client.client.get_relationship_request_link(tenant_id)
    assert url.startswith("https://")


def test_ended_relationship_makes_the_customer_unreadable(fresh_client: ProviderClient, control: Control) -> None:
    reseller = control.accept_reseller(fresh_client.provider)
    tenant = control.accept_customer(fresh_client.provider, reseller, "Leaving")
    control.call(
        "POST",
        "/_sandbox/relationships/end",
        {"providerTenantId": fresh_client.provider["tenantId"], "tenantId": tenant},
    )
    with pytest.raises((NotFound, Forbidden)):
        fresh_client.client.get_customer(tenant)
    assert tenant not in {c.tenant_id for c in fresh_client.client.iter_customers(page_size=50)}


def billing(company: str) -> BillingProfile:
    return BillingProfile(
        email="finance@example.com",
        culture="nl-NL",
        language="nl",
        company_name=company,
        default_address=Address(
            country="NL", city="Utrecht", address_line1="Oudegracht 100", postal_code="3511 AX",
            first_name="Jan", last_name="Jansen", phone_number="+31301112233",
        ),
    )  # fmt: skip


def test_created_customer_is_attached_to_the_reseller_and_its_domain_is_taken(
    fresh_client: ProviderClient, control: Control
) -> None:
    reseller = control.accept_reseller(fresh_client.provider)
    reseller_tenant = next(r.tenant_id for r in fresh_client.client.list_indirect_resellers() if r.mpn_id == reseller)
    domain = f"created{fresh_client.provider['tenantId'][:8]}.onmicrosoft.com"
    assert fresh_client.client.is_domain_available(domain)
    customer: Customer = fresh_client.client.create_customer(
        domain=domain, billing_profile=billing("Created B.V."), associated_partner_id=reseller_tenant
    )
    assert customer.associated_partner_id == reseller_tenant
    assert customer.user_credentials is not None and customer.user_credentials.password
    assert not fresh_client.client.is_domain_available(domain)
    assert [r.mpn_id for r in fresh_client.client.get_customer_relationships(customer.tenant_id)] == [reseller]


def test_customer_for_an_unrelated_reseller_is_refused(fresh_client: ProviderClient) -> None:
    from shared.partner_center import PartnerCenterError

    with pytest.raises(PartnerCenterError) as raised:
        fresh_client.client.create_customer(
            domain=f"unrelated{fresh_client.provider['tenantId'][:8]}.onmicrosoft.com",
            billing_profile=billing("Unrelated"),
            associated_partner_id="00000000-0000-4000-8000-00000000beef",
        )
    assert raised.value.status in (400, 403, 404)


def test_dev_provider_lists_its_profile(dev_client: ProviderClient, dev_provider: dict[str, Any]) -> None:
    assert dev_client.client.get_mpn_profile().mpn_id == dev_provider["partnerId"]


def test_customer_creation_whose_answer_is_lost_yields_the_one_customer_made(
    fresh_client: ProviderClient, faults: Control
) -> None:
    reseller = faults.accept_reseller(fresh_client.provider)
    reseller_tenant = next(r.tenant_id for r in fresh_client.client.list_indirect_resellers() if r.mpn_id == reseller)
    domain = f"lost{fresh_client.provider['tenantId'][:8]}.onmicrosoft.com"
    faults.faults(dropAfterCommit=1.0, seed=5)
    fresh_client.on_sleep = lambda seconds: faults.clear_faults()
    customer = fresh_client.client.create_customer(
        domain=domain, billing_profile=billing("Lost Answer B.V."), associated_partner_id=reseller_tenant
    )
    assert customer.domain == domain
    assert len(fresh_client.sleeps) == 1
    same_domain = [c for c in fresh_client.client.iter_customers(page_size=50) if c.domain == domain]
    assert [c.tenant_id for c in same_domain] == [customer.tenant_id]
