"""Boundary dataclasses: Partner Center's camelCase JSON in, typed values out (and the few request bodies)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

Json = Mapping[str, Any]

_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 with up to 7 fractional digits and Z or an offset (Python's parser stops at 6); naive means UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    match = _TIMESTAMP.match(str(value).strip())
    if not match:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    clock = match.group("time") or "00:00:00"
    if len(clock) == 5:
        clock += ":00"
    fraction = (match.group("fraction") or "")[:6].ljust(6, "0")
    parsed = datetime.fromisoformat(f"{match.group('date')}T{clock}.{fraction}")
    zone = match.group("zone")
    if zone is None or zone.upper() == "Z":
        return parsed.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return parsed.replace(tzinfo=timezone(sign * offset))


def _get(data: Json, *names: str, default: Any = None) -> Any:
    """A field by its camelCase name, accepting PascalCase and other casings the service binds alike."""
    for name in names:
        if name in data:
            return data[name]
    lowered = {str(key).lower(): value for key, value in data.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return default


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _mapping(value: Any) -> Json:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> Sequence[Json]:
    """A collection envelope's items (or a bare list); a null collection is empty (seen for relationships)."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = _get(value, "items", default=())
    return tuple(item for item in (value or ()) if isinstance(item, Mapping))


def etag_of(data: Json) -> str | None:
    """`attributes.etag`, where Partner Center keeps a resource's concurrency token."""
    return _str(_mapping(_get(data, "attributes")).get("etag"))


def lower(value: Any) -> str | None:
    """Enums come in several casings (`Active`, `active`): normalised for comparison."""
    return None if value is None else str(value).lower()


@dataclass(frozen=True)
class LegalBusinessProfile:
    """Proof that Partner Center accepts the provider's app (readable app-only)."""

    company_name: str | None
    country: str | None
    vetting_status: str | None
    company_approver_email: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> LegalBusinessProfile:
        return cls(
            company_name=_str(_get(data, "companyName")),
            country=_str(_mapping(_get(data, "address")).get("country")),
            vetting_status=_str(_get(data, "vettingStatus")),
            company_approver_email=_str(_get(data, "companyApproverEmail")),
            raw=data,
        )


@dataclass(frozen=True)
class MpnProfile:
    """A partner's network (MPN) ID and name; the provider's own when no id was asked for."""

    mpn_id: str
    partner_name: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> MpnProfile:
        return cls(mpn_id=str(_get(data, "mpnId", default="")), partner_name=_str(_get(data, "partnerName")), raw=data)


@dataclass(frozen=True)
class AgreementStatus:
    """Whether an indirect reseller signed the Microsoft Partner Agreement; when not, Partner Center's code says
    why (2203 not signed for the region, 2206 none for the tenant, 2204 not an indirect reseller, 2201 region)."""

    signed: bool
    code: int | None = None
    description: str | None = None

    @classmethod
    def from_wire(cls, data: Json) -> AgreementStatus:
        return cls(signed=_get(data, "isAgreementSigned") is True)


@dataclass(frozen=True)
class OrganizationProfile:
    """The partner organisation; its tenantId confirms which tenant the consent belongs to."""

    id: str | None
    tenant_id: str | None
    company_name: str | None
    domain: str | None
    email: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> OrganizationProfile:
        return cls(
            id=_str(_get(data, "id")),
            tenant_id=_str(_get(data, "tenantId")),
            company_name=_str(_get(data, "companyName")),
            domain=_str(_get(data, "domain")),
            email=_str(_get(data, "email")),
            raw=data,
        )


@dataclass(frozen=True)
class PartnerRelationship:
    """An indirect reseller as Partner Center lists it: `id` is its tenant id, `mpn_id` its partner ID."""

    id: str
    name: str | None
    relationship_type: str | None
    state: str | None
    mpn_id: str | None
    location: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @property
    def tenant_id(self) -> str:
        return self.id

    @property
    def is_active(self) -> bool:
        # (unconfirmed) states other than "Active" are undocumented; a missing state is taken as active.
        return self.state is None or self.state.lower() == "active"

    @classmethod
    def from_wire(cls, data: Json) -> PartnerRelationship:
        mpn = _get(data, "mpnId")
        return cls(
            id=str(_get(data, "id", default="")),
            name=_str(_get(data, "name")),
            relationship_type=lower(_get(data, "relationshipType")),
            state=_str(_get(data, "state")),
            mpn_id=None if mpn in (None, "") else str(mpn),
            location=_str(_get(data, "location")),
            raw=data,
        )


