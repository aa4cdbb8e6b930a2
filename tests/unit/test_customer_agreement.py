"""The Microsoft Customer Agreement rule (docs/business.md#the-microsoft-customer-agreement): no order reaches
Partner Center for a customer without an accepted agreement; an acceptance is recorded there, read back and
audited; the relationship checks and the sweep see an acceptance given elsewhere. Against fakes;
tests/integration/test_customer_agreement.py proves the same against the sandbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.agreements import (
    AgreementContact,
    AgreementStatus,
    CustomerAgreement,
    agreement_status,
    date_agreed_problem,
    newest_acceptance,
    order_refusal,
)
from shared.domain.orders import OrderStatus
from shared.domain.relationships import RelationshipStatus
from shared.partner_center import AgreementContact as PartnerCenterContact
from shared.partner_center import Conflict as PartnerCenterConflict
from shared.partner_center import CustomerAgreement as PartnerCenterAgreement
from shared.partner_center import CustomerAgreementMissing
from shared.services.agreements import AgreementMissing
from shared.services.errors import Conflict, Forbidden, Invalid, NotFound
from shared.services.orders import LineRequest
from tests.unit.fake_platform import (
    CUSTOMER_TENANT,
    PROVIDER_ID,
    RESELLER_TENANT,
    FakePlatform,
    catalog_item,
    customer_admin,
    provider_staff,
    reseller_staff,
)
from tests.unit.fakes import MCA_TEMPLATE_ID, FakeTierPricing, partner_center_customer

CONTACT = AgreementContact("Tania", "Carr", "tania@northwind.test", "+1 425 555 0100")
YESTERDAY = datetime.now(UTC) - timedelta(days=1)


def _platform() -> FakePlatform:
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": (Decimal("10"), Decimal("11"), Decimal("12"))}))
    platform.catalog.items.append(catalog_item("sku-a"))
    return platform


def _in_partner_center(platform: FakePlatform, email: str, when: datetime) -> None:
    contact = PartnerCenterContact("Ada", "Admin", email)
    platform.partner_center.agreements[CUSTOMER_TENANT].append(
        PartnerCenterAgreement("MicrosoftCustomerAgreement", MCA_TEMPLATE_ID, when, contact)
    )


def test_the_rule_in_pure_terms() -> None:
    accepted = CustomerAgreement(YESTERDAY, CONTACT)
    assert agreement_status(None) is AgreementStatus.MISSING and agreement_status(accepted) is AgreementStatus.ACCEPTED
    assert order_refusal(accepted) is None
    assert "Microsoft Customer Agreement" in (order_refusal(None) or "")
    later = CustomerAgreement(YESTERDAY + timedelta(hours=5), replace(CONTACT, email="later@northwind.test"))
    assert newest_acceptance([accepted, later]) == later and newest_acceptance([]) is None
    now = datetime.now(UTC)
    assert date_agreed_problem(now + timedelta(minutes=1), now) and date_agreed_problem(now, now) is None


@pytest.mark.parametrize("source", ["staff", "storefront"])
def test_an_order_for_a_customer_without_the_agreement_is_refused_before_partner_center(source: str) -> None:
    platform = _platform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, agreement=None, storefront_enabled=True)
    principal = provider_staff() if source == "staff" else customer_admin(customer)
    with pytest.raises(AgreementMissing) as refused:
        platform.order_service().place(
            principal, customer.id, [LineRequest("sku-a", 1, "P1Y", "monthly")], source=source
        )
    assert refused.value.status == 409 and refused.value.slug == "customer-agreement-missing"
    assert "Microsoft Customer Agreement" in refused.value.detail
    assert platform.partner_center.calls == [] and list(platform.orders.for_customer(customer.id)) == []


def test_staff_record_an_acceptance_in_partner_center_read_it_back_and_audit_it() -> None:
    platform = _platform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, agreement=None)
    recorded = platform.agreement_service().record(
        reseller_staff(reseller), customer.id, contact=CONTACT, date_agreed=YESTERDAY
    )
    assert recorded.agreement is not None and recorded.agreement.contact == CONTACT
    assert recorded.agreement.accepted_at == YESTERDAY and recorded.agreement.template_id == MCA_TEMPLATE_ID
    assert platform.partner_center.calls == [
        "get_agreement_template", "create_customer_agreement", "list_customer_agreements",
    ]  # fmt: skip
    assert platform.audit.actions(customer.id) == ["customer.agreementAccepted"]
    stored = platform.customers.get(PROVIDER_ID, customer.id)
    assert stored is not None and stored.agreement == recorded.agreement
    order = platform.order_service().place(provider_staff(), customer.id, [LineRequest("sku-a", 1, "P1Y", "monthly")])
    assert order.status is OrderStatus.ACCEPTED


def test_an_acceptance_partner_center_already_holds_is_confirmed_not_refused() -> None:
    platform = _platform()
    customer = platform.add_customer(platform.add_reseller(), agreement=None)
    _in_partner_center(platform, "ada@northwind.test", YESTERDAY)
    platform.partner_center.fail_next("create_customer_agreement", PartnerCenterConflict(status=409, code=600061))
    recorded = platform.agreement_service().record(
        provider_staff(), customer.id, contact=CONTACT, date_agreed=YESTERDAY
    )
    assert recorded.agreement is not None and recorded.agreement.contact.email == "ada@northwind.test"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"date_agreed": datetime.now(UTC) + timedelta(days=1)}, Invalid),
        ({"status": RelationshipStatus.INVITED}, Conflict),
        ({"principal": "customer"}, Forbidden),
        ({"principal": "other provider"}, NotFound),
    ],
)
def test_a_bad_acceptance_changes_nothing(change: dict[str, object], expected: type[Exception]) -> None:
    platform = _platform()
    reseller = platform.add_reseller()
    status = change.get("status", RelationshipStatus.ACTIVE)
    customer = platform.add_customer(reseller, status=status, agreement=None)  # type: ignore[arg-type]
    principal = {
        "customer": customer_admin(customer),
        "other provider": replace(provider_staff(), org=replace(provider_staff().org, org_id="prov-2")),
    }.get(str(change.get("principal")), provider_staff())
    date_agreed = change.get("date_agreed", YESTERDAY)
    with pytest.raises(expected):
        platform.agreement_service().record(principal, customer.id, contact=CONTACT, date_agreed=date_agreed)  # type: ignore[arg-type]
    assert "create_customer_agreement" not in platform.partner_center.calls
    assert platform.audit.actions(customer.id) == []


def test_the_check_that_activates_a_customer_reads_its_agreement() -> None:
    platform = _platform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, status=RelationshipStatus.INVITED)
    platform.partner_center.customers[CUSTOMER_TENANT] = partner_center_customer(
        CUSTOMER_TENANT, domain="northwind.onmicrosoft.com", country="GB"
    )
    platform.partner_center.customer_resellers[CUSTOMER_TENANT] = [RESELLER_TENANT]
    _in_partner_center(platform, "ada@northwind.test", YESTERDAY)
    active = platform.relationship_service().check_customer(PROVIDER_ID, customer.id, 1)
    assert active is not None and active.status is RelationshipStatus.ACTIVE
    assert active.agreement is not None and active.agreement.contact.email == "ada@northwind.test"
    assert platform.audit.actions(customer.id) == ["customer.active", "customer.agreementAccepted"]


def test_the_sweep_sees_an_acceptance_given_in_partner_center() -> None:
    platform = _platform()
    customer = platform.add_customer(platform.add_reseller(), agreement=None, market_read_at=datetime.now(UTC))
    platform.partner_center.customers[CUSTOMER_TENANT] = partner_center_customer(CUSTOMER_TENANT, domain="n.test")
    platform.relationship_service().sweep()
    assert platform.customers.get(PROVIDER_ID, customer.id).agreement is None  # type: ignore[union-attr]
    _in_partner_center(platform, "ada@northwind.test", YESTERDAY)
    platform.relationship_service().sweep()
    swept = platform.customers.get(PROVIDER_ID, customer.id)
    assert swept is not None and swept.agreement is not None
    assert swept.agreement.contact.email == "ada@northwind.test"


def test_a_checkout_refused_with_13605_fails_the_order_with_the_rule_and_rereads_the_agreement() -> None:
    platform = _platform()
    customer = platform.add_customer(platform.add_reseller())  # accepted in our records, not in Partner Center
    order = platform.order_service().place(provider_staff(), customer.id, [LineRequest("sku-a", 1, "P1Y", "monthly")])
    platform.partner_center.fail_next("checkout_cart", CustomerAgreementMissing(status=403, code=13605))
    failed = platform.provisioning_service().provision(order.customer_id, order.id, order.provisioning.attempt)
    assert failed is not None and failed.status is OrderStatus.FAILED
    assert "Microsoft Customer Agreement" in (failed.failure_reason or "") and "13605" in (failed.failure_reason or "")
    reread = platform.customers.get(PROVIDER_ID, customer.id)
    assert reread is not None and reread.agreement is None
    assert "customer.agreementMissing" in platform.audit.actions(customer.id)
