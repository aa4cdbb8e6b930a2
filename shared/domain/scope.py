"""Who may see and change what: the one place the platform's scope rules live (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.billing import visible_fields


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


class Verdict(StrEnum):
    ALLOWED = "allowed"
    NOT_FOUND = "notFound"  # outside the caller's scope: 404, as if it did not exist
    FORBIDDEN = "forbidden"  # visible, but this caller may not do it: 403
    INVALID = "invalid"  # what was asked does not fit the organisation (a role of another kind): 422


@dataclass(frozen=True)
class Decision:
    """What a rule answers: allowed, hidden (404), refused with its reason (403) or invalid (422, naming the field).
    The rules never raise; `shared.services.errors.require` turns a decision into the service's error."""

    verdict: Verdict
    reason: str = ""  # the problem detail (for a hidden one, empty: the caller names what was not found)
    field: str | None = None  # invalid: the field at fault, and what it must be
    field_message: str = ""

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOWED

    @property
    def hidden(self) -> bool:
        return self.verdict is Verdict.NOT_FOUND

    @property
    def refused(self) -> bool:
        return self.verdict is Verdict.FORBIDDEN

    @property
    def invalid(self) -> bool:
        return self.verdict is Verdict.INVALID


ALLOWED = Decision(Verdict.ALLOWED)


def hide(detail: str = "") -> Decision:
    """Outside the caller's scope: answered as if it did not exist."""
    return Decision(Verdict.NOT_FOUND, detail)


def refuse(reason: str) -> Decision:
    return Decision(Verdict.FORBIDDEN, reason)


def reject(reason: str, field: str, message: str) -> Decision:
    return Decision(Verdict.INVALID, reason, field, message)


def allow_if(condition: bool, otherwise: Decision) -> Decision:
    return ALLOWED if condition else otherwise


def may_see(principal: Principal, org: OrgRef) -> Decision:
    """`can_see` as a decision: the organisation is hidden from anyone outside its scope."""
    return allow_if(can_see(principal, org), hide())


PROVIDER_ROLES: frozenset[Role] = frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF})
RESELLER_ROLES: frozenset[Role] = frozenset({Role.RESELLER_ADMIN, Role.RESELLER_STAFF})
STAFF_ORGS: frozenset[OrgType] = frozenset({OrgType.PROVIDER, OrgType.RESELLER})


def _provider_or_reseller(principal: Principal) -> bool:
    """A member of a provider or of a reseller: its staff, in the rules' words (customers and the operator are not)."""
    return principal.org.org_type in STAFF_ORGS


def provider_of(principal: Principal) -> str | None:
    """The provider the caller's organisation is or sits under (None for the operator)."""
    own = principal.org
    return own.org_id if own.org_type is OrgType.PROVIDER else own.provider_id


# Members ----------------------------------------------------------------------------------------------------------


def may_add_member(principal: Principal, target: OrgRef, role: Role, *, target_has_admin: bool) -> Decision:
    """Admins add members to their own organisation; a provider admin may add the first admin of
    one of its resellers or customers, a reseller admin the first admin of one of its customers;
    the operator may add anyone. The operator's organisation is known to exist: anyone else is refused it (403),
    not told it is not there."""
    if target.org_type is OrgType.OPERATOR and not principal.is_operator:
        return refuse("only the operator adds members to the operator's organisation")
    if not can_see(principal, target):
        return hide()
    if not role_fits_org(role, target.org_type):
        allowed = ", ".join(sorted(r.value for r in ROLES_BY_ORG_TYPE[target.org_type]))
        kind = target.org_type.value
        return reject(
            f"role {role.value} does not belong to a {kind}", "role", f"a {kind} member's role is one of {allowed}"
        )
    if principal.is_operator:
        return ALLOWED
    refused = refuse("you may not add this member to that organisation")
    if not principal.is_admin:
        return refused
    if target.key == principal.org.key:
        return ALLOWED
    first_admin = role is ADMIN_ROLE_OF[target.org_type] and not target_has_admin
    if (
        principal.role is Role.PROVIDER_ADMIN
        and target.org_type in (OrgType.RESELLER, OrgType.CUSTOMER)
        and first_admin
    ):
        return ALLOWED
    # A reseller admin opens the storefront for its own customer by adding that customer's first admin.
    if principal.role is Role.RESELLER_ADMIN and target.org_type is OrgType.CUSTOMER and first_admin:
        return ALLOWED
    return refused


