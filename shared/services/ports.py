"""The ports the use cases depend on: what each service asks of storage and of Partner Center, and nothing more.

They live here, beside the services, because the consumer owns an interface (the services say what they need; a
Table Storage repository in shared/storage or Partner Center's client satisfies it structurally, without importing
it): so shared/storage stays a set of adapters, a service's constructor names exactly what it uses, and a unit
test hands it an in-memory fake (tests/unit/fakes.py) instead of Azurite. Each protocol carries only the methods
the services call; a method a service starts to call is added here first (mypy then checks the adapters have it).
The queue port is shared/messaging/port.py (MessagePublisher), the secret store's shared/secrets/port.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from shared.domain.catalog import CatalogItem
from shared.domain.orders import Order
from shared.domain.promotions import Promotion
from shared.domain.relationships import Customer, Provider, Reseller
from shared.domain.scope import OrgRef, OrgType, Principal
from shared.domain.subscriptions import Subscription
from shared.partner_center import (
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    BillingProfile,
    Cart,
    CartLine,
    CheckoutResult,
    MpnProfile,
    PartnerRelationship,
)
from shared.partner_center import Customer as PartnerCenterCustomer
from shared.partner_center import CustomerAgreement as PartnerCenterAgreement
from shared.partner_center import Order as PartnerCenterOrder
from shared.partner_center import Subscription as PartnerCenterSubscription
from shared.partner_center.models import (
    UNSET,
    CustomTermEndDate,
    ScheduledNextTerm,
    Transition,
    TransitionEligibility,
    Unset,
)
from shared.storage.audited import AuditTrail

if TYPE_CHECKING:
    from shared.services.pricing import CatalogViewer, TierPrices

# Storage --------------------------------------------------------------------------------------------------------


class Orders(Protocol):
    """A customer's orders with their outbox rows (shared/storage/orders.py): `update` is a read-modify-write under
    the row's ETag, retried on a race, with the outbox row (when given) in the same transaction."""

    def add(self, order: Order, *, outbox: dict[str, Any] | None) -> Order: ...

    def get(self, customer_id: str, order_id: str) -> Order | None: ...

    def update(
        self, order: Order, change: Callable[[Order], Order | None], *, outbox: dict[str, Any] | None = None
    ) -> Order: ...

    def for_customer(self, customer_id: str) -> Iterator[Order]: ...

    def in_progress(self) -> Iterator[Order]: ...

    def outbox(self) -> Iterator[dict[str, Any]]: ...

    def remove_outbox(self, row: dict[str, Any]) -> None: ...


class OrderLookup(Protocol):
    """Order id → its customer's partition (OrderIndex)."""

    def add(self, order: Order) -> None: ...

    def customer_of(self, order_id: str) -> str | None: ...


class Providers(Protocol):
    def get(self, provider_id: str) -> Provider | None: ...

    def all(self) -> Iterator[Provider]: ...


Record = TypeVar("Record", Reseller, Customer)


class Relationships(Protocol[Record]):
    """A provider's resellers or customers (shared/storage/relationships.py): `add` raises AlreadyExists for a second
    partner ID (a reseller) or domain or tenant (a customer), `update` is ETag-guarded and retried, `claim_tenant`
    answers whether the tenant is this record's."""

    def get(self, provider_id: str, entity_id: str) -> Record | None: ...

    def visible_to(self, principal: Principal, entity_id: str) -> Record | None: ...

    def add(self, record: Record, /) -> Record: ...

    def update(self, provider_id: str, entity_id: str, change: Callable[[Record], Record | None]) -> Record: ...

    def claim_tenant(self, record: Record, tenant_id: str, /) -> bool: ...

    def iter(
        self, provider_id: str, *, status: str | None = None, equals: dict[str, str] | None = None
    ) -> Iterator[Record]: ...

    def page(
        self,
        provider_id: str,
        *,
        limit: int,
        position: dict[str, str] | None,
        equals: dict[str, str] | None = None,
        offboarded: bool | None = None,
    ) -> tuple[list[Record], dict[str, str] | None]: ...


Resellers = Relationships[Reseller]
Customers = Relationships[Customer]


