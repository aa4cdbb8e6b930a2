"""The Partner Center client every part of the platform uses: one method per operation, typed in and out."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import quote

import requests

from shared.partner_center.auth import Grant, MsalTokenProvider, TokenSource
from shared.partner_center.config import PartnerCenterCredentials, PartnerCenterEndpoints, Service
from shared.partner_center.errors import Conflict, NotFound, PartnerCenterError, Unavailable, UnexpectedResponse
from shared.partner_center.graph import DEFAULT_MAX_WAIT_SECONDS, GraphExports
from shared.partner_center.models import (
    MICROSOFT_CUSTOMER_AGREEMENT,
    UNSET,
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    Availability,
    BillingProfile,
    Cart,
    CartLine,
    CheckoutResult,
    Customer,
    CustomerAgreement,
    CustomTermEndDate,
    LegalBusinessProfile,
    MpnProfile,
    Order,
    OrganizationProfile,
    PartnerRelationship,
    Product,
    Promotion,
    PromotionEligibility,
    PromotionEligibilityRequest,
    ScheduledNextTerm,
    Sku,
    Subscription,
    Transition,
    TransitionEligibility,
    Unset,
    eligibilities_from_wire,
    items_of,
    relationships_from_wire,
)
from shared.partner_center.pricesheet import PriceSheetRow, iter_price_sheet, price_sheet_path
from shared.partner_center.reconciliation import Invoice, LineParser, ReconciliationLine, loads_exact
from shared.partner_center.transport import RetryPolicy, Transport, new_id
from shared.partner_center.webhooks import (
    ValidationEventStatus,
    WebhookRegistration,
    registration_body,
)
from shared.secrets.port import SecretStore
from shared.telemetry import current_correlation_id

T = TypeVar("T")

INDIRECT_PROVIDER_RELATIONSHIP = "IsIndirectCloudSolutionProviderOf"
CUSTOMER_FILTER_FIELDS = frozenset({"CompanyName", "Domain", "IndirectReseller", "IndirectCloudSolutionProvider"})
DEFAULT_CUSTOMER_PAGE_SIZE = 500
MAX_RECONCILIATION_PAGE_SIZE = 2000
WEBHOOK_REGISTRATION = "/webhooks/v1/registration"
UNKNOWN_PARTNER_CODE = 3000  # GET /profiles/mpn?mpnId= for a partner ID Partner Center does not know
# agreementstatus 400s that say the reseller may not transact (docs/partner-center.md#reseller-verification)
AGREEMENT_NOT_SIGNED_CODES = frozenset({2201, 2203, 2204, 2206})
# v1 names the previous period "previous", Graph names it "last": either is accepted for both methods.
_V1_PERIODS = {"current": "current", "previous": "previous", "last": "previous"}
_V2_PERIODS = {"current": "current", "previous": "last", "last": "last"}


class PagedItems(Generic[T]):
    """Items of a paged collection, fetched lazily page by page (iterate, or use by_page() for whole pages)."""

    def __init__(
        self, pages: Callable[[], Iterator[Mapping[str, Any]]], convert: Callable[[Mapping[str, Any]], T]
    ) -> None:
        self._pages = pages
        self._convert = convert

    def by_page(self) -> Iterator[list[T]]:
        """One list per page as it arrives; nothing is requested until the first page is asked for."""
        for page in self._pages():
            yield [self._convert(item) for item in items_of(page)]

    def __iter__(self) -> Iterator[T]:
        for page in self.by_page():
            yield from page


def _segment(value: str) -> str:
    """One URL path segment, escaped so an id can never change the path."""
    return quote(str(value), safe="")


class PartnerCenterClient:
    """Partner Center for one provider; each operation asks for the token grant Partner Center requires
    (docs/partner-center.md#tokens).

    Every method takes keyword `correlation_id` (one per business operation; new when omitted). Writes that must be
    recognised when retried from another process (checkout, customer creation) take `request_id` too.
    """

    def __init__(self, transport: Transport, *, exports: GraphExports | None = None) -> None:
        self.transport = transport
        self._exports = exports

    @property
    def exports(self) -> GraphExports:
        """The Graph export flow (its blob session is made on first use)."""
        if self._exports is None:
            self._exports = GraphExports(self.transport)
        return self._exports

    # -- plumbing ------------------------------------------------------------------------------------------------------

    def _grant(self, required: Grant) -> Grant:
        """App+user when the operation needs it and consent exists; otherwise app-only and Partner Center decides.

        Without a refresh token an app+user operation is sent app-only, so the service's own 403 (900329) surfaces
        as AppOnlyNotSupported: the table in 1.2 may lag behind what the service accepts.
        """
        if required is Grant.APP_USER and not self.transport.tokens.has_user_consent:
            return Grant.APP_ONLY
        return required

    def _get(self, path: str, grant: Grant, *, params: Mapping[str, str] | None = None, **kw: Any) -> Any:
        return self.transport.request("GET", path, grant=self._grant(grant), params=params, **kw).body

    def close(self) -> None:
        self.transport.close()
        if self._exports is not None:
            self._exports.close()

    def __enter__(self) -> PartnerCenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- profiles ------------------------------------------------------------------------------------------------------

    def get_legal_business_profile(self, *, correlation_id: str | None = None) -> LegalBusinessProfile:
        """Readable with app-only: the enrollment check that Partner Center knows the provider's app."""
        body = self._get(
            "/profiles/legalbusiness",
            Grant.APP_ONLY,
            params={"vettingVersion": "Current"},
            correlation_id=correlation_id,
        )
        return LegalBusinessProfile.from_wire(body or {})

    def get_mpn_profile(self, mpn_id: str | None = None, *, correlation_id: str | None = None) -> MpnProfile:
        """The provider's own partner ID, or another partner's profile (NotFound when unknown); app+user."""
        params = {"mpnId": str(mpn_id)} if mpn_id else None
        body = self._get("/profiles/mpn", Grant.APP_USER, params=params, correlation_id=correlation_id)
        return MpnProfile.from_wire(body or {})

    def find_mpn_profile(self, mpn_id: str, *, correlation_id: str | None = None) -> MpnProfile | None:
        """Another partner's profile, or None when Partner Center does not know the partner ID (404 code 3000); any
        other failure raises. app+user."""
        try:
            return self.get_mpn_profile(mpn_id, correlation_id=correlation_id)
        except NotFound as error:
            if error.code == UNKNOWN_PARTNER_CODE:
                return None
            raise

    def get_reseller_agreement_status(
        self, *, mpn_id: str | None = None, tenant_id: str | None = None, correlation_id: str | None = None
    ) -> AgreementStatus:
        """Whether an indirect reseller (by partner ID or CSP tenant id, exactly one) signed the Microsoft Partner
        Agreement; app+user. The 400s that mean "not signed" (2201, 2203, 2204, 2206) are answered as unsigned with
        their code; unknown partners (2200, 2205) and bad input (2000, 2001) raise. (unconfirmed) whether Partner
        Center answers an unsigned reseller 200 with isAgreementSigned false or with those 400s: both are read."""
        if (mpn_id is None) == (tenant_id is None):
            raise ValueError("give exactly one of mpn_id and tenant_id")
        params = {"mpnId": str(mpn_id)} if mpn_id is not None else {"tenantId": str(tenant_id)}
        try:
            body = self._get(
                "/compliance/csp/agreementstatus", Grant.APP_USER, params=params, correlation_id=correlation_id
            )
        except PartnerCenterError as error:
            if error.status == 400 and error.code in AGREEMENT_NOT_SIGNED_CODES:
                return AgreementStatus(signed=False, code=int(error.code or 0), description=error.description)
            raise
        return AgreementStatus.from_wire(body or {})

    def get_organization_profile(self, *, correlation_id: str | None = None) -> OrganizationProfile:
        """The partner organisation (its tenantId proves whose consent the refresh token carries); app+user."""
        body = self._get("/profiles/organization", Grant.APP_USER, correlation_id=correlation_id)
        return OrganizationProfile.from_wire(body or {})

    # -- relationships -------------------------------------------------------------------------------------------------

    def list_indirect_resellers(self, *, correlation_id: str | None = None) -> list[PartnerRelationship]:
        """Resellers that accepted the provider's invitation; `id` is the reseller's tenant id."""
        body = self._get(
            "/relationships",
            Grant.APP_USER,
            params={"relationship_type": INDIRECT_PROVIDER_RELATIONSHIP},
            correlation_id=correlation_id,
        )
        return relationships_from_wire(body)

    def get_relationship_request_link(
        self, indirect_reseller_tenant_id: str | None = None, *, correlation_id: str | None = None
    ) -> str:
        """The admin-center URL a customer's global admin opens to accept; passed on verbatim, never built by hand."""
        params = {"indirectResellerId": indirect_reseller_tenant_id} if indirect_reseller_tenant_id else None
        body = self._get(
            "/customers/relationshiprequests", Grant.APP_USER, params=params, correlation_id=correlation_id
        )
        url = (body or {}).get("url") if isinstance(body, Mapping) else None
        if not url:
            raise NotFound("relationship request answered without a url", correlation_id=correlation_id)
        return str(url)

    def get_customer_relationships(
        self, tenant_id: str, *, correlation_id: str | None = None
    ) -> list[PartnerRelationship]:
        """The indirect resellers attached to a customer (empty when the customer is the provider's own)."""
        body = self._get(
            f"/customers/{_segment(tenant_id)}/relationships", Grant.APP_USER, correlation_id=correlation_id
        )
        return relationships_from_wire(body)

    # -- customers -----------------------------------------------------------------------------------------------------

    def iter_customers(
        self,
        *,
        page_size: int = DEFAULT_CUSTOMER_PAGE_SIZE,
        filter_field: str | None = None,
        filter_value: str | None = None,
        correlation_id: str | None = None,
    ) -> PagedItems[Customer]:
        """All customers (optionally `starts_with`-filtered), streamed page by page with seek paging."""
        if page_size < 1:
            raise ValueError("page_size must be positive")
        params = {"size": str(page_size)}
        if filter_field is not None:
            if filter_field not in CUSTOMER_FILTER_FIELDS:
                raise ValueError(f"filter_field must be one of {sorted(CUSTOMER_FILTER_FIELDS)}")
            search = {"Field": filter_field, "Value": filter_value or "", "Operator": "starts_with"}
            params["filter"] = json.dumps(search, separators=(",", ":"))

        def pages() -> Iterator[Mapping[str, Any]]:
            return self.transport.iter_pages(
                "/customers", grant=Grant.APP_ONLY, params=params, correlation_id=correlation_id
            )

        return PagedItems(pages, Customer.from_wire)

    def get_customer(self, tenant_id: str, *, correlation_id: str | None = None) -> Customer:
        """One customer with billing profile and associatedPartnerId; NotFound/Forbidden once the relationship ended."""
        body = self._get(f"/customers/{_segment(tenant_id)}", Grant.APP_ONLY, correlation_id=correlation_id)
        return Customer.from_wire(body or {})

    def is_domain_available(self, domain: str, *, correlation_id: str | None = None) -> bool:
        """`HEAD /domains/{domain}`: 404 means free to create, 200 means taken."""
        response = self.transport.request(
            "HEAD",
            f"/domains/{_segment(domain)}",
            grant=Grant.APP_ONLY,  # (unconfirmed) the docs name no grant for the domain check; app-only assumed
            correlation_id=correlation_id,
            ok=(200, 204, 404),
        )
        return response.status == 404

    def create_customer(
        self,
        *,
        domain: str,
        billing_profile: BillingProfile,
        associated_partner_id: str | None,
        organization_registration_number: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Customer:
        """Creates a customer tenant, for the reseller whose tenant id is `associated_partner_id` (app+user then).

        The answer carries the first admin's one-time password in `user_credentials`; never log it. Pass the same
        `request_id` when retrying after a lost answer. When this call's own retry finds the tenant already made,
        the existing customer is returned without `user_credentials` (the password went with the lost answer).
        """
        company: dict[str, Any] = {"domain": domain}
        if organization_registration_number:
            company["organizationRegistrationNumber"] = organization_registration_number
        body: dict[str, Any] = {"companyProfile": company, "billingProfile": billing_profile.to_wire()}
        grant = Grant.APP_ONLY
        if associated_partner_id:
            body["associatedPartnerId"] = associated_partner_id
            grant = Grant.APP_USER
        cid = correlation_id or current_correlation_id() or new_id()
        try:
            response = self.transport.request(
                "POST",
                "/customers",
                grant=self._grant(grant),
                json_body=body,
                request_id=request_id,
                correlation_id=cid,
            )
        except PartnerCenterError as error:
            if not (error.retried or isinstance(error, Unavailable)):
                raise
            # An earlier attempt may have created the tenant before its answer was lost: find it by domain.
            existing = self.find_customer_by_domain(domain, correlation_id=cid)
            if existing is None:
                raise
            return existing
        return Customer.from_wire(response.body or {})

    def find_customer_by_domain(self, domain: str, *, correlation_id: str | None = None) -> Customer | None:
        """This partner's customer whose primary domain is exactly `domain` (the Domain filter is a prefix match)."""
        wanted = domain.lower()
        for customer in self.iter_customers(filter_field="Domain", filter_value=domain, correlation_id=correlation_id):
            if (customer.domain or "").lower() == wanted:
                return customer
        return None

    # -- agreements ----------------------------------------------------------------------------------------------------

    def get_agreement_template(
        self, agreement_type: str = MICROSOFT_CUSTOMER_AGREEMENT, *, correlation_id: str | None = None
    ) -> AgreementTemplate:
        """The current template of an agreement type (its id goes into an acceptance); app+user."""
        body = self._get("/agreements", Grant.APP_USER, params={"agreementType": agreement_type},
                         correlation_id=correlation_id)  # fmt: skip
        templates = [AgreementTemplate.from_wire(item) for item in items_of(body)]
        matching = [t for t in templates if t.agreement_type.lower() == agreement_type.lower()] or templates
        if not matching:
            raise NotFound(f"no agreement metadata for {agreement_type}", correlation_id=correlation_id)
        return max(matching, key=lambda t: t.version_rank or 0)

    def create_customer_agreement(
        self,
        customer_id: str,
        *,
        contact: AgreementContact,
        date_agreed: datetime,
        template_id: str,
        agreement_type: str = MICROSOFT_CUSTOMER_AGREEMENT,
        correlation_id: str | None = None,
    ) -> CustomerAgreement:
        """Records (attests) the customer's acceptance given by `contact` on `date_agreed`; app+user.

        The same contact twice is a Conflict (code 600061): the acceptance already exists.
        """
        body = {
            "primaryContact": contact.to_wire(),
            "dateAgreed": date_agreed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "type": agreement_type,
            "templateId": template_id,
        }
        response = self.transport.request(
            "POST",
            f"/customers/{_segment(customer_id)}/agreements",
            grant=self._grant(Grant.APP_USER),
            json_body=body,
            correlation_id=correlation_id,
        )
        return CustomerAgreement.from_wire(response.body or {})

    def list_customer_agreements(
        self,
        customer_id: str,
        agreement_type: str | None = MICROSOFT_CUSTOMER_AGREEMENT,
        *,
        correlation_id: str | None = None,
    ) -> list[CustomerAgreement]:
        """The acceptances recorded on a customer (of one agreement type unless None); app+user."""
        params = {"agreementType": agreement_type} if agreement_type else None
        body = self._get(f"/customers/{_segment(customer_id)}/agreements", Grant.APP_USER, params=params,
                         correlation_id=correlation_id)  # fmt: skip
        return [CustomerAgreement.from_wire(item) for item in items_of(body)]

    # -- catalog -------------------------------------------------------------------------------------------------------

    def iter_products(
        self,
        country: str,
        target_view: str,
        *,
        target_segment: str | None = None,
        correlation_id: str | None = None,
    ) -> PagedItems[Product]:
        """Products of a catalog view for a country (following links.next if the service pages them)."""
        params = {"country": country, "targetView": target_view}
        if target_segment:
            params["targetSegment"] = target_segment

        def pages() -> Iterator[Mapping[str, Any]]:
            return self.transport.iter_pages(
                "/products", grant=Grant.APP_ONLY, params=params, correlation_id=correlation_id
            )

        return PagedItems(pages, Product.from_wire)

    def get_product(self, product_id: str, *, country: str, correlation_id: str | None = None) -> Product:
        body = self._get(
            f"/products/{_segment(product_id)}",
            Grant.APP_ONLY,
            params={"country": country},
            correlation_id=correlation_id,
        )
        return Product.from_wire(body or {})

    def list_skus(
        self, product_id: str, *, country: str, target_segment: str | None = None, correlation_id: str | None = None
    ) -> list[Sku]:
        params = {"country": country}
        if target_segment:
            params["targetSegment"] = target_segment
        body = self._get(
            f"/products/{_segment(product_id)}/skus", Grant.APP_ONLY, params=params, correlation_id=correlation_id
        )
        return [Sku.from_wire(item) for item in items_of(body)]

    def list_availabilities(
        self,
        product_id: str,
        sku_id: str,
        *,
        country: str,
        target_segment: str | None = None,
        correlation_id: str | None = None,
    ) -> list[Availability]:
        """A SKU's availabilities; the list may show fewer terms than get_availability (a reported quirk)."""
        params = {"country": country}
        if target_segment:
            params["targetSegment"] = target_segment
        body = self._get(
            f"/products/{_segment(product_id)}/skus/{_segment(sku_id)}/availabilities",
            Grant.APP_ONLY,
            params=params,
            correlation_id=correlation_id,
        )
        return [Availability.from_wire(item) for item in items_of(body)]

    def get_availability(
        self,
        product_id: str,
        sku_id: str,
        availability_id: str,
        *,
        country: str,
        correlation_id: str | None = None,
    ) -> Availability:
        body = self._get(
            f"/products/{_segment(product_id)}/skus/{_segment(sku_id)}/availabilities/{_segment(availability_id)}",
            Grant.APP_ONLY,
            params={"country": country},
            correlation_id=correlation_id,
        )
        return Availability.from_wire(body or {})

    # -- promotions ------------------------------------------------------------------------------------------------

    def list_promotions(
        self, country: str, *, segment: str = "commercial", correlation_id: str | None = None
    ) -> list[Promotion]:
        """The market's active new-commerce promotions (Microsoft documents no paging for this list)."""
        body = self._get(
            "/productpromotions",
            Grant.APP_ONLY,
            params={"country": country, "segment": segment},
            correlation_id=correlation_id,
        )
        return [Promotion.from_wire(item) for item in items_of(body)]

    def check_promotion_eligibility(
        self,
        customer_id: str,
        items: Iterable[PromotionEligibilityRequest],
        *,
        correlation_id: str | None = None,
    ) -> list[PromotionEligibility]:
        """Whether each transaction may have its promotion, with Microsoft's reasons when it may not; the
        answer's item ids are the request items' positions."""
        body_items = [item.to_wire(index) for index, item in enumerate(items)]
        if not body_items:
            raise ValueError("an eligibility check needs at least one item")
        response = self.transport.request(
            "POST",
            f"/customers/{_segment(customer_id)}/promotionEligibilities",
            grant=Grant.APP_ONLY,
            json_body={"items": body_items},
            correlation_id=correlation_id,
        )
        return eligibilities_from_wire(response.body or {})

    # -- carts and orders ----------------------------------------------------------------------------------------------

    def create_cart(
        self,
        customer_id: str,
        lines: Iterable[CartLine],
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Cart:
        """A new-commerce cart; persist its id before checkout so a retry can look at it first."""
        line_items = [line.to_wire(index) for index, line in enumerate(lines)]
        if not line_items:
            raise ValueError("a cart needs at least one line")
        body = {"partnerOnRecordAttestationAccepted": True, "lineItems": line_items}
        response = self.transport.request(
            "POST",
            f"/customers/{_segment(customer_id)}/carts",
            grant=Grant.APP_ONLY,
            json_body=body,
            request_id=request_id,
            correlation_id=correlation_id,
        )
        return Cart.from_wire(response.body or {})

    def get_cart(self, customer_id: str, cart_id: str, *, correlation_id: str | None = None) -> Cart:
        """The cart's status: `Ordered` means a checkout went through, `Active` that retrying it is safe."""
        body = self._get(
            f"/customers/{_segment(customer_id)}/carts/{_segment(cart_id)}",
            Grant.APP_ONLY,
            correlation_id=correlation_id,
        )
        return Cart.from_wire(body or {})

    def checkout_cart(
        self,
        customer_id: str,
        cart_id: str,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> CheckoutResult:
        """Checks a cart out once. A lost answer is retried with the same MS-RequestId.

        Raises CartAlreadySubmitted when the cart was checked out before; `retried` on the error says it happened
        during this call's own retry (the first attempt went through: read the cart and its orders, do not rebuy).
        """
        response = self.transport.request(
            "POST",
            f"/customers/{_segment(customer_id)}/carts/{_segment(cart_id)}/checkout",
            grant=Grant.APP_ONLY,
            json_body={},
            request_id=request_id,
            correlation_id=correlation_id,
        )
        return CheckoutResult.from_wire(response.body or {})

    def get_order(
        self, customer_id: str, order_id: str, *, include_price: bool = False, correlation_id: str | None = None
    ) -> Order:
        params = {"include_price": "true"} if include_price else None
        body = self._get(
            f"/customers/{_segment(customer_id)}/orders/{_segment(order_id)}",
            Grant.APP_ONLY,
            params=params,
            correlation_id=correlation_id,
        )
        return Order.from_wire(body or {})

    def list_orders(
        self, customer_id: str, *, include_price: bool = False, correlation_id: str | None = None
    ) -> list[Order]:
        """A customer's orders; a new order can take minutes to show here (read it by id instead)."""
        params = {"include_price": "true"} if include_price else None
        body = self._get(
            f"/customers/{_segment(customer_id)}/orders", Grant.APP_ONLY, params=params, correlation_id=correlation_id
        )
        return [Order.from_wire(item) for item in items_of(body)]

    # -- subscriptions -------------------------------------------------------------------------------------------------

    def list_subscriptions(
        self, customer_id: str, *, order_id: str | None = None, correlation_id: str | None = None
    ) -> list[Subscription]:
        """A customer's subscriptions (or those one order created); returned whole, following links.next if any."""
        params = {"order_id": order_id} if order_id else None
        # (unconfirmed) large subscription lists may be paged; links.next is followed when present.
        pages = self.transport.iter_pages(
            f"/customers/{_segment(customer_id)}/subscriptions",
            grant=Grant.APP_ONLY,
            params=params,
            correlation_id=correlation_id,
        )
        return [Subscription.from_wire(item) for page in pages for item in items_of(page)]

    def get_custom_term_end_dates(
        self,
        customer_id: str,
        term_duration: str,
        *,
        target_subscription_id: str | None = None,
        term_start_date: date | None = None,
        correlation_id: str | None = None,
    ) -> list[CustomTermEndDate]:
        """The end dates a new subscription of this term may take (co-terming), only the target subscription's when
        one is named; empty when no date aligns. NotFound when the target is not the customer's."""
        params = {"term_duration": term_duration.upper()}
        if term_start_date is not None:
            params["term_start_date"] = term_start_date.isoformat()
        if target_subscription_id:
            params["target_coterm_subscription_id"] = target_subscription_id
        pages = self.transport.iter_pages(
            f"/customers/{_segment(customer_id)}/subscriptions/customTermEndDates",
            grant=Grant.APP_ONLY,
            params=params,
            correlation_id=correlation_id,
        )
        found = (CustomTermEndDate.from_wire(item) for page in pages for item in items_of(page))
        return [item for item in found if item is not None]

    def get_subscription(
        self, customer_id: str, subscription_id: str, *, correlation_id: str | None = None
    ) -> Subscription:
        body = self._get(
            f"/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}",
            Grant.APP_ONLY,
            correlation_id=correlation_id,
        )
        return Subscription.from_wire(body or {})

    def update_subscription(
        self,
        customer_id: str,
        subscription: Subscription,
        *,
        quantity: int | None = None,
        auto_renew: bool | None = None,
        status: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        scheduled_next_term: ScheduledNextTerm | None | Unset = UNSET,
        cancel_at_end_of_term: bool | None = None,
    ) -> Subscription:
        """PATCHes the full resource as read, with If-Match on its ETag; a stale read raises StaleEtag.

        `scheduled_next_term` schedules changes for the next term (None clears them; UNSET leaves them as read);
        a refused schedule raises ScheduledChangeRefused. `cancel_at_end_of_term` True makes the subscription
        expire at its term end instead of rolling into Extended Service Term.
        A 202 answer (the change takes longer) is followed by reading the subscription at `Location`.
        """
        body = subscription.changed(
            quantity=quantity,
            auto_renew=auto_renew,
            status=status,
            scheduled_next_term=scheduled_next_term,
            cancel_at_end_of_term=cancel_at_end_of_term,
        )
        headers = {"If-Match": subscription.etag} if subscription.etag else None
        path = f"/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription.id)}"
        response = self.transport.request(
            "PATCH",
            path,
            grant=Grant.APP_ONLY,
            json_body=body,
            headers=headers,
            request_id=request_id,
            correlation_id=correlation_id,
        )
        if response.status == 202 or not isinstance(response.body, Mapping) or not response.body:
            location = response.headers.get("Location") or path
            # (unconfirmed) a 202's Location names the subscription itself; it is read once, not polled.
            body_now = self._get(location, Grant.APP_ONLY, correlation_id=response.correlation_id)
            return Subscription.from_wire(body_now or {})
        return Subscription.from_wire(response.body)

    def get_transition_eligibilities(
        self,
        customer_id: str,
        subscription_id: str,
        eligibility_type: str = "immediate",
        *,
        correlation_id: str | None = None,
    ) -> list[TransitionEligibility]:
        """The offers the subscription may move to now (`immediate`: upgrades, trial conversions) or at renewal
        (`scheduled`), each with Microsoft's reasons when it may not."""
        if eligibility_type not in ("immediate", "scheduled"):
            raise ValueError("eligibility_type is immediate or scheduled")
        body = self._get(
            f"/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}/transitionEligibilities",
            Grant.APP_ONLY,
            params={"eligibilityType": eligibility_type},
            correlation_id=correlation_id,
        )
        return [TransitionEligibility.from_wire(item) for item in items_of(body)]

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
        correlation_id: str | None = None,
    ) -> Transition:
        """Moves `quantity` seats to a new subscription of the target offer, at once. `request_id` is required:
        a retry with the same MS-RequestId answers the transition already made instead of making another.
        A target the subscription is not eligible for raises TransitionNotEligible."""
        body = {
            "toCatalogItemId": to_catalog_item_id,
            "quantity": int(quantity),
            "transitionType": transition_type,
            "termDuration": term_duration.upper(),
            "billingCycle": billing_cycle.lower(),
        }
        response = self.transport.request(
            "POST",
            f"/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}/transitions",
            grant=Grant.APP_ONLY,
            json_body=body,
            request_id=request_id,
            correlation_id=correlation_id,
        )
        if not isinstance(response.body, Mapping) or not response.body:
            raise UnexpectedResponse("a transition answered without its resource", status=response.status)
        return Transition.from_wire(response.body)

    def list_transitions(
        self, customer_id: str, subscription_id: str, *, correlation_id: str | None = None
    ) -> list[Transition]:
        """The subscription's transitions: what a retry reads before posting one again."""
        body = self._get(
            f"/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}/transitions",
            Grant.APP_ONLY,
            correlation_id=correlation_id,
        )
        return [Transition.from_wire(item) for item in items_of(body)]

    def _resolve(self, customer_id: str, subscription: Subscription | str, correlation_id: str | None) -> Subscription:
        if isinstance(subscription, Subscription):
            return subscription
        return self.get_subscription(customer_id, subscription, correlation_id=correlation_id)

    def cancel_subscription(
        self,
        customer_id: str,
        subscription: Subscription | str,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Subscription:
        """Status `deleted`; outside the window raises CancellationWindowPassed (900213/900117)."""
        current = self._resolve(customer_id, subscription, correlation_id)
        return self.update_subscription(
            customer_id, current, status="deleted", request_id=request_id, correlation_id=correlation_id
        )

    def suspend_subscription(
        self,
        customer_id: str,
        subscription: Subscription | str,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Subscription:
        current = self._resolve(customer_id, subscription, correlation_id)
        return self.update_subscription(
            customer_id, current, status="suspended", request_id=request_id, correlation_id=correlation_id
        )

    def reactivate_subscription(
        self,
        customer_id: str,
        subscription: Subscription | str,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Subscription:
        current = self._resolve(customer_id, subscription, correlation_id)
        return self.update_subscription(
            customer_id, current, status="active", request_id=request_id, correlation_id=correlation_id
        )

    # -- price sheet ---------------------------------------------------------------------------------------------------

    def iter_price_sheet(
        self, market: str, *, view: str = "updatedlicensebased", correlation_id: str | None = None
    ) -> Iterator[PriceSheetRow]:
        """The market's price sheet streamed row by row (app+user token for api.partner.microsoft.com)."""
        path = price_sheet_path(market, view)
        sent = self.transport.send(
            "GET",
            path,
            grant=Grant.PRICE_SHEET,
            headers={"Accept": "text/csv, application/zip, application/octet-stream, */*"},
            correlation_id=correlation_id,
            service=Service.PRICE_SHEET,
            stream=True,
        )
        with sent.response as response:
            response.raw.decode_content = True  # a Content-Encoding: gzip answer is inflated on the way
            response.raw.auto_close = False  # io wrappers read to an empty chunk, not into a closed stream
            try:
                yield from iter_price_sheet(response.raw)
            except (requests.RequestException, OSError) as exc:
                raise Unavailable(
                    f"price sheet download broke off: {exc}",
                    request_id=sent.request_id,
                    correlation_id=sent.correlation_id,
                ) from exc

    # -- invoices and reconciliation -----------------------------------------------------------------------------------

    def list_invoices(self, *, correlation_id: str | None = None) -> list[Invoice]:
        body = self._get("/invoices", Grant.APP_ONLY, correlation_id=correlation_id)
        return [Invoice.from_wire(item) for item in items_of(body)]

    def get_invoice(self, invoice_id: str, *, correlation_id: str | None = None) -> Invoice:
        body = self._get(f"/invoices/{_segment(invoice_id)}", Grant.APP_ONLY, correlation_id=correlation_id)
        return Invoice.from_wire(body or {})

    def iter_reconciliation_lines(
        self,
        *,
        kind: str = "billed",
        invoice_id: str | None = None,
        currency: str | None = None,
        period: str = "current",
        method: str = "v2",
        attribute_set: str = "full",
        page_size: int = MAX_RECONCILIATION_PAGE_SIZE,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
        correlation_id: str | None = None,
    ) -> Iterator[ReconciliationLine]:
        """Every line of a billed invoice or an unbilled period, streamed; nothing holds the period in memory.

        `method="v2"` exports through Graph (new commerce; the default), `"v1"` pages the line-item API (legacy and
        periods before the v2 cut-over, 9.4). Billed needs `invoice_id`, unbilled `currency`. An export without
        data is an empty iterator. Arguments are checked at once; requests start with the first line asked for.
        """
        if kind not in ("billed", "unbilled"):
            raise ValueError("kind must be 'billed' or 'unbilled'")
        if kind == "billed" and not invoice_id:
            raise ValueError("billed lines need invoice_id")
        if kind == "unbilled" and not currency:
            raise ValueError("unbilled lines need currency")
        if period not in _V1_PERIODS:
            raise ValueError("period must be 'current', 'previous' or 'last'")
        if method == "v1":
            if not 1 <= page_size <= MAX_RECONCILIATION_PAGE_SIZE:
                raise ValueError(f"page_size must be between 1 and {MAX_RECONCILIATION_PAGE_SIZE}")
            return self._v1_lines(kind, invoice_id, currency, _V1_PERIODS[period], page_size, correlation_id)
        if method == "v2":
            if attribute_set not in ("full", "basic"):
                raise ValueError("attribute_set must be 'full' or 'basic'")
            return self._v2_lines(
                kind, invoice_id, currency, _V2_PERIODS[period], attribute_set, max_wait, correlation_id
            )
        raise ValueError("method must be 'v2' or 'v1'")

    def _v1_lines(
        self,
        kind: str,
        invoice_id: str | None,
        currency: str | None,
        period: str,
        page_size: int,
        correlation_id: str | None,
    ) -> Iterator[ReconciliationLine]:
        params = {"provider": "onetime", "invoicelineitemtype": "billinglineitems"}
        if kind == "billed":
            path = f"/invoices/{_segment(invoice_id or '')}/lineitems"
        else:
            path = "/invoices/unbilled/lineitems"
            params.update({"currencycode": str(currency), "period": period})
        params["size"] = str(page_size)
        parser = LineParser()
        pages = self.transport.iter_pages(
            path, grant=Grant.APP_ONLY, params=params, correlation_id=correlation_id, parse=loads_exact
        )
        for page in pages:
            for item in items_of(page):
                yield parser.from_mapping(item)

    def _v2_lines(
        self,
        kind: str,
        invoice_id: str | None,
        currency: str | None,
        period: str,
        attribute_set: str,
        max_wait: float,
        correlation_id: str | None,
    ) -> Iterator[ReconciliationLine]:
        cid = correlation_id or current_correlation_id() or new_id()
        exports = self.exports
        operation = exports.start(
            kind,
            invoice_id=invoice_id,
            currency=currency,
            period=period,
            attribute_set=attribute_set,
            correlation_id=cid,
        )
        manifest_url = exports.wait(operation, max_wait=max_wait, correlation_id=cid)
        if manifest_url is None:
            return
        manifest = exports.manifest(manifest_url, correlation_id=cid)
        parser = LineParser()
        from_bytes, from_mapping = parser.from_bytes, parser.from_mapping
        for record in exports.iter_records(manifest):
            if record.__class__ is bytes:
                if record.strip():  # type: ignore[union-attr]
                    yield from_bytes(record)  # type: ignore[arg-type]
            else:
                yield from_mapping(record)  # type: ignore[arg-type]

    # -- webhooks ------------------------------------------------------------------------------------------------------

    def list_webhook_events(self, *, correlation_id: str | None = None) -> list[str]:
        body = self._get(f"{WEBHOOK_REGISTRATION}/events", Grant.APP_ONLY, correlation_id=correlation_id)
        return [str(name) for name in body] if isinstance(body, list) else [str(i) for i in items_of(body)]

    def get_webhook_registration(self, *, correlation_id: str | None = None) -> WebhookRegistration | None:
        """The current registration, or None when there is none (404)."""
        try:
            body = self._get(WEBHOOK_REGISTRATION, Grant.APP_ONLY, correlation_id=correlation_id)
        except NotFound:
            return None
        return WebhookRegistration.from_wire(body or {})

    def register_webhook(
        self,
        url: str,
        events: Iterable[str],
        *,
        signature_in_ms_header: bool = False,
        correlation_id: str | None = None,
    ) -> WebhookRegistration:
        """Registers the callback; when one exists already (409) it is replaced with PUT, so this converges."""
        body = registration_body(url, events, signature_in_ms_header)
        cid = correlation_id or current_correlation_id() or new_id()
        try:
            response = self.transport.request(
                "POST", WEBHOOK_REGISTRATION, grant=Grant.APP_ONLY, json_body=body, correlation_id=cid
            )
        except Conflict as conflict:
            if conflict.status != 409:
                raise
            return self.update_webhook_registration(
                url, body["WebhookEvents"], signature_in_ms_header=signature_in_ms_header, correlation_id=cid
            )
        return WebhookRegistration.from_wire(response.body or {})

    ensure_webhook_registration = register_webhook

    def update_webhook_registration(
        self,
        url: str,
        events: Iterable[str],
        *,
        signature_in_ms_header: bool = False,
        correlation_id: str | None = None,
    ) -> WebhookRegistration:
        body = registration_body(url, events, signature_in_ms_header)
        response = self.transport.request(
            "PUT", WEBHOOK_REGISTRATION, grant=Grant.APP_ONLY, json_body=body, correlation_id=correlation_id
        )
        return WebhookRegistration.from_wire(response.body or {})

    def delete_webhook_registration(self, *, correlation_id: str | None = None) -> bool:
        """Removes the registration (unconfirmed endpoint); False when there was none."""
        try:
            self.transport.request("DELETE", WEBHOOK_REGISTRATION, grant=Grant.APP_ONLY, correlation_id=correlation_id)
        except NotFound:
            return False
        return True

    def send_validation_event(self, *, correlation_id: str | None = None) -> str:
        """Asks Partner Center to send a test-created event (2 per minute); answers the event's correlation id."""
        response = self.transport.request(
            "POST", f"{WEBHOOK_REGISTRATION}/validationEvents", grant=Grant.APP_ONLY, correlation_id=correlation_id
        )
        body = response.body if isinstance(response.body, Mapping) else {}
        value = next((v for k, v in body.items() if str(k).lower() == "correlationid"), None)
        if not value:
            raise UnexpectedResponse("the validation event answer has no correlationId", request_id=response.request_id)
        return str(value)

    def get_validation_event(
        self, correlation_id: str, *, ms_correlation_id: str | None = None
    ) -> ValidationEventStatus:
        """Delivery attempts of a validation event (`correlation_id` is the event's, not a trace id)."""
        body = self._get(
            f"{WEBHOOK_REGISTRATION}/validationEvents/{_segment(correlation_id)}",
            Grant.APP_ONLY,
            correlation_id=ms_correlation_id,
        )
        return ValidationEventStatus.from_wire(body or {})


def client_for_provider(
    credentials: PartnerCenterCredentials,
    endpoints: PartnerCenterEndpoints,
    secret_store: SecretStore,
    *,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    tokens: TokenSource | None = None,
    token_session: requests.Session | None = None,
    session: requests.Session | None = None,
) -> PartnerCenterClient:
    """The client for one provider; no I/O here (tokens and connections are made on the first call)."""
    token_source = tokens or MsalTokenProvider(credentials, endpoints, secret_store, http_session=token_session)
    transport_kwargs: dict[str, Any] = {"retry": retry, "session": session}
    if sleep is not None:
        transport_kwargs["sleep"] = sleep
    return PartnerCenterClient(Transport(endpoints, token_source, **transport_kwargs))


class ProviderApp(Protocol):
    """What a client is made from: a provider's id and its Entra app (the domain's `Provider` has these)."""

    @property
    def id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret_ref(self) -> str: ...
    @property
    def refresh_token_ref(self) -> str | None: ...


class PartnerCenterClients:
    """One client per provider and credentials, kept for the life of the process so its tokens and connections are
    reused; a provider whose app or secret reference changed gets a new one. `for_provider` is the `client_for`
    every service is given."""

    def __init__(self, endpoints: PartnerCenterEndpoints, secret_store: SecretStore) -> None:
        self._endpoints = endpoints
        self._secret_store = secret_store
        self._clients: dict[tuple[str, ...], PartnerCenterClient] = {}
        self._lock = threading.Lock()

    def for_provider(self, provider: ProviderApp) -> PartnerCenterClient:
        key = (
            provider.id,
            provider.tenant_id,
            provider.client_id,
            provider.client_secret_ref,
            provider.refresh_token_ref or "",
        )
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                credentials = PartnerCenterCredentials(
                    provider.tenant_id, provider.client_id, provider.client_secret_ref, provider.refresh_token_ref
                )
                client = client_for_provider(credentials, self._endpoints, self._secret_store)
                self._clients[key] = client
        return client
