"""The one composition root: builds every service from settings, lazily (nothing runs at import)."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING, TypedDict, TypeVar, Unpack

from shared.auth.tokens import TokenValidator
from shared.config import Settings, get_settings
from shared.domain.relationships import CheckPolicy, Provider
from shared.services.enrollment import EnrollmentService
from shared.services.health import Check, HealthReport, http_reachable, run_checks
from shared.services.members import MemberService
from shared.services.relationships import RelationshipService
from shared.storage.audit import AuditLog
from shared.storage.consent import ConsentStateStore
from shared.storage.idempotency import IdempotencyStore
from shared.storage.members import MemberRepository
from shared.storage.organizations import OrganizationRepository
from shared.storage.paging import ContinuationTokens
from shared.storage.relationships import CustomerRepository, ProviderRepository, ResellerRepository
from shared.storage.tables import TableStorage

if TYPE_CHECKING:  # the modules behind these are imported where each member is first built, not at import
    from azure.core.credentials import TokenCredential

    from shared.messaging import MessagePublisher
    from shared.partner_center import PartnerCenterClient, PartnerCenterClients, PartnerCenterEndpoints
    from shared.partner_center.webhooks import WebhookVerifier
    from shared.secrets.port import SecretStore
    from shared.services.agreements import CustomerAgreementService
    from shared.services.billing import BillingService
    from shared.services.catalog import CatalogAdmin, CatalogSync
    from shared.services.dashboard import ProviderSummary
    from shared.services.events import EventService
    from shared.services.notifications import NotificationService
    from shared.services.orders import OrderService
    from shared.services.pricing import PricingService
    from shared.services.provisioning import ProvisioningService
    from shared.services.renewals import RenewalService
    from shared.services.subscriptions import SubscriptionService
    from shared.storage.billing import BillingBlobs, BillingRunRepository
    from shared.storage.catalog import CatalogRepository
    from shared.storage.orders import OrderRepository
    from shared.storage.subscriptions import SubscriptionRepository
    from shared.storage.webhook_events import ReceivedEvents

T = TypeVar("T")


class StorageClientOptions(TypedDict, total=False):
    """The azure-core transport and retry options the table clients are built with."""

    connection_timeout: float
    read_timeout: float
    retry_total: int
    retry_backoff_factor: float
    retry_backoff_max: float


# Storage that does not answer fails a request in about a second (a 503 with Retry-After), not after the SDK's
# default back-off of ten retries; the queues redeliver what the worker could not finish.
STORAGE_CLIENT_OPTIONS: StorageClientOptions = {
    "connection_timeout": 3,
    "read_timeout": 30,
    "retry_total": 2,
    "retry_backoff_factor": 0.2,
    "retry_backoff_max": 1,
}


class Container:
    """Holds the process's clients and services; each is built on first use and then reused."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._explicit_settings = settings

    def call(self, use_case: Callable[..., T], *args: object) -> T:
        """Runs a queue handler or a sweep: `args` first, then every parameter without a default gets the member of
        its name (`provisioning_service: ProvisioningService`), so it is given what it uses and only that is built."""
        return use_case(*args, **{name: getattr(self, name) for name in dependencies_of(use_case, len(args))})

    @cached_property
    def settings(self) -> Settings:
        return self._explicit_settings or get_settings()

    @cached_property
    def credential(self) -> TokenCredential:
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential()

    def _table_storage(self, **options: Unpack[StorageClientOptions]) -> TableStorage:
        s = self.settings
        if s.storage_connection_string:
            return TableStorage(connection_string=s.storage_connection_string, **options)
        if s.storage_account_name:
            return TableStorage(
                account_url=f"https://{s.storage_account_name}.table.core.windows.net",
                credential=self.credential,
                **options,
            )
        raise RuntimeError("set STORAGE_CONNECTION_STRING or STORAGE_ACCOUNT_NAME")

    @cached_property
    def tables(self) -> TableStorage:
        return self._table_storage(**STORAGE_CLIENT_OPTIONS)

    @cached_property
    def organizations(self) -> OrganizationRepository:
        return OrganizationRepository(self.tables)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.tables)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.tables)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self.tables, ttl=timedelta(hours=self.settings.idempotency_ttl_hours))

    @cached_property
    def continuation_tokens(self) -> ContinuationTokens:
        return ContinuationTokens(self.settings.signing_secret)

    @cached_property
    def token_validator(self) -> TokenValidator:
        s = self.settings
        return TokenValidator(
            issuer=s.auth_issuer,
            audience=s.auth_audience,
            allowed_tenants=s.auth_allowed_tenant_ids,
            jwks_url=s.auth_jwks_url,
            ca_bundle=s.auth_ca_bundle,
            leeway_seconds=s.auth_clock_skew_seconds,
        )

    @cached_property
    def member_service(self) -> MemberService:
        return MemberService(self.members, self.organizations, self.audit)

    @cached_property
    def secret_store(self) -> SecretStore:
        from shared.secrets import secret_store_from_settings

        return secret_store_from_settings(self.settings)

    @cached_property
    def partner_center_endpoints(self) -> PartnerCenterEndpoints:
        from shared.partner_center import PartnerCenterEndpoints

        return PartnerCenterEndpoints.from_settings(self.settings)

    @cached_property
    def partner_center_clients(self) -> PartnerCenterClients:
        from shared.partner_center import PartnerCenterClients

        return PartnerCenterClients(self.partner_center_endpoints, self.secret_store)

    def partner_center_for(self, provider: Provider) -> PartnerCenterClient:
        """One client per provider and credentials, reused so its tokens stay cached (services are given
        `partner_center_clients.for_provider` itself)."""
        return self.partner_center_clients.for_provider(provider)

    @cached_property
    def providers(self) -> ProviderRepository:
        return ProviderRepository(self.tables)

    @cached_property
    def resellers(self) -> ResellerRepository:
        return ResellerRepository(self.tables)

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self.tables)

    @cached_property
    def enrollment_service(self) -> EnrollmentService:
        s = self.settings
        return EnrollmentService(
            self.providers,
            self.organizations,
            self.audit,
            ConsentStateStore(self.tables),
            self.secret_store,
            self.partner_center_endpoints,
            signing_secret=s.signing_secret,
            public_base_url=s.public_base_url,
            consent_ttl=timedelta(minutes=s.consent_state_ttl_minutes),
            on_enrolled=self.queue_first_catalogs,
            consent_sign_in_host=s.partner_center_consent_sign_in_host,
        )

    def queue_first_catalogs(self, provider: Provider) -> list[str]:
        """Every market of CATALOG_MARKETS, queued for a newly enrolled provider."""
        from shared.services.catalog import queue_catalog_syncs

        return queue_catalog_syncs(
            self.publisher, provider.id, self.settings.catalog_markets_list, now=datetime.now(UTC)
        )

    @cached_property
    def relationship_service(self) -> RelationshipService:
        s = self.settings
        return RelationshipService(
            providers=self.providers,
            resellers=self.resellers,
            customers=self.customers,
            organizations=self.organizations,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.partner_center_clients.for_provider,
            secret_store=self.secret_store,
            policy=CheckPolicy(
                first_delay=timedelta(seconds=s.relationship_check_first_delay_seconds),
                max_delay=timedelta(seconds=s.relationship_check_max_delay_seconds),
                expiry=timedelta(days=s.relationship_invitation_expiry_days),
            ),
            reseller_invitation_url_template=s.reseller_invitation_url_template,
            on_new_market=self.queue_market_catalog,
            catalog_currency=self.catalog.market_currency,
            confirm_agreement=self.agreement_service.confirm_quietly,
        )

    @cached_property
    def agreement_service(self) -> CustomerAgreementService:
        from shared.services.agreements import CustomerAgreementService

        return CustomerAgreementService(
            providers=self.providers,
            customers=self.customers,
            audit=self.audit,
            client_for=self.partner_center_clients.for_provider,
        )

    def queue_market_catalog(self, provider_id: str, country: str) -> list[str]:
        """A customer brought a market outside CATALOG_MARKETS: its catalog is synced too."""
        from shared.services.catalog import queue_catalog_syncs

        if country.upper() in self.settings.catalog_markets_list:
            return []
        return queue_catalog_syncs(self.publisher, provider_id, [country], now=datetime.now(UTC))

    @cached_property
    def catalog(self) -> CatalogRepository:
        from shared.storage.catalog import CatalogRepository

        return CatalogRepository(self.tables)

    @cached_property
    def pricing_service(self) -> PricingService:
        from shared.services.pricing import PricingService
        from shared.storage.pricing import PricingRepository

        return PricingService(self.catalog, PricingRepository(self.tables), self.audit)

    def markets_of(self, provider_id: str) -> list[str]:
        """The markets a provider sells in: CATALOG_MARKETS, then those its customers brought."""
        markets = list(self.settings.catalog_markets_list)
        for customer in self.customers.iter(provider_id):
            country = (customer.country or "").upper()
            if country and country not in markets:
                markets.append(country)
        return markets

    def catalog_sync_for(self, provider: Provider) -> CatalogSync:
        from shared.services.catalog import CatalogSync

        return CatalogSync(self.partner_center_for(provider), self.catalog)

    @cached_property
    def orders(self) -> OrderRepository:
        from shared.storage.orders import OrderRepository

        return OrderRepository(self.tables)

    @cached_property
    def subscriptions(self) -> SubscriptionRepository:
        from shared.storage.subscriptions import SubscriptionRepository

        return SubscriptionRepository(self.tables)

    @cached_property
    def subscription_service(self) -> SubscriptionService:
        from shared.services.subscriptions import SubscriptionService

        s = self.settings
        return SubscriptionService(
            subscriptions=self.subscriptions,
            customers=self.customers,
            providers=self.providers,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.partner_center_clients.for_provider,
            orders=self.orders,
            catalog=self.catalog,
            retry_first_delay=timedelta(seconds=s.provisioning_retry_first_delay_seconds),
            retry_max_delay=timedelta(seconds=s.provisioning_retry_max_delay_seconds),
            max_attempts=s.provisioning_max_attempts,
        )

    @cached_property
    def renewal_service(self) -> RenewalService:
        from shared.services.renewals import RenewalService

        return RenewalService(subscription_service=self.subscription_service, subscriptions=self.subscriptions,
                              customers=self.customers, resellers=self.resellers,
                              pricing=self.pricing_service)  # fmt: skip

    @cached_property
    def provisioning_service(self) -> ProvisioningService:
        from shared.services.provisioning import ProvisioningService, RetryPolicy

        s = self.settings
        return ProvisioningService(
            orders=self.orders,
            providers=self.providers,
            audit=self.audit,
            publisher=self.publisher,
            client_for=self.partner_center_clients.for_provider,
            mirror_subscription=self.subscription_service.mirror_from_order,
            on_agreement_missing=self.agreement_service.lost,
            policy=RetryPolicy(
                first_delay=timedelta(seconds=s.provisioning_retry_first_delay_seconds),
                max_delay=timedelta(seconds=s.provisioning_retry_max_delay_seconds),
                max_attempts=s.provisioning_max_attempts,
            ),
        )

    @cached_property
    def order_service(self) -> OrderService:
        from shared.services.orders import OrderService, PartnerCenterPromotionEligibility
        from shared.storage.orders import OrderIndex

        return OrderService(
            orders=self.orders,
            index=OrderIndex(self.tables),
            providers=self.providers,
            resellers=self.resellers,
            customers=self.customers,
            catalog=self.catalog,
            pricing=self.pricing_service,
            audit=self.audit,
            publisher=self.publisher,
            notify=self.notification_service.publish,
            eligibility=PartnerCenterPromotionEligibility(self.providers, self.partner_center_clients.for_provider),
            subscriptions=self.subscriptions,
            coterm_client_for=self.partner_center_clients.for_provider,
        )

    @cached_property
    def webhook_verifier(self) -> WebhookVerifier:
        from pathlib import Path

        import certifi

        from shared.partner_center.webhooks import WebhookVerifier

        s = self.settings
        roots = Path(s.webhook_trusted_roots) if s.webhook_trusted_roots else Path(certifi.where())
        return WebhookVerifier.from_config(s.webhook_trusted_cert_hosts, roots, ca_bundle=s.partner_center_ca_bundle)

    @cached_property
    def event_service(self) -> EventService:
        from shared.services.events import EventService

        return EventService(
            providers=self.providers,
            customers=self.customers,
            relationships=self.relationship_service,
            subscriptions=self.subscription_service,
            publisher=self.publisher,
            verifier=lambda: self.webhook_verifier,
            client_for=self.partner_center_clients.for_provider,
            public_base_url=self.settings.webhook_base_url or self.settings.public_base_url,
            received=self.received_events,
            audit=self.audit,
        )

    @cached_property
    def received_events(self) -> ReceivedEvents:
        from shared.storage.webhook_events import ReceivedEvents

        return ReceivedEvents(self.tables)

    @cached_property
    def notification_service(self) -> NotificationService:
        """Outbound events: webhook endpoints, fan-out and signed deliveries (shared/services/notifications.py)."""
        from shared.services.notifications import NotificationService
        from shared.storage.notifications import DeliveryRepository, EndpointRepository, Marks

        s = self.settings
        return NotificationService(
            endpoints=EndpointRepository(self.tables),
            deliveries=DeliveryRepository(self.tables),
            marks=Marks(self.tables),
            audit=self.audit,
            publisher=self.publisher,
            secret_store=self.secret_store,
            allow_loopback=s.event_webhooks_allow_loopback,
            own_base_urls=[url for url in (s.public_base_url, s.webhook_base_url) if url],
        )

    @cached_property
    def publisher(self) -> MessagePublisher:
        from shared.messaging import publisher_from_settings

        return publisher_from_settings(self.settings)

    # Health -----------------------------------------------------------------------------------

    def _check_tables(self) -> None:
        self._table_storage(retry_total=0, connection_timeout=3, read_timeout=3).ping()

    def _check_queue(self) -> None:
        s = self.settings
        if s.queue_backend == "storage":
            from azure.storage.queue import QueueServiceClient

            if s.storage_connection_string:
                client = QueueServiceClient.from_connection_string(
                    s.storage_connection_string, retry_total=0, connection_timeout=3, read_timeout=3
                )
            else:
                client = QueueServiceClient(
                    f"https://{s.storage_account_name}.queue.core.windows.net",
                    credential=self.credential,
                    retry_total=0,
                    connection_timeout=3,
                    read_timeout=3,
                )
            client.get_service_properties()
            return
        from azure.servicebus import ServiceBusClient

        if s.servicebus_connection_string:
            bus = ServiceBusClient.from_connection_string(s.servicebus_connection_string, retry_total=0)
        else:
            bus = ServiceBusClient(s.servicebus_namespace or "", credential=self.credential, retry_total=0)
        with bus, bus.get_queue_receiver("provisioning") as receiver:
            receiver.peek_messages(max_message_count=1)

    def health_checks(self) -> dict[str, Check]:
        s = self.settings
        return {
            "tables": self._check_tables,
            "queue": self._check_queue,
            "partnerCenter": http_reachable(
                f"{s.partner_center_url.rstrip('/')}/v1/profiles/legalbusiness",
                verify=s.partner_center_ca_bundle or True,
            ),
        }

    def health(self) -> HealthReport:
        return run_checks(self.health_checks())

    @cached_property
    def catalog_service(self) -> CatalogAdmin:
        from shared.services.catalog import CatalogAdmin

        return CatalogAdmin(self.catalog, self.audit)

    # Billing reconciliation ---------------------------------------------------------------------

    @cached_property
    def billing_runs(self) -> BillingRunRepository:
        from shared.storage.billing import BillingRunRepository

        return BillingRunRepository(self.tables)

    @cached_property
    def billing_blobs(self) -> BillingBlobs:
        from shared.storage.billing import BillingBlobs, blob_service_from

        return BillingBlobs(blob_service_from(self.settings, lambda: self.credential))

    @cached_property
    def provider_summary(self) -> ProviderSummary:
        from shared.services.dashboard import ProviderSummary

        return ProviderSummary(self.enrollment_service, self.resellers, self.customers, self.orders, self.billing_runs)

    @cached_property
    def billing_service(self) -> BillingService:
        from shared.services.billing import BillingService

        return BillingService(
            runs=self.billing_runs,
            blobs=self.billing_blobs,
            providers=self.providers,
            resellers=self.resellers,
            customers=self.customers,
            subscriptions=self.subscriptions,
            catalog=self.catalog,
            pricing=self.pricing_service,
            publisher=self.publisher,
            client_for=self.partner_center_clients.for_provider,
        )


@cache
def dependencies_of(use_case: Callable[..., object], given: int) -> tuple[str, ...]:
    """The members `Container.call` passes: the parameters after the `given` ones that have no default; each must
    name a public member of the container (tests/unit/test_composition_root.py checks every handler and sweep)."""
    parameters = list(inspect.signature(use_case).parameters.values())[given:]
    names = tuple(p.name for p in parameters if p.default is inspect.Parameter.empty)
    unknown = [name for name in names if name.startswith("_") or not hasattr(Container, name)]
    if unknown:
        raise TypeError(f"{use_case.__qualname__} asks for {', '.join(unknown)}: not members of Container")
    return names


_container: Container | None = None
_container_lock = threading.Lock()


def get_container() -> Container:
    """The process-wide container, created on first use."""
    global _container
    if _container is None:
        with _container_lock:
            if _container is None:
                _container = Container()
    return _container
