"""Providers, resellers and customers, and the rules of their relationships (docs/business.md#the-indirect-model).
Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from shared.domain.agreements import CustomerAgreement
from shared.domain.backoff import Backoff
from shared.domain.scope import OrgRef, OrgType
from shared.domain.storefront import StorefrontPolicy
from shared.domain.subscriptions import ChangeKind


class ProviderStatus(StrEnum):
    CONSENT_REQUIRED = "consentRequired"
    ENROLLED = "enrolled"
    DISABLED = "disabled"  # by the operator: nothing is synced, billed or sold; its app may be enrolled again


class RelationshipStatus(StrEnum):
    INVITED = "invited"
    CREATING = "creating"
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"
    FAILED = "failed"


# A record in one of these states is still waiting for Partner Center to show the relationship.
PENDING = frozenset({RelationshipStatus.INVITED, RelationshipStatus.CREATING})


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    tenant_id: str
    client_id: str
    client_secret_ref: str
    refresh_token_ref: str | None
    partner_id: str | None
    status: ProviderStatus
    company_name: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def org(self) -> OrgRef:
        return OrgRef(OrgType.PROVIDER, self.id)


@dataclass(frozen=True)
class RelationshipCheck:
    """Where a relationship's checking stands: only the newest scheduled check may act."""

    attempt: int = 0
    next_at: datetime | None = None
    last_at: datetime | None = None
    last_result: str | None = None


@dataclass(frozen=True)
class Offboarding:
    """The provider's decision to stop doing business with a reseller or customer (docs/business.md#offboarding).
    Separate from the relationship's status, which is what Partner Center shows: an offboarded customer's
    relationship and subscriptions stay as they are there until someone ends them."""

    at: datetime
    by: str
    reason: str | None = None


@dataclass(frozen=True)
class Reseller:
    id: str
    provider_id: str
    name: str
    partner_id: str
    contact_email: str
    tenant_id: str | None
    status: RelationshipStatus
    invitation_url: str
    invited_at: datetime
    expires_at: datetime
    updated_at: datetime
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    check: RelationshipCheck = field(default_factory=RelationshipCheck)
    offboarding: Offboarding | None = None
    flag: str | None = None  # e.g. partnerAgreementMissing: Partner Center says it has not signed the MPA

    @property
    def org(self) -> OrgRef:
        return OrgRef(OrgType.RESELLER, self.id, provider_id=self.provider_id)

    @property
    def offboarded(self) -> bool:
        return self.offboarding is not None


@dataclass(frozen=True)
class Customer:
    id: str
    provider_id: str
    reseller_id: str
    name: str
    domain: str | None
    tenant_id: str | None
    contact_email: str | None
    status: RelationshipStatus
    origin: str  # "invitation" (an existing tenant accepts) or "created" (a new tenant made for the reseller)
    invitation_url: str | None
    invited_at: datetime
    expires_at: datetime
    updated_at: datetime
    storefront_enabled: bool = False
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    failure_reason: str | None = None
    flag: str | None = None  # e.g. the customer accepted for a different reseller: flagged, not activated
    creation_request_id: str | None = None
    creation_profile: str | None = None  # the billing profile (JSON) a new tenant is created with
    storefront_policy: StorefrontPolicy = field(default_factory=StorefrontPolicy)
    # The market: the billing profile's country in Partner Center and the currency it is billed in.
    country: str | None = None
    currency: str | None = None
    market_read_at: datetime | None = None
    check: RelationshipCheck = field(default_factory=RelationshipCheck)
    offboarding: Offboarding | None = None
    # The Microsoft Customer Agreement acceptance Partner Center confirmed; None: none seen (orders are refused).
    agreement: CustomerAgreement | None = None

    @property
    def org(self) -> OrgRef:
        return OrgRef(OrgType.CUSTOMER, self.id, provider_id=self.provider_id, reseller_id=self.reseller_id)

    @property
    def offboarded(self) -> bool:
        return self.offboarding is not None


@dataclass(frozen=True)
class CheckPolicy(Backoff):
    """How often a pending relationship is looked for in Partner Center (the back-off), and for how long."""

    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    expiry: timedelta = timedelta(days=30)


class CheckOutcome(StrEnum):
    ACTIVE = "active"
    NOT_YET = "notYet"
    OTHER_RESELLER = "otherReseller"
    GONE = "gone"


@dataclass(frozen=True)
class ListedReseller:
    """An indirect reseller as Partner Center lists it under the provider."""

    tenant_id: str
    partner_id: str
    name: str
    state: str


def find_reseller(partner_id: str, listed: Iterable[ListedReseller]) -> ListedReseller | None:
    """The reseller appears once Partner Center lists it under the provider with an active state."""
    for item in listed:
        if item.partner_id.strip() == partner_id.strip() and item.state.lower() in {"active", ""}:
            return item
    return None


def customer_outcome(
    expected_reseller_tenant_id: str | None, attached_reseller_tenant_ids: Iterable[str]
) -> CheckOutcome:
    """Active only when Partner Center lists the customer associated with *that* reseller."""
    attached = {t.lower() for t in attached_reseller_tenant_ids}
    if expected_reseller_tenant_id and expected_reseller_tenant_id.lower() in attached:
        return CheckOutcome.ACTIVE
    if attached:
        return CheckOutcome.OTHER_RESELLER
    return CheckOutcome.NOT_YET


def schedule_next_check(check: RelationshipCheck, now: datetime, policy: CheckPolicy, result: str) -> RelationshipCheck:
    """The follow-up of a check that did not settle the relationship yet."""
    attempt = check.attempt + 1
    return replace(check, attempt=attempt, next_at=now + policy.delay_after(attempt), last_at=now, last_result=result)


# Offboarding ---------------------------------------------------------------------------------------------------

