"""The use cases wired to the fakes of tests/unit/fakes.py, as shared/bootstrap.py wires them to Table Storage and
Partner Center, and the records a test starts from (a provider, its reseller and customer, catalog items)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.domain.agreements import AgreementContact, CustomerAgreement
from shared.domain.catalog import CatalogItem, ItemStatus
from shared.domain.orders import Order
from shared.domain.relationships import (
    CheckPolicy,
    Customer,
    Provider,
    ProviderStatus,
    RelationshipCheck,
    RelationshipStatus,
    Reseller,
)
from shared.domain.scope import OrgRef, OrgType, Principal, Role
from shared.messaging import QueueNames
from shared.messaging.memory import InMemoryPublisher
from shared.services.agreements import CustomerAgreementService
from shared.services.orders import OrderService
from shared.services.provisioning import ProvisioningService, RetryPolicy
from shared.services.relationships import RelationshipService
from shared.services.subscriptions import SubscriptionService
from tests.unit.fakes import (
    FakeAudit,
    FakeCatalog,
    FakeCustomers,
    FakeOrderLookup,
    FakeOrders,
    FakeOrganizations,
    FakePartnerCenter,
    FakeProviders,
    FakeResellers,
    FakeSecretStore,
    FakeSubscriptions,
    FakeTierPricing,
)

PROVIDER_ID = "prov-1"
RESELLER_TENANT = "reseller-tenant-1"
CUSTOMER_TENANT = "customer-tenant-1"
NOW = datetime.now(UTC)
ACCEPTED_AGREEMENT = CustomerAgreement(
    accepted_at=NOW - timedelta(days=2), contact=AgreementContact("Nina", "Wind", "nina@northwind.test")
)


def _provider() -> Provider:
    return Provider(
        id=PROVIDER_ID,
        name="Contoso Distribution",
        tenant_id="provider-tenant",
        client_id="app",
        client_secret_ref="secret",
        refresh_token_ref=None,
        partner_id="1111111",
        status=ProviderStatus.ENROLLED,
        company_name="Contoso Distribution",
        created_at=NOW,
        updated_at=NOW,
    )


def catalog_item(
    catalog_item_id: str = "sku-a", *, term: str = "P1Y", country: str = "US", **changes: Any
) -> CatalogItem:
    product, sku = catalog_item_id.split("-", 1) if "-" in catalog_item_id else (catalog_item_id, "0001")
    item = CatalogItem(
        catalog_item_id=catalog_item_id,
        offer_id=f"{product.upper()}:{sku.upper()}:AVAIL",
        product_id=product.upper(),
        sku_id=sku.upper(),
        availability_id="AVAIL",
        title=f"Product {catalog_item_id}",
        sku_title=f"Product {catalog_item_id}",
        product_family="Office",
        product_type="OnlineServices",
        country=country,
        currency="USD",
        term_duration=term,
        billing_cycle="monthly",
        min_quantity=1,
        max_quantity=300,
        cost=Decimal("10.00"),
        is_addon=False,
        status=ItemStatus.ACTIVE,
        sellable=True,
        first_seen=NOW,
        last_seen=NOW,
    )
    return replace(item, **changes)


@dataclass
class FakePlatform:
    """Every port as a fake; each service built on demand over the same fakes."""

    providers: FakeProviders = field(default_factory=lambda: FakeProviders(_provider()))
    resellers: FakeResellers = field(default_factory=FakeResellers)
    customers: FakeCustomers = field(default_factory=FakeCustomers)
    organizations: FakeOrganizations = field(default_factory=FakeOrganizations)
    orders: FakeOrders = field(default_factory=FakeOrders)
    index: FakeOrderLookup = field(default_factory=FakeOrderLookup)
    subscriptions: FakeSubscriptions = field(default_factory=FakeSubscriptions)
    catalog: FakeCatalog = field(default_factory=lambda: FakeCatalog(PROVIDER_ID))
    pricing: FakeTierPricing = field(default_factory=lambda: FakeTierPricing({}))
    audit: FakeAudit = field(default_factory=FakeAudit)
    publisher: InMemoryPublisher = field(default_factory=InMemoryPublisher)
    secrets: FakeSecretStore = field(default_factory=FakeSecretStore)
    partner_center: FakePartnerCenter = field(default_factory=FakePartnerCenter)
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=3))
    checks: CheckPolicy = field(default_factory=CheckPolicy)

    def client_for(self, provider: Provider) -> FakePartnerCenter:
        return self.partner_center

    # The services ------------------------------------------------------------------------------------------

    def subscription_service(self) -> SubscriptionService:
        return SubscriptionService(
            subscriptions=self.subscriptions,
            customers=self.customers,
            providers=self.providers,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.client_for,
            orders=self.orders,
            catalog=self.catalog,
            max_attempts=3,
        )

    def provisioning_service(self) -> ProvisioningService:
        return ProvisioningService(
            orders=self.orders,
            providers=self.providers,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.client_for,
            mirror_subscription=self.subscription_service().mirror_from_order,
            policy=self.retry,
            on_agreement_missing=self.agreement_service().lost,
        )

    def agreement_service(self) -> CustomerAgreementService:
        return CustomerAgreementService(
            providers=self.providers, customers=self.customers, audit=self.audit, client_for=self.client_for
        )

    def relationship_service(self) -> RelationshipService:
        return RelationshipService(
            providers=self.providers,
            resellers=self.resellers,
            customers=self.customers,
            organizations=self.organizations,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.client_for,
            secret_store=self.secrets,
            policy=self.checks,
            reseller_invitation_url_template="https://partner.microsoft.test/invite?{providerPartnerId}",
            confirm_agreement=self.agreement_service().confirm_quietly,
        )

    def order_service(self) -> OrderService:
        return OrderService(
            orders=self.orders,
            index=self.index,
            providers=self.providers,
            resellers=self.resellers,
            customers=self.customers,
            catalog=self.catalog,
            pricing=self.pricing,
            audit=self.audit,
            publisher=self.publisher,
            subscriptions=self.subscriptions,
            coterm_client_for=self.client_for,
        )

    # Records to start from ---------------------------------------------------------------------------------

    def add_reseller(self, *, status: RelationshipStatus = RelationshipStatus.ACTIVE, **changes: Any) -> Reseller:
        reseller = Reseller(
            id=f"res-{uuid.uuid4().hex[:8]}",
            provider_id=PROVIDER_ID,
            name="Fabrikam Reselling",
            partner_id=changes.pop("partner_id", "2222222"),
            contact_email="ops@fabrikam.test",
            tenant_id=RESELLER_TENANT if status is RelationshipStatus.ACTIVE else None,
            status=status,
            invitation_url="https://partner.microsoft.test/invite",
            invited_at=NOW - timedelta(days=1),
            expires_at=NOW + timedelta(days=29),
            updated_at=NOW,
            check=RelationshipCheck(attempt=1, next_at=NOW),
        )
        reseller = replace(reseller, **changes)
        self.organizations.add(reseller.org, name=reseller.name)
        return self.resellers.add(reseller)

    def add_customer(
        self, reseller: Reseller, *, status: RelationshipStatus = RelationshipStatus.ACTIVE, **changes: Any
    ) -> Customer:
        active = status is RelationshipStatus.ACTIVE
        customer = Customer(
            id=f"cust-{uuid.uuid4().hex[:8]}",
            provider_id=PROVIDER_ID,
            reseller_id=reseller.id,
            name="Northwind Traders",
            domain="northwind.onmicrosoft.com",
            tenant_id=CUSTOMER_TENANT if active else None,
            contact_email="it@northwind.test",
            status=status,
            origin="invitation",
            invitation_url=None,
            invited_at=NOW - timedelta(days=1),
            expires_at=NOW + timedelta(days=29),
            updated_at=NOW,
            country="US" if active else None,
            currency="USD" if active else None,
            check=RelationshipCheck(attempt=1, next_at=NOW),
            # An active customer accepted the Microsoft Customer Agreement unless a test says otherwise.
            agreement=ACCEPTED_AGREEMENT if active else None,
        )
        customer = replace(customer, **changes)
        self.organizations.add(customer.org, name=customer.name)
        return self.customers.add(customer)

    def events(self) -> list[str]:
        """The types of the outbound events published (shared/services/notifications.py), oldest first."""
        return [m.payload["type"] for m in self.publisher.messages(QueueNames.NOTIFICATIONS)]

    def stored_order(self, order: Order) -> Order:
        stored = self.orders.get(order.customer_id, order.id)
        assert stored is not None
        return stored


def provider_staff() -> Principal:
    return Principal("staff@contoso", "provider-tenant", OrgRef(OrgType.PROVIDER, PROVIDER_ID), Role.PROVIDER_STAFF)


def reseller_staff(reseller: Reseller) -> Principal:
    return Principal("agent@fabrikam", RESELLER_TENANT, reseller.org, Role.RESELLER_STAFF)


def customer_admin(customer: Customer) -> Principal:
    return Principal("admin@northwind", CUSTOMER_TENANT, customer.org, Role.CUSTOMER_ADMIN)