@dataclass(frozen=True)
class Address:
    """A postal address as Partner Center's billing profile takes it."""

    country: str
    city: str
    address_line1: str
    postal_code: str
    address_line2: str | None = None
    state: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None

    def to_wire(self) -> dict[str, Any]:
        body = {
            "country": self.country,
            "city": self.city,
            "addressLine1": self.address_line1,
            "addressLine2": self.address_line2,
            "postalCode": self.postal_code,
            "state": self.state,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "phoneNumber": self.phone_number,
        }
        return {key: value for key, value in body.items() if value is not None}

    @classmethod
    def from_wire(cls, data: Json) -> Address:
        return cls(
            country=str(_get(data, "country", default="")),
            city=str(_get(data, "city", default="")),
            address_line1=str(_get(data, "addressLine1", default="")),
            postal_code=str(_get(data, "postalCode", default="")),
            address_line2=_str(_get(data, "addressLine2")),
            state=_str(_get(data, "state")),
            first_name=_str(_get(data, "firstName")),
            last_name=_str(_get(data, "lastName")),
            phone_number=_str(_get(data, "phoneNumber")),
        )


@dataclass(frozen=True)
class BillingProfile:
    """What a new customer tenant is created with."""

    email: str
    culture: str
    language: str
    company_name: str
    default_address: Address

    def to_wire(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "culture": self.culture,
            "language": self.language,
            "companyName": self.company_name,
            "defaultAddress": self.default_address.to_wire(),
        }


@dataclass(frozen=True)
class UserCredentials:
    """The new tenant's first global admin; the password is a one-time secret, kept out of repr and logs."""

    user_name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Customer:
    """A customer tenant as the partner sees it; `id` is the Entra tenant id."""

    id: str
    tenant_id: str
    domain: str | None
    company_name: str | None
    relationship_to_partner: str | None
    associated_partner_id: str | None = None
    commerce_id: str | None = None
    user_credentials: UserCredentials | None = None
    # The market: the billing profile's country (only the single GET and the create answer carry it).
    billing_country: str | None = None
    culture: str | None = None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> Customer:
        company = _mapping(_get(data, "companyProfile"))
        billing = _mapping(_get(data, "billingProfile"))
        country = _str(_get(_mapping(_get(billing, "defaultAddress")), "country"))
        credentials = _mapping(_get(data, "userCredentials"))
        tenant_id = str(_get(company, "tenantId", default=None) or _get(data, "id", default=""))
        raw = {key: value for key, value in data.items() if str(key).lower() != "usercredentials"}
        return cls(
            id=str(_get(data, "id", default=tenant_id)),
            tenant_id=tenant_id,
            domain=_str(_get(company, "domain")),
            company_name=_str(_get(company, "companyName")),
            relationship_to_partner=lower(_get(data, "relationshipToPartner")),
            associated_partner_id=_str(_get(data, "associatedPartnerId")) or None,
            commerce_id=_str(_get(data, "commerceId")),
            billing_country=country.upper() if country else None,
            culture=_str(_get(billing, "culture")),
            user_credentials=(
                UserCredentials(str(_get(credentials, "userName", default="")), str(_get(credentials, "password")))
                if _get(credentials, "password") is not None
                else None
            ),
            raw=raw,
        )


MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"


@dataclass(frozen=True)
class AgreementTemplate:
    """Agreement metadata: the template an acceptance must name, and the link customers read it at."""

    template_id: str
    agreement_type: str
    agreement_link: str | None
    version_rank: int | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> AgreementTemplate:
        return cls(
            template_id=str(_get(data, "templateId", default="")),
            agreement_type=str(_get(data, "agreementType", "type", default="")),
            agreement_link=_str(_get(data, "agreementLink")),
            version_rank=_int(_get(data, "versionRank")),
            raw=data,
        )


@dataclass(frozen=True)
class AgreementContact:
    """The person of the customer's organisation who accepted an agreement."""

    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None

    @classmethod
    def from_wire(cls, data: Json) -> AgreementContact:
        return cls(
            first_name=str(_get(data, "firstName", default="")),
            last_name=str(_get(data, "lastName", default="")),
            email=str(_get(data, "email", default="")),
            phone_number=_str(_get(data, "phoneNumber")) or None,
        )

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"firstName": self.first_name, "lastName": self.last_name, "email": self.email}
        if self.phone_number:
            body["phoneNumber"] = self.phone_number
        return body


@dataclass(frozen=True)
class CustomerAgreement:
    """One acceptance of an agreement on a customer (given by the customer or attested by the partner)."""

    type: str
    template_id: str | None
    date_agreed: datetime | None
    primary_contact: AgreementContact
    agreement_link: str | None = None
    user_id: str | None = None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> CustomerAgreement:
        return cls(
            type=str(_get(data, "type", "agreementType", default="")),
            template_id=_str(_get(data, "templateId")),
            date_agreed=parse_timestamp(_get(data, "dateAgreed")),
            primary_contact=AgreementContact.from_wire(_mapping(_get(data, "primaryContact"))),
            agreement_link=_str(_get(data, "agreementLink")),
            user_id=_str(_get(data, "userId")) or None,
            raw=data,
        )


