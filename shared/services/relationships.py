"""Resellers and customers: invitations, new tenants, and the queued checks that turn them active
(docs/business.md#relationship-checks-and-the-sweep). Relationships are checked, not assumed."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

import orjson

from shared.domain.catalog import CatalogItem
from shared.domain.markets import market_currency
from shared.domain.notifications import relationship_ended
from shared.domain.relationships import (
    PENDING,
    CheckOutcome,
    CheckPolicy,
    Customer,
    ListedReseller,
    OffboardingRefused,
    Provider,
    ProviderStatus,
    RelationshipCheck,
    RelationshipStatus,
    Reseller,
    agreement_flag,
    check_customer_restore,
    check_new_customer,
    check_reseller_offboarding,
    customer_domain,
    customer_outcome,
    find_reseller,
    offboarded,
    restored,
    schedule_next_check,
    selling_refusal,
)
from shared.domain.scope import (
    OrgRef,
    OrgType,
    Principal,
    customers_visible_to,
    may_bring_in_customer,
    may_change_customer,
    may_edit_reseller,
    may_invite_reseller,
    may_name_provider,
    may_offboard_customer,
    may_offboard_reseller,
    may_rename_reseller,
    may_request_customer_check,
    may_request_reseller_check,
    provider_of,
    resellers_visible_to,
)
from shared.domain.storefront import StorefrontPolicy
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.partner_center import (
    Address,
    BillingProfile,
    PartnerCenterError,
    Throttled,
)
from shared.partner_center import (
    Forbidden as PartnerCenterForbidden,
)
from shared.partner_center import (
    NotFound as PartnerCenterNotFound,
)
from shared.partner_center import (
    Unavailable as PartnerCenterUnavailable,
)
from shared.partner_center.errors import AuthenticationFailed
from shared.partner_center.errors import Conflict as PartnerCenterConflict
from shared.secrets.port import SecretStore
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, Unavailable, narrowed, require
from shared.services.notifications import publish_event
from shared.services.ports import (
    Audit,
    Customers,
    Organizations,
    Providers,
    RelationshipPartnerCenter,
    Relationships,
    Resellers,
)
from shared.storage.audited import audited_update
from shared.storage.relationships import AlreadyExists

log = logging.getLogger(__name__)

RESELLER_CHECK = "reseller.check"
CUSTOMER_CHECK = "customer.check"
CUSTOMER_CREATE = "customer.create"
SYSTEM = "relationship-check"
UNKNOWN_PARTNER_AGREEMENT_CODE = 2200  # agreementstatus: the partner ID is not valid (not known to Partner Center)

ClientFor = Callable[[Provider], RelationshipPartnerCenter]
Relationship = TypeVar("Relationship", Reseller, Customer)


@dataclass(frozen=True)
class NewTenant:
    """What a new customer tenant is created with (POST /api/customers)."""

    company_name: str
    domain_prefix: str
    billing_profile: BillingProfile


def _now() -> datetime:
    return datetime.now(UTC)


class MarketCatalog(Protocol):
    """The catalog reads a storefront policy is checked with (shared/storage/catalog.py)."""

    def get(self, provider_id: str, country: str, catalog_item_id: str) -> CatalogItem | None: ...

    def iter_market(self, provider_id: str, country: str) -> Iterator[CatalogItem]: ...


# Up to this many ids are looked up one by one; more are checked against one read of the whole market.
_POINT_READS = 20


def _market_items(catalog: MarketCatalog, provider_id: str, country: str, named: Collection[str]) -> frozenset[str]:
    """Which of the named ids are catalog items of the market (retired ones included: they are still its items)."""
    wanted = frozenset(named)
    if len(wanted) <= _POINT_READS:
        return frozenset(i for i in wanted if catalog.get(provider_id, country, i) is not None)
    return frozenset(item.catalog_item_id for item in catalog.iter_market(provider_id, country)) & wanted


def _retryable(error: Exception) -> bool:
    return isinstance(error, Throttled | PartnerCenterUnavailable)


def _retry_after(error: Exception | None) -> timedelta:
    seconds = getattr(error, "retry_after", None)
    return timedelta(seconds=float(seconds)) if seconds else timedelta(0)


class RelationshipService:
    def __init__(
        self,
        *,
        providers: Providers,
        resellers: Resellers,
        customers: Customers,
        organizations: Organizations,
        audit: Audit,
        publisher: MessagePublisher,
        client_for: ClientFor,
        secret_store: SecretStore,
        policy: CheckPolicy,
        reseller_invitation_url_template: str,
        on_new_market: Callable[[str, str], object] | None = None,
        catalog_currency: Callable[[str, str], str | None] | None = None,
        market_refresh: timedelta = timedelta(days=1),
        confirm_agreement: Callable[[Provider, Customer], Customer] | None = None,
    ) -> None:
        self._providers = providers
        self._resellers = resellers
        self._customers = customers
        self._organizations = organizations
        self._audit = audit
        self._publisher = publisher
        self._client_for = client_for
        self._secrets = secret_store
        self._policy = policy
        self._invitation_template = reseller_invitation_url_template
        self._on_new_market = on_new_market or (lambda provider_id, country: None)
        self._catalog_currency = catalog_currency or (lambda provider_id, country: None)
        self._market_refresh = market_refresh
        # Reads the customer's Microsoft Customer Agreement acceptance back from Partner Center (never raises).
        self._confirm_agreement = confirm_agreement or (lambda provider, customer: customer)

    # Scope ---------------------------------------------------------------------------------------------

    def _own_provider(self, principal: Principal) -> Provider:
        """The caller's provider, for routes only provider staff use."""
        require(may_invite_reseller(principal))
        provider = self._providers.get(principal.org.org_id)
        if provider is None:
            raise NotFound("your provider was not found")
        return provider

    def selling_provider(self, provider_id: str) -> Provider:
        """The provider, if it may sell now (enrolled, not disabled): 409 otherwise."""
        provider = self._providers.get(provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} was not found")
        return self._enrolled(provider)

    def _enrolled(self, provider: Provider) -> Provider:
        refusal = selling_refusal(provider)
        if refusal:
            raise Conflict(refusal)
        return provider

    def reseller(self, principal: Principal, reseller_id: str) -> Reseller:
        found = self._resellers.visible_to(principal, reseller_id)
        if found is None:
            raise NotFound(f"reseller {reseller_id} was not found")
        return found

    def customer(self, principal: Principal, customer_id: str) -> Customer:
        found = self._customers.visible_to(principal, customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} was not found")
        return found

    def _provider_scope(self, principal: Principal, provider_id: str | None) -> str:
        """Which provider's partition a list reads: the caller's own, or (operator) the one named."""
        require(may_name_provider(principal, provider_id), f"provider {provider_id} was not found")
        return provider_id or provider_of(principal) or ""

    def list_resellers(
        self,
        principal: Principal,
        *,
        provider_id: str | None,
        status: str | None,
        limit: int,
        position: dict[str, str] | None,
        offboarded: bool | None = None,
    ) -> tuple[list[Reseller], dict[str, str] | None]:
        seen = narrowed(resellers_visible_to(principal))
        partition = self._provider_scope(principal, provider_id)
        equals = {"status": status} if status else {}
        if seen.reseller_id:
            equals["id"] = seen.reseller_id
        return self._resellers.page(partition, limit=limit, position=position, equals=equals, offboarded=offboarded)

    def list_customers(
        self,
        principal: Principal,
        *,
        provider_id: str | None,
        reseller_id: str | None,
        status: str | None,
        limit: int,
        position: dict[str, str] | None,
        offboarded: bool | None = None,
    ) -> tuple[list[Customer], dict[str, str] | None]:
        partition = self._provider_scope(principal, provider_id)
        equals: dict[str, str] = {}
        if status:
            equals["status"] = status
        # A filter naming a reseller outside the caller's scope is a 404, never an empty page.
        seen = narrowed(customers_visible_to(principal, reseller_id), f"reseller {reseller_id} was not found")
        if seen.named_reseller and self._resellers.get(partition, seen.reseller_id or "") is None:
            raise NotFound(f"reseller {reseller_id} was not found")
        if seen.reseller_id:
            equals["reseller_id"] = seen.reseller_id
        if seen.customer_id:
            equals["id"] = seen.customer_id
        return self._customers.page(partition, limit=limit, position=position, equals=equals, offboarded=offboarded)

    # Resellers -----------------------------------------------------------------------------------------

    def invite_reseller(self, principal: Principal, *, partner_id: str, name: str, contact_email: str) -> Reseller:
        """Records the reseller as invited, gives the provider the link to send, and queues a check."""
        provider = self._enrolled(self._own_provider(principal))
        flag = self._verify_partner(provider, partner_id)
        now = _now()
        reseller = Reseller(
            id=str(uuid.uuid4()),
            provider_id=provider.id,
            name=name,
            partner_id=partner_id,
            contact_email=contact_email,
            tenant_id=None,
            status=RelationshipStatus.INVITED,
            invitation_url=self._invitation_template.format(
                providerPartnerId=provider.partner_id or "", resellerPartnerId=partner_id
            ),
            invited_at=now,
            expires_at=now + self._policy.expiry,
            updated_at=now,
            check=RelationshipCheck(attempt=1, next_at=now),
            flag=flag,
        )
        self._organizations.add(reseller.org, name=name)
        try:
            self._resellers.add(reseller)
        except AlreadyExists as exc:
            raise Conflict(f"a reseller with partner ID {partner_id} is already recorded for this provider") from exc
        self._audit.record(
            actor=principal,
            action="reseller.invited",
            entity_type="reseller",
            entity_id=reseller.id,
            org=reseller.org,
            before=None,
            after=reseller,
        )
        self._send_check(RESELLER_CHECK, reseller.id, provider.id, 1)
        return reseller

    def _verify_partner(self, provider: Provider, partner_id: str) -> str | None:
        """Before anything is stored: Partner Center must know the partner ID (else 422 on partnerId), and its
        Microsoft Partner Agreement status gives the new record its flag. Partner Center failing is 503."""
        client = self._client_for(provider)
        unknown = Invalid(
            f"Partner Center does not know partner ID {partner_id}",
            [FieldError("partnerId", "unknown partner ID")],
        )
        try:
            if client.find_mpn_profile(partner_id) is None:
                raise unknown
            status = client.get_reseller_agreement_status(mpn_id=partner_id)
        except PartnerCenterError as error:
            if error.status == 400 and error.code == UNKNOWN_PARTNER_AGREEMENT_CODE:
                raise unknown from error
            raise Unavailable(f"Partner Center could not verify partner ID {partner_id}: {error}") from error
        return agreement_flag(None, status.signed)

    def _reverify_agreement(self, provider: Provider, reseller: Reseller) -> Reseller:
        """Asks Partner Center again whether the reseller signed the Microsoft Partner Agreement and sets or clears
        its flag (audited when it changes); Partner Center errors propagate to the caller."""
        status = self._client_for(provider).get_reseller_agreement_status(mpn_id=reseller.partner_id)
        flag = agreement_flag(reseller.flag, status.signed)
        if flag == reseller.flag:
            return reseller
        action = "reseller.flagged" if flag else "reseller.flagCleared"
        return self._change_reseller(
            SYSTEM, reseller, action, lambda r: replace(r, flag=agreement_flag(r.flag, status.signed))
        )

    def request_reseller_check(self, principal: Principal, reseller_id: str) -> Reseller:
        reseller = self.reseller(principal, reseller_id)
        require(may_request_reseller_check(principal, reseller.org))
        return self._check_now(self._resellers, RESELLER_CHECK, reseller)

    def _check_now(
        self, repository: Relationships[Relationship], message_type: str, entity: Relationship
    ) -> Relationship:
        """A check now: it supersedes any scheduled one (only the newest attempt acts)."""
        now = _now()

        def bump(current: Relationship) -> Relationship:
            return replace(current, check=replace(current.check, attempt=current.check.attempt + 1, next_at=now))

        updated = repository.update(entity.provider_id, entity.id, bump)
        self._send_check(message_type, updated.id, updated.provider_id, updated.check.attempt)
        return updated

    def _send_check(
        self, message_type: str, entity_id: str, provider_id: str, attempt: int, delay: timedelta | None = None
    ) -> None:
        message = QueueMessage(
            type=message_type, entity_id=entity_id, attempt=attempt, payload={"providerId": provider_id}
        )
        self._publisher.send(QueueNames.RELATIONSHIP_CHECKS, message, delay=delay)

    def check_reseller(self, provider_id: str, reseller_id: str, attempt: int) -> Reseller | None:
        """One check of an invited reseller: active once Partner Center lists it, expired past its expiry."""
        reseller = self._resellers.get(provider_id, reseller_id)
        provider = self._providers.get(provider_id)
        if reseller is None or provider is None or attempt != reseller.check.attempt:
            return reseller  # (or superseded by a newer check)
        if reseller.status in (RelationshipStatus.ACTIVE, RelationshipStatus.ENDED):
            return self._recheck_reseller(provider, reseller)
        if reseller.status not in PENDING:
            return reseller
        now = _now()
        if now >= reseller.expires_at:
            return self._settle(self._resellers, "reseller", reseller, RelationshipStatus.EXPIRED, now)
        try:
            reseller = self._reverify_agreement(provider, reseller)
            listed = [
                ListedReseller(r.id, r.mpn_id or "", r.name or "", r.state or "")
                for r in self._client_for(provider).list_indirect_resellers()
            ]
        except PartnerCenterError as error:
            return self._reschedule(self._resellers, RESELLER_CHECK, reseller, now, f"error: {error}", error)
        found = find_reseller(reseller.partner_id, listed)
        if found is None:
            return self._reschedule(self._resellers, RESELLER_CHECK, reseller, now, "not listed yet")
        self._resellers.claim_tenant(reseller, found.tenant_id)
        return self._settle(
            self._resellers,
            "reseller",
            reseller,
            RelationshipStatus.ACTIVE,
            now,
            tenant_id=found.tenant_id,
            name=reseller.name or found.name,
        )

    def _recheck_reseller(self, provider: Provider, reseller: Reseller) -> Reseller:
        """ "Check now" on a settled reseller: listed and active in Partner Center, or its relationship ended; its
        Microsoft Partner Agreement status read again."""
        reseller = self._reverify_agreement(provider, reseller)
        listed = {
            (r.mpn_id or "").strip()
            for r in self._client_for(provider).list_indirect_resellers()
            if (r.state or "active").lower() == "active"
        }
        related = reseller.partner_id in listed
        now = _now()
        if reseller.status is RelationshipStatus.ACTIVE and not related:
            return self._settle(self._resellers, "reseller", reseller, RelationshipStatus.ENDED, now)
        if reseller.status is RelationshipStatus.ENDED and related:
            reseller = self._settle(
                self._resellers, "reseller", reseller, RelationshipStatus.ACTIVE, now, ended_at=None
            )
        return self._checked(self._resellers, reseller, now, "still " + reseller.status.value)

    def _reschedule(
        self,
        repository: Relationships[Relationship],
        message_type: str,
        entity: Relationship,
        now: datetime,
        result: str,
        error: Exception | None = None,
    ) -> Relationship:
        """Not settled yet: record the attempt, then send the follow-up with back-off (a scheduled message,
        so a throttled Partner Center never burns the queue's delivery count)."""
        check = schedule_next_check(entity.check, now, self._policy, result)
        delay = max(check.next_at - now, _retry_after(error)) if check.next_at else timedelta(0)

        def record(current: Relationship) -> Relationship | None:
            if current.check.attempt != entity.check.attempt or current.status not in PENDING:
                return None  # someone else moved it on
            return replace(current, check=replace(check, next_at=now + delay), updated_at=now)

        updated = repository.update(entity.provider_id, entity.id, record)
        if updated.check.attempt == check.attempt:
            self._send_check(message_type, entity.id, entity.provider_id, check.attempt, delay)
        return updated

    def _audited_change(
        self,
        repository: Relationships[Relationship],
        record: Relationship,
        change: Callable[[Relationship], Relationship | None],
        *,
        actor: Principal | str,
        action: str,
    ) -> Relationship:
        """One reseller's or customer's ETag-guarded change, audited once when it wrote (shared/storage/audited.py)."""
        updated: Relationship = audited_update(
            self._audit,
            partial(repository.update, record.provider_id, record.id),
            change,
            actor=actor,
            action=action,
            entity_type=record.org.org_type.value,
            entity_id=record.id,
            org=record.org,
        )
        return updated

    def _settle(
        self,
        repository: Relationships[Relationship],
        entity_type: str,
        entity: Relationship,
        status: RelationshipStatus,
        now: datetime,
        **changes: Any,
    ) -> Relationship:
        stamps: dict[str, Any] = {}
        if status is RelationshipStatus.ACTIVE:
            stamps["activated_at"] = now
        if status is RelationshipStatus.ENDED:
            stamps["ended_at"] = now

        def settle(current: Relationship) -> Relationship | None:
            if current.status is status:
                return None
            check = replace(current.check, next_at=None, last_at=now, last_result=status.value)
            return replace(current, status=status, updated_at=now, check=check, **stamps, **changes)

        updated = self._audited_change(repository, entity, settle, actor=SYSTEM, action=f"{entity_type}.{status.value}")
        if updated.status is status and entity.status is not status and status is RelationshipStatus.ENDED:
            publish_event(self._publisher, relationship_ended(updated.org, updated.name, updated.ended_at or now))
        return updated

    # Editing and offboarding (docs/business.md#offboarding) ------------------------------------------------

    def edit_customer(
        self, principal: Principal, customer_id: str, *, name: str | None = None, contact_email: str | None = None
    ) -> Customer:
        """Its name or contact e-mail: the provider's staff or its reseller's (audited with before and after)."""
        customer = self._changeable_customer(principal, customer_id)
        fields = {k: v for k, v in (("name", name), ("contact_email", contact_email)) if v is not None}
        if not fields:
            return customer
        edited = self._change_customer(principal, customer, "customer.edited", **fields)
        if name is not None:
            self._organizations.rename(OrgType.CUSTOMER, customer_id, edited.name)
        return edited

    def edit_reseller(
        self, principal: Principal, reseller_id: str, *, name: str | None = None, contact_email: str | None = None
    ) -> Reseller:
        """Provider staff edit a reseller's name and contact; the reseller's own admin keeps its contact e-mail
        current but does not rename itself (the name is how the provider knows it)."""
        reseller = self.reseller(principal, reseller_id)
        require(may_edit_reseller(principal, reseller.org))
        if name is not None:
            require(may_rename_reseller(principal, reseller.org))
        fields = {k: v for k, v in (("name", name), ("contact_email", contact_email)) if v is not None}
        if not fields:
            return reseller
        edited = self._change_reseller(principal, reseller, "reseller.edited", lambda r: replace(r, **fields))  # type: ignore[arg-type]
        if name is not None:
            self._organizations.rename(OrgType.RESELLER, reseller_id, edited.name)
        return edited

    def has_offboarded_reseller(self, customer: Customer) -> bool:
        """Whether the customer's reseller is offboarded (its customers buy nothing new)."""
        reseller = self._resellers.get(customer.provider_id, customer.reseller_id)
        return reseller is not None and reseller.offboarded

    def offboard_customer(self, principal: Principal, customer_id: str, *, reason: str | None) -> Customer:
        """No new orders from now on; its subscriptions, orders and billing are left as they are (409 when it
        already is offboarded)."""
        customer = self._offboarding_customer(principal, customer_id)
        now = _now()
        return self._change_customer_by(
            principal, customer, "customer.offboarded",
            lambda c: offboarded(c, by=principal.user_id, at=now, reason=reason),
        )  # fmt: skip

    def restore_customer(self, principal: Principal, customer_id: str) -> Customer:
        """Back in business; under an offboarded reseller it is 409 (restore the reseller first)."""
        customer = self._offboarding_customer(principal, customer_id)
        now = _now()

        def restore(current: Customer) -> Customer:
            check_customer_restore(current, self._resellers.get(current.provider_id, current.reseller_id))
            return restored(current, at=now)

        return self._change_customer_by(principal, customer, "customer.restored", restore)

    def offboard_reseller(self, principal: Principal, reseller_id: str, *, reason: str | None) -> Reseller:
        """Only once none of its customers is still on (409 naming how many are)."""
        reseller = self._offboarding_reseller(principal, reseller_id)
        now = _now()

        def offboard(current: Reseller) -> Reseller:
            customers = self._customers.iter(current.provider_id, equals={"reseller_id": current.id})
            check_reseller_offboarding(current, customers)
            return offboarded(current, by=principal.user_id, at=now, reason=reason)

        return self._change_reseller(principal, reseller, "reseller.offboarded", offboard)

    def restore_reseller(self, principal: Principal, reseller_id: str) -> Reseller:
        """Back in business: customers may be brought in under it and restored again (each on its own)."""
        reseller = self._offboarding_reseller(principal, reseller_id)
        now = _now()
        return self._change_reseller(principal, reseller, "reseller.restored", lambda r: restored(r, at=now))

    def _offboarding_customer(self, principal: Principal, customer_id: str) -> Customer:
        """The customer, if the caller may offboard or restore it: the provider's staff, or its reseller's admins
        (404 outside scope, 403 for anyone else in it)."""
        customer = self.customer(principal, customer_id)
        require(may_offboard_customer(principal, customer.org))
        return customer

    def _offboarding_reseller(self, principal: Principal, reseller_id: str) -> Reseller:
        reseller = self.reseller(principal, reseller_id)
        require(may_offboard_reseller(principal, reseller.org))
        return reseller

    def _change_customer_by(
        self, actor: Principal | str, customer: Customer, action: str, change: Callable[[Customer], Customer]
    ) -> Customer:
        """A change decided on the stored record (ETag-guarded; a refusal is 409 and changes nothing); audited."""

        def apply(current: Customer) -> Customer:
            try:
                return change(current)
            except OffboardingRefused as refused:
                raise Conflict(refused.reason) from refused

        return self._audited_change(self._customers, customer, apply, actor=actor, action=action)

    def _change_reseller(
        self, actor: Principal | str, reseller: Reseller, action: str, change: Callable[[Reseller], Reseller]
    ) -> Reseller:
        """As `_change_customer_by`, for a reseller; an edit that changes nothing is not written or audited."""

        def apply(current: Reseller) -> Reseller | None:
            try:
                changed = change(current)
            except OffboardingRefused as refused:
                raise Conflict(refused.reason) from refused
            if replace(changed, updated_at=current.updated_at) == current:
                return None
            return replace(changed, updated_at=_now())

        return self._audited_change(self._resellers, reseller, apply, actor=actor, action=action)

    # Customers -----------------------------------------------------------------------------------------

    def _reseller_for_customer(self, principal: Principal, reseller_id: str) -> tuple[Provider, Reseller]:
        require(may_bring_in_customer(principal))
        reseller = self.reseller(principal, reseller_id)
        provider = self._providers.get(reseller.provider_id)
        if provider is None:
            raise NotFound(f"reseller {reseller_id} was not found")
        self._enrolled(provider)
        if reseller.status is not RelationshipStatus.ACTIVE or not reseller.tenant_id:
            raise Conflict(
                f"reseller {reseller_id} is {reseller.status.value}: customers can be added once it is active"
            )
        try:
            check_new_customer(reseller)
        except OffboardingRefused as refused:
            raise Conflict(refused.reason) from refused
        return provider, reseller

    def invite_customer(
        self,
        principal: Principal,
        *,
        reseller_id: str,
        name: str,
        domain: str | None,
        tenant_id: str | None,
        contact_email: str,
    ) -> Customer:
        """A reseller relationship request naming the reseller; the customer's admin accepts it."""
        provider, reseller = self._reseller_for_customer(principal, reseller_id)
        try:
            link = self._client_for(provider).get_relationship_request_link(reseller.tenant_id)
        except PartnerCenterError as error:
            raise Unavailable(f"Partner Center did not give a relationship request link: {error}") from error
        now = _now()
        customer = Customer(
            id=str(uuid.uuid4()),
            provider_id=provider.id,
            reseller_id=reseller.id,
            name=name,
            domain=domain.lower() if domain else None,
            tenant_id=tenant_id.lower() if tenant_id else None,
            contact_email=contact_email,
            status=RelationshipStatus.INVITED,
            origin="invitation",
            invitation_url=str(getattr(link, "url", link)),
            invited_at=now,
            expires_at=now + self._policy.expiry,
            updated_at=now,
            check=RelationshipCheck(attempt=1, next_at=now),
        )
        return self._add_customer(principal, customer, CUSTOMER_CHECK, "customer.invited")

    def create_customer(self, principal: Principal, *, reseller_id: str, tenant: NewTenant) -> Customer:
        """A new tenant made in Partner Center for the reseller: accepted now, created by the queue."""
        provider, reseller = self._reseller_for_customer(principal, reseller_id)
        now = _now()
        customer = Customer(
            id=str(uuid.uuid4()),
            provider_id=provider.id,
            reseller_id=reseller.id,
            name=tenant.company_name,
            domain=customer_domain(tenant.domain_prefix),
            tenant_id=None,
            contact_email=tenant.billing_profile.email,
            status=RelationshipStatus.CREATING,
            origin="created",
            invitation_url=None,
            invited_at=now,
            expires_at=now + self._policy.expiry,
            updated_at=now,
            creation_request_id=str(uuid.uuid4()),
            creation_profile=orjson.dumps(tenant.billing_profile.to_wire()).decode(),
            country=tenant.billing_profile.default_address.country.upper(),
            currency=market_currency(
                tenant.billing_profile.default_address.country,
                self._catalog_currency(provider.id, tenant.billing_profile.default_address.country),
            ),
            check=RelationshipCheck(attempt=1, next_at=now),
        )
        return self._add_customer(principal, customer, CUSTOMER_CREATE, "customer.creating")

    def _add_customer(self, principal: Principal, customer: Customer, message_type: str, action: str) -> Customer:
        self._organizations.add(customer.org, name=customer.name)
        try:
            self._customers.add(customer)
        except AlreadyExists as exc:
            raise Conflict("a customer with this domain or tenant id is already recorded for this provider") from exc
        self._audit.record(
            actor=principal,
            action=action,
            entity_type="customer",
            entity_id=customer.id,
            org=customer.org,
            before=None,
            after=customer,
        )
        message = QueueMessage(
            type=message_type, entity_id=customer.id, attempt=1, payload={"providerId": customer.provider_id}
        )
        self._publisher.send(QueueNames.RELATIONSHIP_CHECKS, message)
        return customer

    def request_customer_check(self, principal: Principal, customer_id: str) -> Customer:
        customer = self.customer(principal, customer_id)
        require(may_request_customer_check(principal, customer.org))
        message_type = CUSTOMER_CREATE if customer.status is RelationshipStatus.CREATING else CUSTOMER_CHECK
        return self._check_now(self._customers, message_type, customer)

    def request_customer_check_system(self, customer: Customer) -> Customer:
        """A check now, asked by an event rather than a person."""
        return self._check_now(self._customers, CUSTOMER_CHECK, customer)

    def check_storefront_policy(
        self, principal: Principal, customer_id: str, policy: StorefrontPolicy, *, catalog: MarketCatalog
    ) -> Customer:
        """The customer, when the caller may change its storefront policy and the policy names only catalog items
        of the customer's market: else 422 naming each id that is not (by its index), or 409 while the market is
        not known yet. Changes nothing."""
        customer = self._changeable_customer(principal, customer_id)
        named = policy.allowed_catalog_item_ids
        if not named:
            return customer
        if not customer.country:
            raise Conflict(
                f"customer {customer.id}'s market is not known yet: its storefront can name catalog items once a "
                "check has read it"
            )
        country = customer.country.upper()
        outside = policy.items_outside(_market_items(catalog, customer.provider_id, country, named))
        if outside:
            raise Invalid(
                f"the storefront policy names {len(outside)} id(s) that are not catalog items of the customer's "
                f"market ({country})",
                [
                    FieldError(
                        f"storefrontPolicy.allowedCatalogItemIds[{at}]",
                        f"{named[at]} is not a catalog item of the customer's market ({country})",
                    )
                    for at in outside
                ],
            )
        return customer

    def set_storefront_policy(
        self, principal: Principal, customer_id: str, policy: StorefrontPolicy, *, catalog: MarketCatalog
    ) -> Customer:
        customer = self.check_storefront_policy(principal, customer_id, policy, catalog=catalog)
        return self._change_customer(principal, customer, "customer.storefrontPolicy",
                                     storefront_policy=policy)  # fmt: skip

    def set_storefront(self, principal: Principal, customer_id: str, enabled: bool) -> Customer:
        customer = self._changeable_customer(principal, customer_id)
        return self._change_customer(principal, customer, "customer.storefront", storefront_enabled=enabled)

    def _changeable_customer(self, principal: Principal, customer_id: str) -> Customer:
        """The customer, if the caller may change it: its provider's staff or its reseller's (404 outside scope)."""
        customer = self.customer(principal, customer_id)
        require(may_change_customer(principal, customer.org))
        return customer

    def _change_customer(self, actor: Principal | str, customer: Customer, action: str, **fields: Any) -> Customer:
        """Sets fields on the stored customer (ETag-guarded); audited only when something actually changed."""

        def change(current: Customer) -> Customer | None:
            if all(getattr(current, name) == value for name, value in fields.items()):
                return None
            return replace(current, updated_at=_now(), **fields)

        return self._audited_change(self._customers, customer, change, actor=actor, action=action)

    def check_customer(self, provider_id: str, customer_id: str, attempt: int) -> Customer | None:
        """One check of an invited customer: active only when listed under the provider with *its* reseller."""
        customer = self._customers.get(provider_id, customer_id)
        provider = self._providers.get(provider_id)
        if customer is None or provider is None or attempt != customer.check.attempt:
            return customer
        if customer.status in (RelationshipStatus.ACTIVE, RelationshipStatus.ENDED):
            return self._recheck_customer(provider, customer)
        if customer.status is not RelationshipStatus.INVITED:
            return customer
        reseller = self._resellers.get(provider_id, customer.reseller_id)
        now = _now()
        if now >= customer.expires_at:
            return self._settle(self._customers, "customer", customer, RelationshipStatus.EXPIRED, now)
        client = self._client_for(provider)
        try:
            found = self._find_customer(client, customer)
            if found is None:
                return self._reschedule(self._customers, CUSTOMER_CHECK, customer, now, "not listed yet")
            attached = [r.id for r in client.get_customer_relationships(found.id)]
        except PartnerCenterError as error:
            return self._reschedule(self._customers, CUSTOMER_CHECK, customer, now, f"error: {error}", error)
        outcome = customer_outcome(reseller.tenant_id if reseller else None, attached)
        if outcome is CheckOutcome.ACTIVE:
            try:
                market = self._market(provider.id, found if found.billing_country else client.get_customer(found.id))
            except PartnerCenterError as error:
                return self._reschedule(self._customers, CUSTOMER_CHECK, customer, now, f"error: {error}", error)
            if not self._customers.claim_tenant(customer, found.id):
                return self._flag(customer, now, "tenantAlreadyRecorded")
            activated = self._settle(
                self._customers,
                "customer",
                customer,
                RelationshipStatus.ACTIVE,
                now,
                tenant_id=found.id,
                domain=customer.domain or found.domain,
                flag=None,
                **market,
            )
            self._brought_market(activated)
            return self._confirm_agreement(provider, activated)
        if outcome is CheckOutcome.OTHER_RESELLER:
            flagged = self._flag(customer, now, "acceptedForOtherReseller")
            return self._reschedule(self._customers, CUSTOMER_CHECK, flagged, now, "associated with another reseller")
        return self._reschedule(self._customers, CUSTOMER_CHECK, customer, now, "no reseller attached yet")

    def _recheck_customer(self, provider: Provider, customer: Customer) -> Customer:
        """ "Check now" on a settled customer: Partner Center decides. An active customer no longer related through
        its reseller turns ended at once (orders are then refused); an ended one related again turns active."""
        client = self._client_for(provider)
        reseller = self._resellers.get(provider.id, customer.reseller_id)
        found = self._find_customer(client, customer)  # Partner Center errors propagate: the queue retries
        attached = [r.id for r in client.get_customer_relationships(found.id)] if found is not None else []
        related = found is not None and (
            customer_outcome(reseller.tenant_id if reseller else None, attached) is CheckOutcome.ACTIVE
        )
        now = _now()
        if customer.status is RelationshipStatus.ACTIVE and not related:
            return self._settle(self._customers, "customer", customer, RelationshipStatus.ENDED, now)
        if customer.status is RelationshipStatus.ENDED and related:
            customer = self._settle(
                self._customers, "customer", customer, RelationshipStatus.ACTIVE, now, ended_at=None
            )
        if related:
            with contextlib.suppress(PartnerCenterNotFound, PartnerCenterForbidden):
                customer = self.refresh_market(client, customer)
            customer = self._confirm_agreement(provider, customer)
        return self._checked(self._customers, customer, now, "still " + customer.status.value)

    def _checked(
        self, repository: Relationships[Relationship], entity: Relationship, now: datetime, result: str
    ) -> Relationship:
        """Records when a settled relationship was last confirmed (no status change, nothing to audit)."""

        def record(current: Relationship) -> Relationship:
            return replace(current, check=replace(current.check, last_at=now, last_result=result, next_at=None))

        return repository.update(entity.provider_id, entity.id, record)

    def _flag(self, customer: Customer, now: datetime, flag: str) -> Customer:
        if customer.flag == flag:
            return customer
        return self._change_customer(SYSTEM, customer, "customer.flagged", flag=flag)

    @staticmethod
    def _find_customer(client: RelationshipPartnerCenter, customer: Customer) -> Any:
        if customer.tenant_id:
            try:
                return client.get_customer(customer.tenant_id)
            except (PartnerCenterNotFound, PartnerCenterForbidden):
                return None
        if customer.domain:
            return client.find_customer_by_domain(customer.domain)
        return None

    def create_tenant(self, provider_id: str, customer_id: str, attempt: int) -> Customer | None:
        """Creates the tenant once: the stored MS-RequestId makes a retried call the same call, and an
        existing tenant with our domain for our reseller is adopted rather than made twice."""
        customer = self._customers.get(provider_id, customer_id)
        provider = self._providers.get(provider_id)
        if customer is None or provider is None or customer.status is not RelationshipStatus.CREATING:
            return customer
        if attempt != customer.check.attempt:
            return customer
        reseller = self._resellers.get(provider_id, customer.reseller_id)
        now = _now()
        if reseller is None or not reseller.tenant_id:
            return self._fail(customer, now, "the reseller is no longer active")
        client = self._client_for(provider)
        domain = customer.domain or ""
        try:
            existing = client.find_customer_by_domain(domain)
            if existing is not None:
                if (existing.associated_partner_id or "").lower() == reseller.tenant_id.lower():
                    return self._created(customer, client.get_customer(existing.id), now)
                return self._fail(customer, now, f"the domain {domain} is already taken")
            created = client.create_customer(
                domain=domain,
                billing_profile=_billing_profile(orjson.loads(customer.creation_profile or "{}")),
                associated_partner_id=reseller.tenant_id,
                request_id=customer.creation_request_id,
            )
        except PartnerCenterConflict as error:
            return self._fail(customer, now, f"Partner Center refused: {error.description or error}")
        except PartnerCenterError as error:
            if _retryable(error) or isinstance(error, AuthenticationFailed):
                if now >= customer.expires_at:
                    return self._fail(customer, now, f"Partner Center kept failing: {error}")
                return self._reschedule(self._customers, CUSTOMER_CREATE, customer, now, f"error: {error}", error)
            return self._fail(customer, now, f"Partner Center refused: {error.description or error}")
        if created.user_credentials is not None:
            # The first admin's one-time password: kept in the secret store only, never in tables or logs.
            self._secrets.set(f"customer-{customer.id}-admin-password", created.user_credentials.password)
        return self._created(customer, created, now)

    def _created(self, customer: Customer, tenant: Any, now: datetime) -> Customer:
        self._customers.claim_tenant(customer, tenant.id)
        created = self._settle(
            self._customers,
            "customer",
            customer,
            RelationshipStatus.ACTIVE,
            now,
            tenant_id=tenant.id.lower(),
            **self._market(customer.provider_id, tenant, fallback=customer.country),
        )
        self._brought_market(created)
        return created

    # Markets -------------------------------------------------------------------------------------------

    def _market(self, provider_id: str, tenant: Any, *, fallback: str | None = None) -> dict[str, Any]:
        """The customer's market as Partner Center has it: its billing profile's country and that market's currency."""
        country = getattr(tenant, "billing_country", None) or fallback
        if not country:
            return {"market_read_at": _now()}
        currency = market_currency(country, self._catalog_currency(provider_id, country))
        return {"country": country.upper(), "currency": currency, "market_read_at": _now()}

    def _brought_market(self, customer: Customer) -> None:
        if customer.status is RelationshipStatus.ACTIVE and customer.country:
            self._on_new_market(customer.provider_id, customer.country)

    def refresh_market(self, client: RelationshipPartnerCenter, customer: Customer) -> Customer:
        """Re-reads an active customer's market (the sweep does, once a day): a change is recorded and audited."""
        market = self._market(customer.provider_id, client.get_customer(customer.tenant_id or ""))
        if market.get("country") in (None, customer.country) and market.get("currency") == customer.currency:
            return self._customers.update(
                customer.provider_id, customer.id, lambda c: replace(c, market_read_at=market["market_read_at"])
            )
        changed = self._change_customer(SYSTEM, customer, "customer.marketChanged", **market)
        self._brought_market(changed)
        return changed

    def _fail(self, customer: Customer, now: datetime, reason: str) -> Customer:
        return self._settle(
            self._customers,
            "customer",
            customer,
            RelationshipStatus.FAILED,
            now,
            failure_reason=reason,
        )

    # Sweep ---------------------------------------------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        """Re-checks every enrolled provider's active relationships (ended ones turn ended) and re-sends
        checks whose message was lost."""
        counts = {"providers": 0, "ended": 0, "resent": 0, "failedProviders": 0}
        for provider in self._providers.all():
            if provider.status is not ProviderStatus.ENROLLED:
                continue
            counts["providers"] += 1
            try:
                ended, resent = self._sweep_provider(provider, now or _now())
            except PartnerCenterError as error:
                counts["failedProviders"] += 1
                log.warning("relationship sweep of provider %s failed: %s", provider.id, error)
                continue
            counts["ended"] += ended
            counts["resent"] += resent
        return counts

    def _sweep_provider(self, provider: Provider, now: datetime) -> tuple[int, int]:
        client = self._client_for(provider)
        resent = self._resend_lost_checks(provider, now)
        ended = 0
        active_resellers = list(self._resellers.iter(provider.id, status=RelationshipStatus.ACTIVE.value))
        if active_resellers:
            listed = {
                (r.mpn_id or "").strip()
                for r in client.list_indirect_resellers()
                if (r.state or "active").lower() == "active"
            }
            for reseller in active_resellers:
                if reseller.partner_id not in listed:
                    self._settle(self._resellers, "reseller", reseller, RelationshipStatus.ENDED, now)
                    ended += 1
                    continue
                try:
                    self._reverify_agreement(provider, reseller)
                except PartnerCenterError as error:  # the next sweep asks again; the others are still checked
                    log.warning("agreement status of reseller %s not read: %s", reseller.id, error)
        active_customers = list(self._customers.iter(provider.id, status=RelationshipStatus.ACTIVE.value))
        if active_customers:
            listed_tenants = {c.id.lower() for c in _iter_all(client.iter_customers(page_size=500))}
            for customer in active_customers:
                if (customer.tenant_id or "").lower() not in listed_tenants:
                    self._settle(self._customers, "customer", customer, RelationshipStatus.ENDED, now)
                    ended += 1
                else:
                    if customer.agreement is None:  # an acceptance given in Partner Center is seen here
                        customer = self._confirm_agreement(provider, customer)
                    if customer.market_read_at is None or customer.market_read_at + self._market_refresh < now:
                        try:
                            self.refresh_market(client, customer)
                        except (PartnerCenterNotFound, PartnerCenterForbidden):
                            continue
        return ended, resent

    def _resend_lost_checks(self, provider: Provider, now: datetime) -> int:
        """A pending record whose check is well overdue lost its message: send it again (same id)."""
        grace = timedelta(minutes=5)
        resent = 0
        for repository, kinds in (
            (self._resellers, {RelationshipStatus.INVITED: RESELLER_CHECK}),
            (
                self._customers,
                {RelationshipStatus.INVITED: CUSTOMER_CHECK, RelationshipStatus.CREATING: CUSTOMER_CREATE},
            ),
        ):
            for status, message_type in kinds.items():
                for entity in repository.iter(provider.id, status=status.value):
                    if entity.check.next_at and entity.check.next_at + grace < now:
                        payload: dict[str, Any] = {"providerId": provider.id}
                        message = QueueMessage(
                            type=message_type, entity_id=entity.id, attempt=entity.check.attempt, payload=payload
                        )
                        self._publisher.send(QueueNames.RELATIONSHIP_CHECKS, message)
                        resent += 1
        return resent


def _iter_all(items: Any) -> Iterator[Any]:
    yield from items


def _billing_profile(wire: dict[str, Any]) -> BillingProfile:
    address = wire.get("defaultAddress") or {}
    return BillingProfile(
        email=wire["email"],
        culture=wire["culture"],
        language=wire["language"],
        company_name=wire["companyName"],
        default_address=Address(
            country=address["country"],
            city=address["city"],
            address_line1=address["addressLine1"],
            postal_code=address["postalCode"],
            address_line2=address.get("addressLine2"),
            state=address.get("state"),
            first_name=address.get("firstName"),
            last_name=address.get("lastName"),
            phone_number=address.get("phoneNumber"),
        ),
    )


__all__ = ["NewTenant", "OrgRef", "RelationshipService"]
