"""Who may see and change what: the one place the platform's scope rules live (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrgType(StrEnum):
    OPERATOR = "operator"
    PROVIDER = "provider"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Role(StrEnum):
    OPERATOR = "operator"
    PROVIDER_ADMIN = "provider.admin"
    PROVIDER_STAFF = "provider.staff"
    RESELLER_ADMIN = "reseller.admin"
    RESELLER_STAFF = "reseller.staff"
    CUSTOMER_ADMIN = "customer.admin"


OPERATOR_ORG_ID = "platform"

ROLES_BY_ORG_TYPE: dict[OrgType, frozenset[Role]] = {
    OrgType.OPERATOR: frozenset({Role.OPERATOR}),
    OrgType.PROVIDER: frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
    OrgType.RESELLER: frozenset({Role.RESELLER_ADMIN, Role.RESELLER_STAFF}),
    OrgType.CUSTOMER: frozenset({Role.CUSTOMER_ADMIN}),
}

ADMIN_ROLES: frozenset[Role] = frozenset({Role.OPERATOR, Role.PROVIDER_ADMIN, Role.RESELLER_ADMIN, Role.CUSTOMER_ADMIN})

ADMIN_ROLE_OF: dict[OrgType, Role] = {
    OrgType.OPERATOR: Role.OPERATOR,
    OrgType.PROVIDER: Role.PROVIDER_ADMIN,
    OrgType.RESELLER: Role.RESELLER_ADMIN,
    OrgType.CUSTOMER: Role.CUSTOMER_ADMIN,
}


@dataclass(frozen=True)
class OrgRef:
    """An organisation and its lineage: a reseller sits under a provider, a customer under both."""

    org_type: OrgType
    org_id: str
    provider_id: str | None = None
    reseller_id: str | None = None

    @classmethod
    def operator(cls) -> OrgRef:
        return cls(OrgType.OPERATOR, OPERATOR_ORG_ID)

    @property
    def key(self) -> str:
        return f"{self.org_type.value}:{self.org_id}"


@dataclass(frozen=True)
class Principal:
    """A signed-in member: who the token says it is and what its membership makes it."""

    user_id: str
    tenant_id: str | None
    org: OrgRef
    role: Role

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


def role_fits_org(role: Role, org_type: OrgType) -> bool:
    return role in ROLES_BY_ORG_TYPE[org_type]


def can_see(principal: Principal, org: OrgRef) -> bool:
    """Whether the organisation exists for this caller at all (outside it answers 404)."""
    own = principal.org
    if own.org_type is OrgType.OPERATOR:
        return True
    if own.org_type is OrgType.PROVIDER:
        if org.org_type is OrgType.PROVIDER:
            return org.org_id == own.org_id
        return org.provider_id == own.org_id
    if own.org_type is OrgType.RESELLER:
        if org.org_type is OrgType.RESELLER:
            return org.org_id == own.org_id
        return org.org_type is OrgType.CUSTOMER and org.reseller_id == own.org_id
    if own.org_type is OrgType.CUSTOMER:
        return org.org_type is OrgType.CUSTOMER and org.org_id == own.org_id
    return False


class Decision(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"  # visible, but this caller may not do it: 403
    NOT_FOUND = "notFound"  # outside the caller's scope: 404, as if it did not exist
    INVALID = "invalid"  # the role does not belong to that kind of organisation: 422


def may_add_member(principal: Principal, target: OrgRef, role: Role, *, target_has_admin: bool) -> Decision:
    """Admins add members to their own organisation; a provider admin may add the first admin of
    one of its resellers or customers, a reseller admin the first admin of one of its customers;
    the operator may add anyone. The operator's organisation is known to exist: anyone else is refused it (403),
    not told it is not there."""
    if target.org_type is OrgType.OPERATOR and not principal.is_operator:
        return Decision.FORBIDDEN
    if not can_see(principal, target):
        return Decision.NOT_FOUND
    if not role_fits_org(role, target.org_type):
        return Decision.INVALID
    if principal.is_operator:
        return Decision.ALLOWED
    if not principal.is_admin:
        return Decision.FORBIDDEN
    if target.key == principal.org.key:
        return Decision.ALLOWED
    first_admin = role is ADMIN_ROLE_OF[target.org_type] and not target_has_admin
    if (
        principal.role is Role.PROVIDER_ADMIN
        and target.org_type in (OrgType.RESELLER, OrgType.CUSTOMER)
        and first_admin
    ):
        return Decision.ALLOWED
    # A reseller admin opens the storefront for its own customer by adding that customer's first admin.
    if principal.role is Role.RESELLER_ADMIN and target.org_type is OrgType.CUSTOMER and first_admin:
        return Decision.ALLOWED
    return Decision.FORBIDDEN


def may_manage_members(principal: Principal, target: OrgRef) -> Decision:
    """Changing a member's role or removing it (offboarding is a security duty): the organisation's own admins, the
    admins above it (a provider's for its resellers and customers, a reseller's for its customers), the operator."""
    if not can_see(principal, target):
        return Decision.NOT_FOUND
    if principal.is_operator:
        return Decision.ALLOWED
    if not principal.is_admin:
        return Decision.FORBIDDEN
    if target.key == principal.org.key:
        return Decision.ALLOWED
    if principal.role is Role.PROVIDER_ADMIN and target.org_type in (OrgType.RESELLER, OrgType.CUSTOMER):
        return Decision.ALLOWED
    if principal.role is Role.RESELLER_ADMIN and target.org_type is OrgType.CUSTOMER:
        return Decision.ALLOWED
    return Decision.FORBIDDEN


def may_list_members(principal: Principal, target: OrgRef) -> Decision:
    """Who belongs to an organisation: its own members, and whoever may manage them."""
    if not can_see(principal, target):
        return Decision.NOT_FOUND
    if target.key == principal.org.key:
        return Decision.ALLOWED
    return may_manage_members(principal, target)


# Entities whose state only the organisations above the priced one read (what the provider charges a reseller,
# what a reseller charges its customer): their audit entries are not shown to the priced organisation either.
PRICED_BY_ABOVE = {"resellerPricing": OrgType.RESELLER, "customerPricing": OrgType.CUSTOMER}


def may_read_audit(principal: Principal, org: OrgRef, entity_type: str | None = None) -> Decision:
    """Admins read the audit trail of what they can see, except the prices set for their own organisation by the
    one above it (docs/business.md#roles-and-scope)."""
    if not can_see(principal, org):
        return Decision.NOT_FOUND
    if entity_type is not None and PRICED_BY_ABOVE.get(entity_type) is principal.org.org_type:
        return Decision.NOT_FOUND
    return Decision.ALLOWED if principal.is_admin else Decision.FORBIDDEN