@dataclass(frozen=True)
class Product:
    """A catalog product (no prices: those come from the price sheet)."""

    id: str
    title: str | None
    description: str | None
    product_type: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> Product:
        return cls(
            id=str(_get(data, "id", default="")),
            title=_str(_get(data, "title")),
            description=_str(_get(data, "description")),
            product_type=_str(_mapping(_get(data, "productType")).get("id")),
            raw=data,
        )


@dataclass(frozen=True)
class Sku:
    """A product's SKU; quantity bounds apply to cart lines and seat changes."""

    id: str
    product_id: str
    title: str | None
    minimum_quantity: int | None
    maximum_quantity: int | None
    is_trial: bool
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> Sku:
        return cls(
            id=str(_get(data, "id", default="")),
            product_id=str(_get(data, "productId", default="")),
            title=_str(_get(data, "title")),
            minimum_quantity=_int(_get(data, "minimumQuantity")),
            maximum_quantity=_int(_get(data, "maximumQuantity")),
            is_trial=bool(_get(data, "isTrial", default=False)),
            raw=data,
        )


@dataclass(frozen=True)
class RefundOption:
    """How long after purchase a refund of this type stays possible (`expiresAfter`, an ISO 8601 duration)."""

    type: str | None
    expires_after: str | None
    sequence_id: int | None = None


@dataclass(frozen=True)
class Term:
    """A purchasable commitment: duration plus billing cycle; what a cart line must match."""

    id: str | None
    duration: str
    billing_cycle: str
    description: str | None
    refund_options: tuple[RefundOption, ...] = ()

    @classmethod
    def from_wire(cls, data: Json) -> Term:
        options: list[RefundOption] = []
        for policy in _get(data, "cancellationPolicies", default=None) or ():
            for option in _get(_mapping(policy), "refundOptions", default=None) or ():
                option = _mapping(option)
                options.append(
                    RefundOption(
                        type=_str(_get(option, "type")),
                        expires_after=_str(_get(option, "expiresAfter")),
                        sequence_id=_int(_get(option, "sequenceId")),
                    )
                )
        return cls(
            id=_str(_get(data, "id")),
            duration=str(_get(data, "duration", default="")),
            billing_cycle=str(_get(data, "billingCycle", default="")).lower(),
            description=_str(_get(data, "description")),
            refund_options=tuple(options),
        )


@dataclass(frozen=True)
class Availability:
    """What is bought: `catalog_item_id` = product:sku:availability, with its terms and currency."""

    id: str
    product_id: str
    sku_id: str
    catalog_item_id: str
    currency: str | None
    country: str | None
    segment: str | None
    is_purchasable: bool
    terms: tuple[Term, ...]
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    def offers(self, term_duration: str, billing_cycle: str) -> bool:
        """Whether a purchase of that term and billing cycle matches one of this availability's terms."""
        return any(
            term.duration.upper() == term_duration.upper() and term.billing_cycle == billing_cycle.lower()
            for term in self.terms
        )

    @classmethod
    def from_wire(cls, data: Json) -> Availability:
        product_id = str(_get(data, "productId", default=""))
        sku_id = str(_get(data, "skuId", default=""))
        availability_id = str(_get(data, "id", default=""))
        catalog_item_id = _get(data, "catalogItemId") or f"{product_id}:{sku_id}:{availability_id}"
        return cls(
            id=availability_id,
            product_id=product_id,
            sku_id=sku_id,
            catalog_item_id=str(catalog_item_id),
            currency=_str(_mapping(_get(data, "defaultCurrency")).get("code")),
            country=_str(_get(data, "country")),
            segment=_str(_get(data, "segment")),
            is_purchasable=bool(_get(data, "isPurchasable", default=True)),
            terms=tuple(Term.from_wire(_mapping(term)) for term in _get(data, "terms", default=None) or ()),
            raw=data,
        )