# A customer in one of these states never came on board (its invitation lapsed, its tenant was never made): it does
# not hold its reseller's offboarding back.
NEVER_ON_BOARD = frozenset({RelationshipStatus.EXPIRED, RelationshipStatus.FAILED})


Business = TypeVar("Business", "Reseller", "Customer")


class OffboardingRefused(Exception):
    """Why a record cannot be offboarded or restored now (answered 409 with this reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def offboarded(entity: Business, *, by: str, at: datetime, reason: str | None) -> Business:
    """The record marked offboarded; one already offboarded is refused (its first decision stands)."""
    kind = "reseller" if isinstance(entity, Reseller) else "customer"
    if entity.offboarding is not None:
        raise OffboardingRefused(
            f"{kind} {entity.id} is already offboarded (since {entity.offboarding.at.isoformat()})"
        )
    return replace(entity, offboarding=Offboarding(at=at, by=by, reason=reason), updated_at=at)


def restored(entity: Business, *, at: datetime) -> Business:
    """The record back in business; one that is not offboarded is refused."""
    kind = "reseller" if isinstance(entity, Reseller) else "customer"
    if entity.offboarding is None:
        raise OffboardingRefused(f"{kind} {entity.id} is not offboarded")
    return replace(entity, offboarding=None, updated_at=at)


def customers_still_on(reseller: Reseller, customers: Iterable[Customer]) -> list[Customer]:
    """The reseller's customers that keep it from being offboarded: every one not offboarded that came on board
    (or may still: invited, creating), ended ones included since a check may find them related again."""
    return [
        c for c in customers if c.reseller_id == reseller.id and not c.offboarded and c.status not in NEVER_ON_BOARD
    ]


def check_reseller_offboarding(reseller: Reseller, customers: Iterable[Customer]) -> None:
    """A reseller is offboarded only once none of its customers is still on: moved or offboarded first."""
    if reseller.offboarding is not None:
        raise OffboardingRefused(
            f"reseller {reseller.id} is already offboarded (since {reseller.offboarding.at.isoformat()})"
        )
    remaining = customers_still_on(reseller, customers)
    if remaining:
        count = len(remaining)
        raise OffboardingRefused(
            f"reseller {reseller.id} still has {count} customer{'s' if count != 1 else ''} not offboarded: "
            "offboard them first"
        )


def check_customer_restore(customer: Customer, reseller: Reseller | None) -> None:
    """A customer comes back only under a reseller that is in business: restore the reseller first."""
    if customer.offboarding is None:
        raise OffboardingRefused(f"customer {customer.id} is not offboarded")
    if reseller is not None and reseller.offboarding is not None:
        raise OffboardingRefused(
            f"customer {customer.id}'s reseller {reseller.id} is offboarded: restore the reseller first"
        )


def selling_refusal(provider: Provider) -> str | None:
    """Why a provider may not sell now (disabled, or its Partner Center consent not completed); None when it may."""
    if provider.status is ProviderStatus.DISABLED:
        return "the provider is disabled"
    if provider.status is not ProviderStatus.ENROLLED:
        return "the provider has not completed Partner Center consent yet (status consentRequired)"
    return None


def check_buying(customer: Customer, reseller: Reseller | None) -> None:
    """No new purchase for an offboarded customer, nor for a customer of an offboarded reseller."""
    if customer.offboarding is not None:
        raise OffboardingRefused(
            f"customer {customer.id} is offboarded: no new orders or seats (its subscriptions are left as they are)"
        )
    if reseller is not None and reseller.offboarding is not None:
        raise OffboardingRefused(f"customer {customer.id}'s reseller is offboarded: no new orders")


def check_new_customer(reseller: Reseller) -> None:
    """No customer is brought in under an offboarded reseller."""
    if reseller.offboarding is not None:
        raise OffboardingRefused(f"reseller {reseller.id} is offboarded: no new customers are brought in under it")


# Reseller verification (docs/business.md#reseller-verification) ------------------------------------------------

# A reseller Partner Center says has not signed the Microsoft Partner Agreement: it may not be partner of record.
PARTNER_AGREEMENT_MISSING = "partnerAgreementMissing"


def agreement_flag(current: str | None, signed: bool) -> str | None:
    """The reseller's flag once Partner Center answered its agreement status: set when unsigned, cleared when
    signed; any other flag is kept as it is."""
    if not signed:
        return PARTNER_AGREEMENT_MISSING
    return None if current == PARTNER_AGREEMENT_MISSING else current


def partner_of_record_refusal(reseller: Reseller) -> str | None:
    """Why the reseller may not be partner of record on a purchase now (None when it may): Partner Center refuses
    checkout for a reseller without the Microsoft Partner Agreement (900123), so the platform refuses first."""
    if reseller.flag == PARTNER_AGREEMENT_MISSING:
        return (
            f"reseller {reseller.name} (partner ID {reseller.partner_id}) has not signed the Microsoft Partner "
            "Agreement: it cannot be partner of record until it signs it in Partner Center and a relationship "
            "check confirms it"
        )
    return None


def is_purchase(kind: ChangeKind, value: object, current_quantity: int) -> bool:
    """Whether a subscription change buys more: more seats, reactivating a suspended one, or renewing again.
    Fewer seats, suspending, cancelling and switching renewal off wind a customer down and stay allowed."""
    if kind == ChangeKind.QUANTITY:
        return isinstance(value, int) and value > current_quantity
    if kind == ChangeKind.STATUS:
        return value == "active"
    if kind == ChangeKind.AUTO_RENEW:
        return value is True
    return False


def customer_domain(domain_prefix: str) -> str:
    """A new tenant's initial domain: `<prefix>.onmicrosoft.com`."""
    return f"{domain_prefix.lower()}.onmicrosoft.com"