def may_manage_members(principal: Principal, target: OrgRef) -> Decision:
    """Changing a member's role or removing it (offboarding is a security duty): the organisation's own admins, the
    admins above it (a provider's for its resellers and customers, a reseller's for its customers), the operator."""
    if not can_see(principal, target):
        return hide()
    if principal.is_operator:
        return ALLOWED
    refused = refuse("you may not manage the members of that organisation")
    if not principal.is_admin:
        return refused
    if target.key == principal.org.key:
        return ALLOWED
    if principal.role is Role.PROVIDER_ADMIN and target.org_type in (OrgType.RESELLER, OrgType.CUSTOMER):
        return ALLOWED
    if principal.role is Role.RESELLER_ADMIN and target.org_type is OrgType.CUSTOMER:
        return ALLOWED
    return refused


def may_list_members(principal: Principal, target: OrgRef) -> Decision:
    """Who belongs to an organisation: its own members, and whoever may manage them."""
    if not can_see(principal, target):
        return hide()
    if target.key == principal.org.key:
        return ALLOWED
    return may_manage_members(principal, target)


# Audit ------------------------------------------------------------------------------------------------------------

# Entities whose state only the organisations above the priced one read (what the provider charges a reseller,
# what a reseller charges its customer): their audit entries are not shown to the priced organisation either.
PRICED_BY_ABOVE = {"resellerPricing": OrgType.RESELLER, "customerPricing": OrgType.CUSTOMER}
ONLY_ADMINS_READ_AUDIT = "only admins read the audit trail"


def may_read_audit(principal: Principal, org: OrgRef, entity_type: str | None = None) -> Decision:
    """Admins read the audit trail of what they can see, except the prices set for their own organisation by the
    one above it (docs/business.md#roles-and-scope)."""
    if not can_see(principal, org):
        return hide()
    if entity_type is not None and PRICED_BY_ABOVE.get(entity_type) is principal.org.org_type:
        return hide()
    return allow_if(principal.is_admin, refuse(ONLY_ADMINS_READ_AUDIT))


def may_read_audit_feed(principal: Principal) -> Decision:
    """The feed of everything in scope is for admins, as every entity's trail is."""
    return allow_if(principal.is_admin, refuse(ONLY_ADMINS_READ_AUDIT))


def may_choose_audit_feed(principal: Principal, provider_id: str | None) -> Decision:
    """Only the operator names whose feed it reads; everyone else reads the feed of its own scope, and a provider
    named by anyone else is not there."""
    return allow_if(principal.is_operator or not provider_id, hide())


@dataclass(frozen=True)
class FeedScope:
    """Which feed partition a caller reads, narrowed to one reseller (and its customers) or one organisation."""

    partition: str
    reseller_id: str | None = None
    org_id: str | None = None


def audit_feed_scope(principal: Principal, provider_id: str | None) -> FeedScope:
    """The operator reads the platform's feed or the provider's it names; a provider's staff their provider's; a
    reseller its own part of its provider's feed (itself and its customers), a customer only its own entries. Only
    the operator names a provider (`may_choose_audit_feed`); anyone else's is ignored here."""
    own = principal.org
    if own.org_type is OrgType.OPERATOR:
        return FeedScope(provider_id or OPERATOR_ORG_ID)
    if own.org_type is OrgType.PROVIDER:
        return FeedScope(own.org_id)
    if own.org_type is OrgType.RESELLER:
        return FeedScope(own.provider_id or "", reseller_id=own.org_id)
    return FeedScope(own.provider_id or "", org_id=own.org_id)


# Lists ------------------------------------------------------------------------------------------------------------


def may_name_provider(
    principal: Principal, provider_id: str | None, *, operator_names: str = "the provider"
) -> Decision:
    """A list or catalog read under a provider: the caller's own (another provider named is not there); the operator,
    who belongs to none, names it."""
    if principal.is_operator:
        return allow_if(bool(provider_id), reject(f"the operator names {operator_names}", "providerId", "is required"))
    return allow_if(not provider_id or provider_id == provider_of(principal), hide())