@dataclass(frozen=True)
class CartLine:
    """One line to buy; `reseller_partner_id` is the indirect reseller's MPN ID (partner of record)."""

    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    reseller_partner_id: str | None = None
    friendly_name: str | None = None
    provisioning_context: Mapping[str, str] | None = None
    promotion_id: str | None = None
    custom_term_end_date: date | None = None  # co-terming: one of GET .../subscriptions/customTermEndDates

    def to_wire(self, line_id: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": line_id,
            "catalogItemId": self.catalog_item_id,
            "quantity": int(self.quantity),
            "termDuration": self.term_duration,
            "billingCycle": self.billing_cycle.lower(),
        }
        if self.reseller_partner_id:
            body["participants"] = [{"key": "transaction_reseller", "value": str(self.reseller_partner_id)}]
        if self.friendly_name:
            body["friendlyName"] = self.friendly_name
        if self.provisioning_context:
            body["provisioningContext"] = dict(self.provisioning_context)
        if self.promotion_id:
            body["promotionId"] = self.promotion_id
        if self.custom_term_end_date is not None:
            # (unconfirmed) the cart takes the date as customTermEndDates answers it: a midnight without a zone
            body["customTermEndDate"] = f"{self.custom_term_end_date.isoformat()}T00:00:00"
        return body


@dataclass(frozen=True)
class CustomTermEndDate:
    """One end date a new subscription may take: `calendarMonthAligned`, or `subscriptionAligned` with the
    subscriptions it co-terms with."""

    end_date: date
    kind: str
    coterm_subscription_ids: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, data: Json) -> CustomTermEndDate | None:
        moment = _get(data, "allowedCustomTermEndDate")
        try:
            end_date = date.fromisoformat(str(moment)[:10])
        except ValueError:
            return None
        ids = tuple(str(i) for i in (_get(data, "cotermSubscriptionIds", default=None) or ()))
        return cls(
            end_date=end_date,
            kind=str(_get(data, "allowedCustomTermEndDateType", default="")),
            coterm_subscription_ids=ids,
        )


@dataclass(frozen=True)
class LineError:
    """Why Partner Center refused a cart line (code as sent: number or name)."""

    code: str | None
    description: str | None


@dataclass(frozen=True)
class CartLineItem:
    """A cart line as the service holds it, with its order group and any line error."""

    id: int | None
    catalog_item_id: str
    quantity: int
    term_duration: str | None
    billing_cycle: str | None
    order_group: str | None
    currency_code: str | None
    reseller_partner_id: str | None
    error: LineError | None = None

    @classmethod
    def from_wire(cls, data: Json) -> CartLineItem:
        error = _get(data, "error")
        participants = _get(data, "participants", default=None) or ()
        reseller = next(
            (
                _str(_get(_mapping(p), "value"))
                for p in participants
                if lower(_get(_mapping(p), "key")) == "transaction_reseller"
            ),
            None,
        )
        return cls(
            id=_int(_get(data, "id")),
            catalog_item_id=str(_get(data, "catalogItemId", default="")),
            quantity=int(_get(data, "quantity", default=0)),
            term_duration=_str(_get(data, "termDuration")),
            billing_cycle=lower(_get(data, "billingCycle")),
            order_group=_str(_get(data, "orderGroup")),
            currency_code=_str(_get(data, "currencyCode")),
            reseller_partner_id=reseller,
            error=(
                LineError(_str(_get(error, "errorCode")), _str(_get(error, "errorDescription")))
                if isinstance(error, Mapping)
                else None
            ),
        )


@dataclass(frozen=True)
class Cart:
    """A cart: `Active` may be checked out, `Ordered` already was (the check before a retried checkout)."""

    id: str
    status: str | None
    line_items: tuple[CartLineItem, ...]
    expiration_timestamp: datetime | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @property
    def is_ordered(self) -> bool:
        return lower(self.status) == "ordered"

    @classmethod
    def from_wire(cls, data: Json) -> Cart:
        return cls(
            id=str(_get(data, "id", default="")),
            status=_str(_get(data, "status")),
            line_items=tuple(CartLineItem.from_wire(_mapping(line)) for line in _get(data, "lineItems", default=())),
            expiration_timestamp=parse_timestamp(_get(data, "expirationTimestamp")),
            raw=data,
        )


@dataclass(frozen=True)
class OrderLineItem:
    """An order line; `subscription_id` appears once the subscription exists (maybe later than the order)."""

    line_item_number: int | None
    offer_id: str
    quantity: int
    term_duration: str | None
    transaction_type: str | None
    subscription_id: str | None
    partner_id_on_record: str | None
    friendly_name: str | None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> OrderLineItem:
        return cls(
            line_item_number=_int(_get(data, "lineItemNumber")),
            offer_id=str(_get(data, "offerId", default="")),
            quantity=int(_get(data, "quantity", default=0)),
            term_duration=_str(_get(data, "termDuration")),
            transaction_type=lower(_get(data, "transactionType")),
            subscription_id=_str(_get(data, "subscriptionId")) or None,
            partner_id_on_record=_str(_get(data, "partnerIdOnRecord")) or None,
            friendly_name=_str(_get(data, "friendlyName")),
            raw=data,
        )


