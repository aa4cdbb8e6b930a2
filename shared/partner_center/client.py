"""The Partner Center client every part of the platform uses: one method per operation, typed in and out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import requests

from shared.partner_center.auth import Grant, MsalTokenProvider, TokenSource
from shared.partner_center.config import PartnerCenterCredentials, PartnerCenterEndpoints
from shared.partner_center.errors import NotFound, PartnerCenterError, Unavailable
from shared.partner_center.models import (
    Availability,
    BillingProfile,
    Cart,
    CartLine,
    CheckoutResult,
    Customer,
    LegalBusinessProfile,
    MpnProfile,
    Order,
    OrganizationProfile,
    PartnerRelationship,
    Product,
    Sku,
    Subscription,
    items_of,
    relationships_from_wire,
)
from shared.partner_center.transport import RetryPolicy, Transport, new_id
from shared.secrets.port import SecretStore

T = TypeVar("T")

INDIRECT_PROVIDER_RELATIONSHIP = "IsIndirectCloudSolutionProviderOf"
CUSTOMER_FILTER_FIELDS = frozenset({"CompanyName", "Domain", "IndirectReseller", "IndirectCloudSolutionProvider"})
DEFAULT_CUSTOMER_PAGE_SIZE = 500


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
    """Partner Center for one provider; each operation asks for the token grant Partner Center requires (1.2).

    Every method takes keyword `correlation_id` (one per business operation; new when omitted). Writes that must be
    recognised when retried from another process (checkout, customer creation) take `request_id` too.
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    # -- plumbing ------------------------------------------------------------------------------------------------

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

    def __enter__(self) -> PartnerCenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- profiles (section 2) ---------------------------------------------------------------------------------------

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

    def get_organization_profile(self, *, correlation_id: str | None = None) -> OrganizationProfile:
        """The partner organisation (its tenantId proves whose consent the refresh token carries); app+user."""
        body = self._get("/profiles/organization", Grant.APP_USER, correlation_id=correlation_id)
        return OrganizationProfile.from_wire(body or {})

    # -- relationships (sections 3, 4) ------------------------------------------------------------------------------

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

    # -- customers (sections 4, 5) ----------------------------------------------------------------------------------

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
        cid = correlation_id or new_id()
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
            # An earlier attempt may have created the tenant before its answer was lost (1.8): find it by domain.
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

    # -- catalog (section 6) ----------------------------------------------------------------------------------------

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

    # -- carts and orders (section 7) -------------------------------------------------------------------------------

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

    # -- subscriptions (section 8) ----------------------------------------------------------------------------------

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
    ) -> Subscription:
        """PATCHes the full resource as read, with If-Match on its ETag; a stale read raises StaleEtag.

        A 202 answer (the change takes longer) is followed by reading the subscription at `Location`.
        """
        body = subscription.changed(quantity=quantity, auto_renew=auto_renew, status=status)
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