def provider_named_by_operator(principal: Principal, provider_id: str | None) -> str | None:
    """The provider whose list or catalog the operator reads on its behalf (it belongs to none); None for everyone
    else, who read their own organisation's (once `may_name_provider` allowed the read)."""
    return provider_id if principal.is_operator and provider_id else None


def may_list_resellers(principal: Principal) -> Decision:
    return allow_if(principal.org.org_type is not OrgType.CUSTOMER, refuse("customers do not list resellers"))


@dataclass(frozen=True)
class Narrowing:
    """The rows of a partition a caller sees: only one reseller's and/or one customer's (None: not narrowed by it).
    `named_reseller` / `named_customer`: that id is the caller's filter, not its own organisation, so the service
    still finds it (404 when it is not there, or, for a customer, not under `reseller_id`)."""

    reseller_id: str | None = None
    customer_id: str | None = None
    named_reseller: bool = False
    named_customer: bool = False


def resellers_visible_to(principal: Principal) -> Narrowing | Decision:
    """A reseller's staff see their own reseller's row only; the provider's staff and the operator every reseller;
    customers list none (`may_list_resellers`)."""
    listing = may_list_resellers(principal)
    if not listing.allowed:
        return listing
    if principal.org.org_type is OrgType.RESELLER:
        return Narrowing(reseller_id=principal.org.org_id)
    return Narrowing()


def customers_visible_to(principal: Principal, reseller_id: str | None) -> Narrowing | Decision:
    """A reseller's staff see their own customers, a customer itself, the provider's staff and the operator every
    customer (or the named reseller's). A reseller filter outside the caller's scope is hidden, never an empty page:
    another reseller for a reseller, any but its own for a customer."""
    own = principal.org
    if own.org_type is OrgType.RESELLER:
        if reseller_id and reseller_id != own.org_id:
            return hide()
        return Narrowing(reseller_id=own.org_id)
    if own.org_type is OrgType.CUSTOMER:
        if reseller_id and reseller_id != own.reseller_id:
            return hide()
        return Narrowing(reseller_id=reseller_id, customer_id=own.org_id, named_reseller=bool(reseller_id))
    return Narrowing(reseller_id=reseller_id, named_reseller=bool(reseller_id))


# Providers --------------------------------------------------------------------------------------------------------


def may_enroll_provider(principal: Principal) -> Decision:
    return allow_if(principal.is_operator, refuse("only the platform operator enrolls providers"))


def may_disable_provider(principal: Principal) -> Decision:
    return allow_if(principal.is_operator, refuse("only the platform operator disables providers"))


def may_start_consent(principal: Principal, provider: OrgRef) -> Decision:
    """The operator, or the provider's own admins, send a partner admin to consent."""
    own_admin = principal.role is Role.PROVIDER_ADMIN and principal.org.org_id == provider.org_id
    if not can_see(principal, provider):
        return hide()
    return allow_if(
        principal.is_operator or own_admin, refuse("only the operator or the provider's admins start the consent")
    )


def may_read_provider_summary(principal: Principal, provider: OrgRef) -> Decision:
    """The dashboard: the operator and the provider's own staff; for anyone else the provider is not there."""
    own = principal.org.org_type in (OrgType.OPERATOR, OrgType.PROVIDER)
    return allow_if(can_see(principal, provider) and own, hide())


# Resellers and customers ------------------------------------------------------------------------------------------


def may_invite_reseller(principal: Principal) -> Decision:
    return allow_if(principal.org.org_type is OrgType.PROVIDER, refuse("only the provider's staff may do this"))


def may_request_reseller_check(principal: Principal, reseller: OrgRef) -> Decision:
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.org.org_type is OrgType.PROVIDER,
        refuse("only the provider's staff request relationship checks for resellers"),
    )


def may_edit_reseller(principal: Principal, reseller: OrgRef) -> Decision:
    """Its contact e-mail: the provider's staff and the reseller's own admins."""
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES or principal.role is Role.RESELLER_ADMIN,
        refuse("only the provider's staff and the reseller's admins edit a reseller"),
    )


def may_rename_reseller(principal: Principal, reseller: OrgRef) -> Decision:
    """Its name is how the provider knows it: only the provider's staff change it."""
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES,
        refuse("only the provider's staff rename a reseller; its admins change its contact e-mail"),
    )