@dataclass(frozen=True)
class Order:
    """An order: `pending` until provisioned, then `completed` (or `cancelled`)."""

    id: str
    status: str | None
    reference_customer_id: str | None
    billing_cycle: str | None
    currency_code: str | None
    creation_date: datetime | None
    line_items: tuple[OrderLineItem, ...]
    total_price: Decimal | None = None
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> Order:
        total = _get(data, "totalPrice")
        return cls(
            id=str(_get(data, "id", default="")),
            status=lower(_get(data, "status")),
            reference_customer_id=_str(_get(data, "referenceCustomerId")),
            billing_cycle=lower(_get(data, "billingCycle")),
            currency_code=_str(_get(data, "currencyCode")),
            creation_date=parse_timestamp(_get(data, "creationDate")),
            line_items=tuple(OrderLineItem.from_wire(_mapping(line)) for line in _get(data, "lineItems", default=())),
            total_price=None if total is None else Decimal(str(total)),
            raw=data,
        )


@dataclass(frozen=True)
class OrderError:
    """An order group that failed at checkout while others may have succeeded."""

    order_group_id: str | None
    code: int | str | None
    description: str | None


@dataclass(frozen=True)
class CheckoutResult:
    """Checkout's outcome: orders placed and order groups refused (partial success is possible)."""

    orders: tuple[Order, ...]
    order_errors: tuple[OrderError, ...]
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> CheckoutResult:
        from shared.partner_center.errors import normalise_code

        return cls(
            orders=tuple(Order.from_wire(_mapping(order)) for order in _get(data, "orders", default=None) or ()),
            order_errors=tuple(
                OrderError(
                    order_group_id=_str(_get(_mapping(err), "orderGroupId")),
                    code=normalise_code(_get(_mapping(err), "code")),
                    description=_str(_get(_mapping(err), "description")),
                )
                for err in _get(data, "orderErrors", default=None) or ()
            ),
            raw=data,
        )


class Unset:
    """The type of UNSET: a keyword left at UNSET leaves the field as it was read."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()


def _date(value: Any) -> date | None:
    """A date as Partner Center writes one ("2027-06-30", "2027-06-30T00:00:00[Z]"); None when absent."""
    moment = parse_timestamp(value)
    return moment.date() if moment is not None else None


@dataclass(frozen=True)
class ScheduledNextTerm:
    """Changes a subscription takes at its next renewal (`scheduledNextTermInstructions`, partner-center-api.md
    §8.1): another offer, quantity, term, billing cycle or a custom term end date for the new term."""

    product_id: str
    sku_id: str
    availability_id: str
    billing_cycle: str
    term_duration: str
    quantity: int
    promotion_id: str | None = None
    custom_term_end_date: date | None = None

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    @classmethod
    def of(
        cls,
        catalog_item_id: str,
        *,
        quantity: int,
        term_duration: str,
        billing_cycle: str,
        custom_term_end_date: date | None = None,
        promotion_id: str | None = None,
    ) -> ScheduledNextTerm:
        parts = catalog_item_id.split(":")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"a catalog item id is product:sku:availability, not {catalog_item_id!r}")
        return cls(
            product_id=parts[0],
            sku_id=parts[1],
            availability_id=parts[2],
            billing_cycle=billing_cycle.lower(),
            term_duration=term_duration.upper(),
            quantity=int(quantity),
            promotion_id=promotion_id or None,
            custom_term_end_date=custom_term_end_date,
        )

    @classmethod
    def from_wire(cls, data: Any) -> ScheduledNextTerm | None:
        if not isinstance(data, Mapping) or not data:
            return None
        product = _mapping(_get(data, "product"))
        product_id = str(_get(product, "productId", default="") or "")
        if not product_id:
            return None
        return cls(
            product_id=product_id,
            sku_id=str(_get(product, "skuId", default="") or ""),
            availability_id=str(_get(product, "availabilityId", default="") or ""),
            billing_cycle=str(_get(product, "billingCycle", default="") or "").lower(),
            term_duration=str(_get(product, "termDuration", default="") or "").upper(),
            quantity=int(_get(data, "quantity", default=0) or 0),
            promotion_id=_str(_get(product, "promotionId")) or None,
            custom_term_end_date=_date(_get(data, "customTermEndDate")),
        )

    def to_wire(self) -> dict[str, Any]:
        product: dict[str, Any] = {
            "productId": self.product_id,
            "skuId": self.sku_id,
            "availabilityId": self.availability_id,
            "billingCycle": self.billing_cycle.lower(),
            "termDuration": self.term_duration.upper(),
        }
        if self.promotion_id:
            product["promotionId"] = self.promotion_id
        body: dict[str, Any] = {"product": product, "quantity": int(self.quantity)}
        if self.custom_term_end_date is not None:
            body["customTermEndDate"] = f"{self.custom_term_end_date.isoformat()}T00:00:00"
        return body


@dataclass(frozen=True)
class ExtendedServiceTerm:
    """The month of Extended Service Term a subscription whose auto-renew is off is in, and its premium over the
    monthly price ((unconfirmed) shape: `{"startDate","endDate","premiumRate"}`)."""

    start: datetime
    end: datetime
    premium_rate: Decimal

    @classmethod
    def from_wire(cls, data: Any) -> ExtendedServiceTerm | None:
        if not isinstance(data, Mapping) or not data:
            return None
        start, end = parse_timestamp(_get(data, "startDate")), parse_timestamp(_get(data, "endDate"))
        if start is None or end is None:
            return None
        return cls(start=start, end=end, premium_rate=Decimal(str(_get(data, "premiumRate", default="0"))))


@dataclass(frozen=True)
class TransitionEligibility:
    """One offer a subscription may (or may not) move to (transitionEligibilities), with Microsoft's reasons."""

    catalog_item_id: str
    title: str
    description: str | None
    quantity: int | None
    eligible: bool
    transition_types: tuple[str, ...]
    errors: tuple[tuple[int, str], ...]

    @classmethod
    def from_wire(cls, data: Json) -> TransitionEligibility:
        types: list[str] = []
        errors: list[tuple[int, str]] = []
        eligible = False
        for raw in _get(data, "eligibilities", default=None) or ():
            item = _mapping(raw)
            if bool(_get(item, "isEligible", default=False)):
                eligible = True
                kind = _str(_get(item, "transitionType"))
                if kind and kind not in types:
                    types.append(kind)
                continue
            for error in _get(item, "errors", default=None) or ():
                error = _mapping(error)
                errors.append((_int(_get(error, "code")) or 0, str(_get(error, "description", default="") or "")))
        return cls(
            catalog_item_id=str(_get(data, "catalogItemId", default="")),
            title=str(_get(data, "title", default="") or ""),
            description=_str(_get(data, "description")),
            quantity=_int(_get(data, "quantity")),
            eligible=eligible,
            transition_types=tuple(types),
            errors=tuple(errors),
        )