class Organizations(Protocol):
    """Every organisation's lineage, which scope decisions read."""

    def get(self, org_type: OrgType, org_id: str) -> OrgRef | None: ...

    def add(self, org: OrgRef, *, name: str) -> OrgRef: ...

    def rename(self, org_type: OrgType, org_id: str, name: str) -> None: ...


class Subscriptions(Protocol):
    """The subscription mirror: `write` builds from what is stored and writes only if nobody wrote in between
    (insert-if-absent or If-Match), building again when someone did; `update` changes a stored one."""

    def locate(self, subscription_id: str) -> tuple[str, str] | None: ...

    def get(self, customer_id: str, subscription_id: str) -> Subscription | None: ...

    def write(
        self, customer_id: str, subscription_id: str, build: Callable[[Subscription | None], Subscription | None]
    ) -> tuple[Subscription | None, Subscription | None]: ...

    def update(
        self, customer_id: str, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription: ...

    def for_customer(self, customer_id: str) -> Iterator[Subscription]: ...

    def with_pending_changes(self) -> Iterator[Subscription]: ...


class Catalog(Protocol):
    """The catalog reads orders and the mirror make (one market's item, or an item in every market)."""

    def get(self, provider_id: str, country: str, catalog_item_id: str) -> CatalogItem | None: ...

    def find_everywhere(self, provider_id: str, catalog_item_id: str) -> list[CatalogItem]: ...

    def promotions(self, provider_id: str, country: str) -> list[Promotion]: ...
    def find_sku(self, provider_id: str, country: str, product_id: str, sku_id: str) -> CatalogItem | None: ...


class TierPricing(Protocol):
    """An item's price at every tier for one customer (PricingService)."""

    def tier_prices(self, viewer: CatalogViewer, item: CatalogItem) -> TierPrices: ...

    def promoted_tier_prices(self, viewer: CatalogViewer, item: CatalogItem, promotion: Promotion) -> TierPrices: ...


@dataclass(frozen=True)
class PromotionCheck:
    """One order line to check with Partner Center's promotion eligibility before the order is accepted."""

    line_number: int
    offer_id: str  # Partner Center's catalogItemId
    quantity: int
    term_duration: str
    billing_cycle: str
    promotion_id: str


class PromotionEligibility(Protocol):
    """Partner Center's verdict on promoted lines: line number -> Microsoft's reason, for the ineligible ones."""

    def refusals(self, provider_id: str, customer_tenant_id: str, checks: list[PromotionCheck]) -> dict[int, str]: ...


Audit = AuditTrail  # the append-only audit trail (shared/storage/audit.py), as shared/storage/audited.py declares it


# Partner Center -------------------------------------------------------------------------------------------------
# The client's surface each use case calls (shared/partner_center/client.py); `client_for(provider)` answers it.


class ProvisioningPartnerCenter(Protocol):
    """Carts and orders: what provisioning buys with and reads back after an unclear outcome."""

    def create_cart(self, customer_id: str, lines: Iterable[CartLine], *, request_id: str | None = None) -> Cart: ...

    def checkout_cart(self, customer_id: str, cart_id: str, *, request_id: str | None = None) -> CheckoutResult: ...

    def get_cart(self, customer_id: str, cart_id: str) -> Cart: ...

    def get_order(self, customer_id: str, order_id: str) -> PartnerCenterOrder: ...

    def list_orders(self, customer_id: str) -> list[PartnerCenterOrder]: ...


class CotermPartnerCenter(Protocol):
    """Co-terming: the end dates a new subscription may take to end with an existing one."""

    def get_custom_term_end_dates(
        self, customer_id: str, term_duration: str, *, target_subscription_id: str | None = None
    ) -> list[CustomTermEndDate]: ...


class SubscriptionPartnerCenter(Protocol):
    """Subscriptions: read, changed under new-commerce rules, listed per customer."""

    def get_subscription(self, customer_id: str, subscription_id: str) -> PartnerCenterSubscription: ...

    def list_subscriptions(self, customer_id: str) -> list[PartnerCenterSubscription]: ...

    def update_subscription(
        self,
        customer_id: str,
        subscription: PartnerCenterSubscription,
        *,
        quantity: int | None = None,
        auto_renew: bool | None = None,
        scheduled_next_term: ScheduledNextTerm | None | Unset = UNSET,
        cancel_at_end_of_term: bool | None = None,
    ) -> PartnerCenterSubscription: ...

    def get_transition_eligibilities(
        self, customer_id: str, subscription_id: str, eligibility_type: str = "immediate"
    ) -> list[TransitionEligibility]: ...

    def create_transition(
        self,
        customer_id: str,
        subscription_id: str,
        *,
        to_catalog_item_id: str,
        quantity: int,
        transition_type: str,
        term_duration: str,
        billing_cycle: str,
        request_id: str,
    ) -> Transition: ...

    def list_transitions(self, customer_id: str, subscription_id: str) -> list[Transition]: ...

    def suspend_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription: ...

    def reactivate_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription: ...

    def cancel_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription: ...


class RelationshipPartnerCenter(Protocol):
    """Relationships: who is an indirect reseller, which customers exist and under whom, new tenants."""

    def list_indirect_resellers(self) -> list[PartnerRelationship]: ...

    def find_mpn_profile(self, mpn_id: str) -> MpnProfile | None: ...

    def get_reseller_agreement_status(
        self, *, mpn_id: str | None = None, tenant_id: str | None = None
    ) -> AgreementStatus: ...

    def get_relationship_request_link(self, indirect_reseller_tenant_id: str | None = None) -> str: ...

    def get_customer(self, tenant_id: str) -> PartnerCenterCustomer: ...

    def find_customer_by_domain(self, domain: str) -> PartnerCenterCustomer | None: ...

    def get_customer_relationships(self, tenant_id: str) -> list[PartnerRelationship]: ...

    def iter_customers(self, *, page_size: int = ...) -> Iterable[PartnerCenterCustomer]: ...

    def create_customer(
        self,
        *,
        domain: str,
        billing_profile: BillingProfile,
        associated_partner_id: str | None,
        request_id: str | None = None,
    ) -> PartnerCenterCustomer: ...


class AgreementPartnerCenter(Protocol):
    """The Microsoft Customer Agreement: its template, an attested acceptance, and the acceptances a customer has."""

    def get_agreement_template(self) -> AgreementTemplate: ...

    def create_customer_agreement(
        self, customer_id: str, *, contact: AgreementContact, date_agreed: datetime, template_id: str
    ) -> PartnerCenterAgreement: ...

    def list_customer_agreements(self, customer_id: str) -> list[PartnerCenterAgreement]: ...


__all__ = [
    "AgreementPartnerCenter",
    "Audit",
    "Catalog",
    "Customers",
    "OrderLookup",
    "Orders",
    "Organizations",
    "Providers",
    "ProvisioningPartnerCenter",
    "RelationshipPartnerCenter",
    "Resellers",
    "SubscriptionPartnerCenter",
    "Subscriptions",
    "TierPricing",
]


if TYPE_CHECKING:
    # The adapters satisfy the ports: mypy checks these assignments (nothing runs). OrderIndex (OrderLookup) is
    # checked where the container passes it.
    from shared.partner_center import PartnerCenterClient
    from shared.services.pricing import PricingService
    from shared.storage.audit import AuditLog
    from shared.storage.catalog import CatalogRepository
    from shared.storage.orders import OrderRepository
    from shared.storage.organizations import OrganizationRepository
    from shared.storage.relationships import CustomerRepository, ProviderRepository, ResellerRepository
    from shared.storage.subscriptions import SubscriptionRepository

    def _adapters_fit(
        orders: OrderRepository,
        providers: ProviderRepository,
        resellers: ResellerRepository,
        customers: CustomerRepository,
        organizations: OrganizationRepository,
        subscriptions: SubscriptionRepository,
        catalog: CatalogRepository,
        audit: AuditLog,
        pricing: PricingService,
        client: PartnerCenterClient,
    ) -> None:
        _orders: Orders = orders
        _providers: Providers = providers
        _resellers: Resellers = resellers
        _customers: Customers = customers
        _organizations: Organizations = organizations
        _subscriptions: Subscriptions = subscriptions
        _catalog: Catalog = catalog
        _audit: Audit = audit
        _pricing: TierPricing = pricing
        _provisioning: ProvisioningPartnerCenter = client
        _mirror: SubscriptionPartnerCenter = client
        _relationships: RelationshipPartnerCenter = client
        _agreements: AgreementPartnerCenter = client