def may_offboard_reseller(principal: Principal, reseller: OrgRef) -> Decision:
    """Offboarding or restoring a reseller: the provider's staff."""
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES, refuse("only the provider's staff offboard or restore a reseller")
    )


def may_bring_in_customer(principal: Principal) -> Decision:
    """Inviting a customer or creating its tenant: provider staff and reseller staff (under a reseller they see)."""
    return allow_if(
        _provider_or_reseller(principal) and principal.role is not Role.CUSTOMER_ADMIN,
        refuse("only provider staff and the reseller's staff bring in customers"),
    )


def may_change_customer(principal: Principal, customer: OrgRef) -> Decision:
    """Its name, contact, storefront and storefront policy: the provider's staff and its reseller's."""
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only the provider's staff and the customer's reseller change a customer"),
    )


def may_request_customer_check(principal: Principal, customer: OrgRef) -> Decision:
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        _provider_or_reseller(principal), refuse("only the provider's staff and the customer's reseller request checks")
    )


def may_record_customer_agreement(principal: Principal, customer: OrgRef) -> Decision:
    """Recording the Microsoft Customer Agreement acceptance a customer gave: the provider's staff and the
    customer's reseller's (the customer's own admin accepts it in the storefront)."""
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only the provider's staff and the customer's reseller record an agreement acceptance"),
    )


def may_offboard_customer(principal: Principal, customer: OrgRef) -> Decision:
    """Offboarding or restoring a customer: the provider's staff, or its reseller's admins."""
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES or principal.role is Role.RESELLER_ADMIN,
        refuse("only the provider's staff and the reseller's admins offboard or restore a customer"),
    )


# Prices -----------------------------------------------------------------------------------------------------------

ALL_TIERS = ("provider_cost", "reseller_price", "customer_price")


def tiers_visible_to(principal: Principal) -> tuple[str, ...]:
    """The price tiers a caller may see: never a tier above its own (a reseller never sees the provider's cost)."""
    if principal.org.org_type in (OrgType.OPERATOR, OrgType.PROVIDER):
        return ALL_TIERS
    if principal.org.org_type is OrgType.RESELLER:
        return ("reseller_price", "customer_price")
    return ("customer_price",)


def may_price_reseller(principal: Principal, reseller: OrgRef) -> Decision:
    """What the provider charges a reseller (its margin over cost would tell the cost): the provider's staff."""
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES, refuse("only the provider's staff see or set what a reseller pays")
    )


def may_price_customer(principal: Principal, customer: OrgRef) -> Decision:
    """What a reseller charges its customer: the provider's staff, or the staff of the customer's own reseller."""
    own_reseller = principal.role in RESELLER_ROLES and principal.org.org_id == customer.reseller_id
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES or own_reseller,
        refuse("only the provider's staff or the customer's reseller set its prices"),
    )


def may_read_provider_default_margin(principal: Principal, provider: OrgRef) -> Decision:
    if not can_see(principal, provider):
        return hide()
    return allow_if(principal.role in PROVIDER_ROLES, refuse("only the provider's staff see its default margin"))


def may_set_provider_default_margin(principal: Principal, provider: OrgRef) -> Decision:
    if not can_see(principal, provider):
        return hide()
    return allow_if(principal.role is Role.PROVIDER_ADMIN, refuse("only the provider's admins set its default margin"))


def may_read_reseller_default_margin(principal: Principal, reseller: OrgRef) -> Decision:
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES | RESELLER_ROLES,
        refuse("only the provider's or the reseller's staff see the reseller's default margin"),
    )


def may_set_reseller_default_margin(principal: Principal, reseller: OrgRef) -> Decision:
    if not can_see(principal, reseller):
        return hide()
    return allow_if(
        principal.role in PROVIDER_ROLES or principal.role is Role.RESELLER_ADMIN,
        refuse("only the reseller's admins or the provider's staff set the reseller's default margin"),
    )


# Catalog and storefront -------------------------------------------------------------------------------------------


def may_manage_catalog(principal: Principal) -> Decision:
    """Syncing the provider's catalog and reading its settings: the provider's staff."""
    return allow_if(principal.role in PROVIDER_ROLES, refuse("only the provider's staff manage the catalog"))