@dataclass(frozen=True)
class Transition:
    """A subscription moved (upgraded, or a trial converted) to another offer: the source loses `quantity` seats,
    `to_subscription_id` holds them."""

    id: str
    from_subscription_id: str
    to_subscription_id: str | None
    from_catalog_item_id: str | None
    to_catalog_item_id: str
    quantity: int
    transition_type: str
    status: str
    term_duration: str | None
    billing_cycle: str | None
    creation_date: datetime | None

    @classmethod
    def from_wire(cls, data: Json) -> Transition:
        return cls(
            id=str(_get(data, "id", default="")),
            from_subscription_id=str(_get(data, "fromSubscriptionId", default="")),
            to_subscription_id=_str(_get(data, "toSubscriptionId")) or None,
            from_catalog_item_id=_str(_get(data, "fromCatalogItemId")) or None,
            to_catalog_item_id=str(_get(data, "toCatalogItemId", default="")),
            quantity=int(_get(data, "quantity", default=0) or 0),
            transition_type=str(_get(data, "transitionType", default="") or ""),
            status=str(lower(_get(data, "status")) or ""),
            term_duration=_str(_get(data, "termDuration")) or None,
            billing_cycle=lower(_get(data, "billingCycle")) or None,
            creation_date=parse_timestamp(_get(data, "creationDate")),
        )


@dataclass(frozen=True)
class RefundableQuantity:
    """Seats that can still be removed with a refund, and until when."""

    quantity: int
    allowed_until: datetime | None


