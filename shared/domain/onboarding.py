"""Providers, resellers and customers, and the rules of their relationships (docs/business.md#the-indirect-model).
Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain.scope import OrgRef, OrgType
from shared.domain.storefront import StorefrontPolicy


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

    @property
    def org(self) -> OrgRef:
        return OrgRef(OrgType.RESELLER, self.id, provider_id=self.provider_id)


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

    @property
    def org(self) -> OrgRef:
        return OrgRef(OrgType.CUSTOMER, self.id, provider_id=self.provider_id, reseller_id=self.reseller_id)


@dataclass(frozen=True)
class CheckPolicy:
    """How often a pending relationship is looked for in Partner Center, and for how long."""

    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    expiry: timedelta = timedelta(days=30)

    def delay_after(self, attempt: int) -> timedelta:
        """Back-off: doubles from first_delay with each attempt, never beyond max_delay."""
        exponent = min(max(attempt - 1, 0), 30)
        delay: timedelta = min(self.first_delay * (2**exponent), self.max_delay)
        return delay


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


def customer_domain(domain_prefix: str) -> str:
    """A new tenant's initial domain: `<prefix>.onmicrosoft.com`."""
    return f"{domain_prefix.lower()}.onmicrosoft.com"