def may_decide_what_resellers_sell(principal: Principal) -> Decision:
    """Switching items on or off for resellers, and whether new items are sellable at once: the provider's admins."""
    return allow_if(principal.role is Role.PROVIDER_ADMIN, refuse("only the provider's admins manage the catalog"))


def may_read_catalog_for_customer(principal: Principal, customer_id: str | None) -> Decision:
    """A customer reads its own market's catalog only; provider and reseller staff name a customer they see; the
    operator names none (a customer named by anyone else is not there)."""
    if principal.org.org_type is OrgType.CUSTOMER:
        return allow_if(not customer_id or customer_id == principal.org.org_id, hide())
    return allow_if(not customer_id or _provider_or_reseller(principal), hide())


@dataclass(frozen=True)
class CatalogBuyer:
    """Whose buy price a catalog shows: a provider's (its cost), one of its resellers', or a customer of that
    reseller's."""

    provider_id: str
    reseller_id: str | None = None
    customer_id: str | None = None


def catalog_buyer(org: OrgRef) -> CatalogBuyer | None:
    """An organisation's catalog shows its own buy price: a provider's its cost, a reseller's what its provider charges
    it, a customer's what its reseller charges it (its lineage names them). The operator, or an organisation without
    its lineage, buys nothing (None)."""
    if org.org_type is OrgType.PROVIDER:
        return CatalogBuyer(org.org_id)
    if org.org_type is OrgType.RESELLER and org.provider_id:
        return CatalogBuyer(org.provider_id, reseller_id=org.org_id)
    if org.org_type is OrgType.CUSTOMER and org.provider_id and org.reseller_id:
        return CatalogBuyer(org.provider_id, reseller_id=org.reseller_id, customer_id=org.org_id)
    return None


def catalog_market_customer(principal: Principal, customer_id: str | None) -> str | None:
    """Whose market a catalog read takes its country from: a customer's own, always; for staff the customer they
    name, if any (`may_read_catalog_for_customer` decides whether they may name it)."""
    if principal.org.org_type is OrgType.CUSTOMER:
        return principal.org.org_id
    return customer_id or None


def may_use_storefront(principal: Principal) -> Decision:
    return allow_if(
        principal.role is Role.CUSTOMER_ADMIN and principal.org.org_type is OrgType.CUSTOMER,
        refuse("the storefront is for customer admins"),
    )


# Orders and subscriptions -----------------------------------------------------------------------------------------


def may_place_staff_order(principal: Principal) -> Decision:
    """Orders placed by staff (customers order in the storefront)."""
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only provider and reseller staff place orders here; customers use the storefront"),
    )


def may_decide_order(principal: Principal, customer: OrgRef) -> Decision:
    """Approving or rejecting an order waiting for approval: the provider's staff or the customer's reseller's."""
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only the provider's staff or the customer's reseller staff decide on orders"),
    )


def may_change_subscription(principal: Principal, customer: OrgRef) -> Decision:
    """A subscription's seats, renewal or status: the provider's staff, the reseller's staff or the customer."""
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        principal.org.org_type in (OrgType.PROVIDER, OrgType.RESELLER, OrgType.CUSTOMER),
        refuse("only the provider's staff, the reseller's staff or the customer change subscriptions"),
    )


def may_change_subscription_as_staff(principal: Principal) -> Decision:
    """The staff routes of a subscription (customers change theirs in the storefront)."""
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only provider and reseller staff change subscriptions here; customers use the storefront"),
    )


def may_sync_customer_subscriptions(principal: Principal, customer: OrgRef) -> Decision:
    if not can_see(principal, customer):
        return hide()
    return allow_if(
        _provider_or_reseller(principal),
        refuse("only the provider's staff and the customer's reseller sync its subscriptions"),
    )


# Billing ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingAudience:
    """Who reads a run: the provider it belongs to, and the reseller or customer the caller is limited to."""

    provider_id: str
    tier: str  # provider | reseller | customer
    reseller_id: str | None = None
    customer_id: str | None = None