@dataclass(frozen=True)
class Subscription:
    """A new-commerce subscription; `raw` is the resource as read, sent back whole (with If-Match) on change."""

    id: str
    offer_id: str
    offer_name: str | None
    friendly_name: str | None
    quantity: int
    status: str | None
    auto_renew_enabled: bool | None
    billing_cycle: str | None
    term_duration: str | None
    partner_id: str | None
    order_id: str | None
    etag: str | None
    creation_date: datetime | None
    effective_start_date: datetime | None
    commitment_end_date: datetime | None
    cancellation_allowed_until: datetime | None
    refundable_quantity: int | None
    refundable_details: tuple[RefundableQuantity, ...] = ()
    promotion_id: str | None = None  # the promotion it was bought under ("" on the wire when none)
    raw: Json = field(repr=False, compare=False, default_factory=dict)
    is_trial: bool = False
    scheduled_next_term: ScheduledNextTerm | None = None  # changes that apply at the next renewal
    cancel_at_end_of_term: bool = False  # (unconfirmed) field name: expires at the term end instead of EST
    extended_service_term: ExtendedServiceTerm | None = None  # set while the subscription rolls month by month
    renewal_term_duration: str | None = None  # the next term's duration when scheduled changes alter it

    @classmethod
    def from_wire(cls, data: Json) -> Subscription:
        refundable = _mapping(_get(data, "refundableQuantity"))
        details = tuple(
            RefundableQuantity(
                quantity=int(_get(_mapping(item), "quantity", default=0)),
                allowed_until=parse_timestamp(_get(_mapping(item), "allowedUntilDateTime")),
            )
            for item in _get(refundable, "details", default=None) or ()
        )
        return cls(
            id=str(_get(data, "id", default="")),
            offer_id=str(_get(data, "offerId", default="")),
            offer_name=_str(_get(data, "offerName")),
            friendly_name=_str(_get(data, "friendlyName")),
            quantity=int(_get(data, "quantity", default=0)),
            status=lower(_get(data, "status")),
            auto_renew_enabled=_get(data, "autoRenewEnabled"),
            billing_cycle=lower(_get(data, "billingCycle")),
            term_duration=_str(_get(data, "termDuration")),
            partner_id=_str(_get(data, "partnerId")) or None,
            order_id=_str(_get(data, "orderId")) or None,
            etag=etag_of(data),
            creation_date=parse_timestamp(_get(data, "creationDate")),
            effective_start_date=parse_timestamp(_get(data, "effectiveStartDate")),
            commitment_end_date=parse_timestamp(_get(data, "commitmentEndDate")),
            cancellation_allowed_until=parse_timestamp(_get(data, "cancellationAllowedUntilDate")),
            refundable_quantity=_int(_get(refundable, "totalQuantity")),
            refundable_details=details,
            promotion_id=_str(_get(data, "promotionId")) or None,
            raw=data,
            is_trial=bool(_get(data, "isTrial", default=False)),
            scheduled_next_term=ScheduledNextTerm.from_wire(_get(data, "scheduledNextTermInstructions")),
            cancel_at_end_of_term=bool(_get(data, "cancelAtEndOfTerm", default=False)),
            extended_service_term=ExtendedServiceTerm.from_wire(_get(data, "extendedServiceTerm")),
            renewal_term_duration=_str(_get(data, "renewalTermDuration")) or None,
        )

    def changed(
        self,
        *,
        quantity: int | None = None,
        auto_renew: bool | None = None,
        status: str | None = None,
        scheduled_next_term: ScheduledNextTerm | None | Unset = UNSET,
        cancel_at_end_of_term: bool | None = None,
    ) -> dict[str, Any]:
        """The full resource as read with the requested fields changed: the PATCH body Partner Center documents.

        Scheduling changes turns auto-renew on (Partner Center requires it in the same resource); asking to cancel
        at the end of the term turns it off, as the sandbox and (unconfirmed) Partner Center pair the two."""
        body = {key: value for key, value in self.raw.items()}
        if not body:
            body = {"id": self.id, "offerId": self.offer_id, "quantity": self.quantity, "status": self.status}
            body["attributes"] = {"etag": self.etag, "objectType": "Subscription"}
        if quantity is not None:
            body["quantity"] = int(quantity)
        if auto_renew is not None:
            body["autoRenewEnabled"] = bool(auto_renew)
        if status is not None:
            body["status"] = status
        if not isinstance(scheduled_next_term, Unset):
            body["scheduledNextTermInstructions"] = (
                scheduled_next_term.to_wire() if scheduled_next_term is not None else None
            )
            if scheduled_next_term is not None:
                body["autoRenewEnabled"] = True
                body["cancelAtEndOfTerm"] = False
        if cancel_at_end_of_term is not None:
            body["cancelAtEndOfTerm"] = bool(cancel_at_end_of_term)
            if cancel_at_end_of_term:
                body["autoRenewEnabled"] = False
        return body


def relationships_from_wire(data: Any) -> list[PartnerRelationship]:
    return [PartnerRelationship.from_wire(item) for item in _items(data)]


def items_of(data: Any) -> Sequence[Json]:
    """The items of a collection envelope (tolerating null and bare lists)."""
    return _items(data)