def billing_audience(principal: Principal) -> BillingAudience | None:
    """Provider staff read the provider's runs whole, a reseller its own part, a customer its own; runs belong to a
    provider, so the operator reads none (None)."""
    org = principal.org
    if org.org_type is OrgType.PROVIDER:
        return BillingAudience(org.org_id, "provider")
    if org.org_type is OrgType.RESELLER and org.provider_id:
        return BillingAudience(org.provider_id, "reseller", reseller_id=org.org_id)
    if org.org_type is OrgType.CUSTOMER and org.provider_id and org.reseller_id:
        return BillingAudience(org.provider_id, "customer", reseller_id=org.reseller_id, customer_id=org.org_id)
    return None


def reads_whole_runs(audience: BillingAudience) -> bool:
    """Provider staff read a run whole: whether it is current, its counts, every line (billable or not) with every
    field, and why it failed in Microsoft's words; resellers and customers read their own part only."""
    return audience.tier == "provider"


def own_totals_scope(audience: BillingAudience) -> str:
    """The totals rows whose line counts are a reseller's or a customer's own ("reseller" or "customer")."""
    return "reseller" if audience.tier == "reseller" else "customer"


@dataclass(frozen=True)
class BillingLines:
    """The lines of a run a reader sees: those of the narrowing, with the fields its tier reads, and only the billable
    ones unless it reads whole runs."""

    narrowing: Narrowing
    fields: tuple[str, ...]
    billable_only: bool


def billing_lines_visible_to(
    audience: BillingAudience, reseller_id: str | None, customer_id: str | None
) -> BillingLines | Decision:
    """Provider staff read every line, or the reseller's or customer's they name; a reseller its own and its
    customers' (a customer it names is for the service to find under it), a customer its own. A reseller or customer
    named outside the reader's part is not there."""
    if not reads_whole_runs(audience):
        if reseller_id and reseller_id != audience.reseller_id:
            return hide(f"no reseller {reseller_id}")
        reseller_id = audience.reseller_id
    if audience.tier == "customer":
        if customer_id and customer_id != audience.customer_id:
            return hide(f"no customer {customer_id}")
        customer_id = audience.customer_id
    narrowing = Narrowing(
        reseller_id=reseller_id or None,
        customer_id=customer_id or None,
        named_reseller=bool(reseller_id) and reads_whole_runs(audience),
        named_customer=bool(customer_id) and audience.tier != "customer",
    )
    return BillingLines(narrowing, visible_fields(audience.tier), billable_only=not reads_whole_runs(audience))


def may_read_billing(principal: Principal) -> Decision:
    return allow_if(
        billing_audience(principal) is not None, refuse("billing runs belong to a provider: sign in as a member of one")
    )


def _reads_whole_runs(principal: Principal) -> bool:
    audience = billing_audience(principal)
    return audience is not None and reads_whole_runs(audience)


def may_start_billing_run(principal: Principal) -> Decision:
    return allow_if(
        _reads_whole_runs(principal) and principal.role is Role.PROVIDER_ADMIN,
        refuse("only a provider admin may start a billing run"),
    )


def may_read_discrepancies(principal: Principal) -> Decision:
    """Where our records and Microsoft's disagree (Microsoft's prices included): provider staff only."""
    return allow_if(_reads_whole_runs(principal), refuse("discrepancies are for provider staff"))


# Event subscriptions ----------------------------------------------------------------------------------------------

EVENT_MANAGERS: frozenset[Role] = frozenset({Role.PROVIDER_ADMIN, Role.RESELLER_ADMIN})
EVENT_READERS: frozenset[Role] = EVENT_MANAGERS | {Role.PROVIDER_STAFF, Role.RESELLER_STAFF}


def _may_own_endpoints(principal: Principal) -> bool:
    """Providers and resellers own event endpoints (as `shared.domain.notifications.owner_of` reads them)."""
    org = principal.org
    return org.org_type is OrgType.PROVIDER or (org.org_type is OrgType.RESELLER and bool(org.provider_id))


def _event_subscriptions(principal: Principal, roles: frozenset[Role]) -> Decision:
    if not _may_own_endpoints(principal):
        return refuse("event subscriptions belong to providers and resellers")
    return allow_if(
        principal.role in roles,
        refuse("provider and reseller admins manage event subscriptions; their staff read them"),
    )


def may_read_event_subscriptions(principal: Principal) -> Decision:
    return _event_subscriptions(principal, EVENT_READERS)


def may_manage_event_subscriptions(principal: Principal) -> Decision:
    return _event_subscriptions(principal, EVENT_MANAGERS)