# Promotions ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionProduct:
    """One product, SKU and term a promotion applies to, with its discount (`requiredProducts` on the wire).

    `discount_percent` is the `pricingPolicies` entry of policyType "discount"; reading its value as a percentage
    is (unconfirmed): Microsoft says the policy is a percentage or a flat rate without naming the two."""

    product_id: str
    sku_id: str
    term_duration: str
    billing_cycle: str
    discount_percent: Decimal | None

    @classmethod
    def from_wire(cls, data: Json) -> PromotionProduct:
        term = _mapping(_get(data, "term"))
        discount: Decimal | None = None
        for policy in _get(data, "pricingPolicies", default=None) or ():
            policy = _mapping(policy)
            if lower(_get(policy, "policyType", "type")) in ("discount", "percent", "percentage"):
                value = _get(policy, "value")
                discount = Decimal(str(value)) if value not in (None, "") else None
                break
        return cls(
            product_id=str(_get(data, "productId", default="")),
            sku_id=str(_get(data, "skuId", default="")),
            term_duration=str(_get(term, "duration", default="")).upper(),
            billing_cycle=str(_get(term, "billingCycle", default="")).lower(),
            discount_percent=discount,
        )


@dataclass(frozen=True)
class Promotion:
    """A new-commerce promotion of one market (Get promotions); the seat limits come from `requirements`, a
    field (unconfirmed) outside Microsoft's documented resource, absent = no limit known."""

    id: str
    name: str
    description: str
    start_date: datetime | None
    end_date: datetime | None
    market: str | None
    currency: str | None
    segment: str | None
    products: tuple[PromotionProduct, ...]
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None
    first_purchase_only: bool = False
    is_auto_applicable: bool = False

    @classmethod
    def from_wire(cls, data: Json) -> Promotion:
        requirements = _mapping(_get(data, "requirements"))
        properties = _mapping(_get(data, "properties"))
        return cls(
            id=str(_get(data, "id", default="")),
            name=str(_get(data, "name", default="")),
            description=str(_get(data, "description", default="")),
            start_date=parse_timestamp(_get(data, "startDate")),
            end_date=parse_timestamp(_get(data, "endDate")),
            market=_str(_get(data, "marketCode")),
            currency=_str(_get(data, "currencyCode")),
            segment=lower(_get(data, "segment")),
            products=tuple(
                PromotionProduct.from_wire(_mapping(p))
                for p in _get(data, "requiredProducts", "applicableProducts", default=None) or ()
            ),
            minimum_quantity=_int(_get(requirements, "minimumQuantity")),
            maximum_quantity=_int(_get(requirements, "maximumQuantity")),
            first_purchase_only=bool(_get(requirements, "firstPurchaseOnly", default=False)),
            is_auto_applicable=bool(_get(properties, "isAutoApplicable", default=False)),
        )


@dataclass(frozen=True)
class PromotionEligibilityRequest:
    """One transaction to check against a promotion (PromotionEligibilitiesRequestItem)."""

    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    promotion_id: str | None = None

    def to_wire(self, item_id: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": item_id,
            "catalogItemId": self.catalog_item_id,
            "quantity": int(self.quantity),
            "termDuration": self.term_duration,
            "billingCycle": self.billing_cycle.lower(),
        }
        if self.promotion_id:
            body["promotionId"] = self.promotion_id
        return body


@dataclass(frozen=True)
class EligibilityError:
    """Why a transaction is not eligible: a type, Microsoft's description and the limits it names."""

    type: str | None
    description: str | None
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None


@dataclass(frozen=True)
class PromotionEligibility:
    """The answer for one request item and one promotion."""

    item_id: int | None
    catalog_item_id: str
    promotion_id: str
    is_eligible: bool
    errors: tuple[EligibilityError, ...] = ()

    @property
    def reason(self) -> str:
        """Microsoft's descriptions, joined: what a refusal shows."""
        return "; ".join(e.description or e.type or "not eligible" for e in self.errors) or "not eligible"


def eligibilities_from_wire(data: Any) -> list[PromotionEligibility]:
    found: list[PromotionEligibility] = []
    for item in _items(data):
        for eligibility in _get(item, "eligibilities", default=None) or ():
            eligibility = _mapping(eligibility)
            found.append(
                PromotionEligibility(
                    item_id=_int(_get(item, "id")),
                    catalog_item_id=str(_get(item, "catalogItemId", default="")),
                    promotion_id=str(_get(eligibility, "promotionId", default="")),
                    is_eligible=bool(_get(eligibility, "isEligible", default=False)),
                    errors=tuple(
                        EligibilityError(
                            type=_str(_get(_mapping(e), "type")),
                            description=_str(_get(_mapping(e), "description")),
                            minimum_quantity=_int(_get(_mapping(e), "minimumQuantity")),
                            maximum_quantity=_int(_get(_mapping(e), "maximumQuantity")),
                        )
                        for e in _get(eligibility, "errors", default=None) or ()
                    ),
                )
            )
    return found
