"""Partner Center's catalog, carts, checkout, orders and subscriptions under /v1
(docs/partner-center.md#carts-and-checkout)."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import secrets
import string
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, Request

from local.sandbox import catalog, coterm, renewal
from local.sandbox.agreements import require_customer_agreement
from local.sandbox.auth import Caller, CallerDep, SandboxDep
from local.sandbox.clock import add_duration, format_date_midnight, format_timestamp, parse_timestamp
from local.sandbox.context import Sandbox
from local.sandbox.partner_center import customer_of, partner_record
from local.sandbox.promotions import eligibility_errors
from local.sandbox.replay import remember, replay_key, replayed
from local.sandbox.state import SandboxState, new_guid
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci, link, read_json

router = APIRouter(prefix="/v1", tags=["Partner Center: catalog and commerce"])

_CYCLES = renewal.CYCLES


# Catalog -----------------------------------------------------------------------------------------------------------


def _window_duration(hours: int) -> str:
    return f"P{hours // 24}D" if hours % 24 == 0 else f"PT{hours}H"


def _market(country: str | None) -> str:
    if not country:
        raise PartnerCenterError(400, 2000, "The country parameter is required.", source="CatalogService")
    if country.upper() not in catalog.MARKETS:
        # (unconfirmed) the sandbox sells in a few markets only; Partner Center itself covers many more
        raise PartnerCenterError(400, 2000, f"The country {country} is not supported.", source="CatalogService")
    return country.upper()


def _in_view(params: dict[str, str]) -> bool:
    view = get_ci(params, "targetView")
    segment = get_ci(params, "targetSegment")
    return (view is None or view.lower() == "onlineservicesnce") and (
        segment is None or segment.lower() == "commercial"
    )


def product_view(sku: catalog.Sku, country: str) -> dict[str, Any]:
    return {
        "id": sku.product_id,
        "title": sku.product_title,
        "description": sku.product_description,
        "productType": catalog.NCE_PRODUCT_TYPE,
        "isMicrosoftProduct": True,
        "publisherName": "Microsoft Corporation",
        "links": {"skus": link(f"/products/{sku.product_id}/skus?country={country}")},
    }


def sku_view(sku: catalog.Sku, country: str) -> dict[str, Any]:
    cycles = sorted({term.billing_cycle.lower() for term in sku.terms})
    return {
        "id": sku.sku_id,
        "productId": sku.product_id,
        "title": sku.product_title,
        "description": sku.product_description,
        "minimumQuantity": sku.minimum_quantity,
        "maximumQuantity": sku.maximum_quantity,
        "isTrial": sku.is_trial,
        "supportedBillingCycles": cycles,
        "purchasePrerequisites": [],
        "inventoryVariables": [],
        "provisioningVariables": [],
        "actions": ["Refund"],
        "dynamicAttributes": {
            "isAddon": sku.is_addon,
            "prerequisiteSkus": list(sku.prerequisite_skus),
            "hasAddOns": any(sku.product_id + ":" + sku.sku_id in s.prerequisite_skus for s in catalog.SKUS),
            "isMicrosoftProduct": True,
        },
        "consumptionType": "None",
        "links": {
            "availabilities": link(f"/products/{sku.product_id}/skus/{sku.sku_id}/availabilities?country={country}")
        },
    }


def availability_view(sku: catalog.Sku, country: str, window_hours: int) -> dict[str, Any]:
    market = catalog.MARKETS[country]
    refund = {"sequenceId": 0, "type": "Full", "expiresAfter": _window_duration(window_hours)}
    return {
        "id": sku.availability_in(country),
        "productId": sku.product_id,
        "skuId": sku.sku_id,
        "catalogItemId": sku.catalog_item_in(country),
        "defaultCurrency": {"code": market.currency, "symbol": market.symbol},
        "segment": "commercial",
        "country": country,
        "isPurchasable": True,
        "isRenewable": True,
        "terms": [
            {
                "id": term.id,
                "duration": term.duration,
                "description": term.description,
                "billingCycle": term.billing_cycle,
                "cancellationPolicies": [{"refundOptions": [refund]}],
            }
            for term in sku.terms
        ],
        "links": {
            "self": link(
                f"/products/{sku.product_id}/skus/{sku.sku_id}/availabilities/{sku.availability_in(country)}"
                f"?country={country}"
            )  # fmt: skip
        },
    }


def catalog_changes(sandbox: Sandbox) -> catalog.CatalogChanges:
    """The price changes and retirements made through the control route (a copy, safe to read unlocked)."""
    with sandbox.state.lock:
        changes = sandbox.state.data.get("catalogChanges") or {}
        return {name: dict(values) for name, values in changes.items()}


def _products(sandbox: Sandbox, params: dict[str, str], country: str) -> dict[str, Any]:
    seen: dict[str, catalog.Sku] = {}
    if _in_view(params):
        for sku in catalog.offered_skus(catalog_changes(sandbox), country):
            seen.setdefault(sku.product_id, sku)
    return collection([product_view(s, country) for s in seen.values()], self_uri=f"/products?country={country}")


def _sku_or_404(product_id: str, sku_id: str | None = None, *, sandbox: Sandbox | None = None,
                country: str | None = None) -> catalog.Sku:  # fmt: skip
    sku = catalog.find_sku(product_id, sku_id)
    if sku is not None and sandbox is not None and country is not None and sku_id is not None:
        sku = sku if catalog.is_offered(catalog_changes(sandbox), sku, country) else None
    if sku is None:
        # (unconfirmed) the code Partner Center answers for an unknown product or SKU
        what = f"SKU {sku_id} of product {product_id}" if sku_id else f"Product {product_id}"
        raise PartnerCenterError(404, 2000, f"{what} was not found.", source="CatalogService")
    return sku


def _skus(sandbox: Sandbox, product_id: str, params: dict[str, str], country: str) -> dict[str, Any]:
    _sku_or_404(product_id)
    offered = catalog.offered_skus(catalog_changes(sandbox), country)
    skus = [s for s in offered if s.product_id.lower() == product_id.lower()] if _in_view(params) else []
    return collection([sku_view(s, country) for s in skus])


def _availabilities(sandbox: Sandbox, product_id: str, sku_id: str, params: dict[str, str], country: str) -> dict:
    sku = _sku_or_404(product_id, sku_id, sandbox=sandbox, country=country)
    items = [availability_view(sku, country, sandbox.config.cancellation_window_hours)] if _in_view(params) else []
    return collection(items)


def _availability(sandbox: Sandbox, product_id: str, sku_id: str, availability_id: str, country: str) -> dict:
    sku = _sku_or_404(product_id, sku_id, sandbox=sandbox, country=country)
    if sku.availability_in(country).lower() != availability_id.lower():
        raise PartnerCenterError(404, 2000, f"Availability {availability_id} was not found.", source="CatalogService")
    return availability_view(sku, country, sandbox.config.cancellation_window_hours)


@router.get("/products", summary="Products of a catalog view (country required)")
async def list_products(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    params = dict(request.query_params)
    return WireResponse(_products(sandbox, params, _market(get_ci(params, "country"))))


@router.get("/products/{product_id}", summary="One product")
async def get_product(product_id: str, request: Request, caller: CallerDep) -> WireResponse:
    country = _market(get_ci(dict(request.query_params), "country"))
    return WireResponse(product_view(_sku_or_404(product_id), country))


@router.get("/products/{product_id}/skus", summary="SKUs of a product")
async def list_skus(product_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    params = dict(request.query_params)
    return WireResponse(_skus(sandbox, product_id, params, _market(get_ci(params, "country"))))


@router.get("/products/{product_id}/skus/{sku_id}", summary="One SKU")
async def get_sku(
    product_id: str, sku_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    country = _market(get_ci(dict(request.query_params), "country"))
    return WireResponse(sku_view(_sku_or_404(product_id, sku_id, sandbox=sandbox, country=country), country))


@router.get("/products/{product_id}/skus/{sku_id}/availabilities", summary="Availabilities of a SKU")
async def list_availabilities(
    product_id: str, sku_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    params = dict(request.query_params)
    return WireResponse(_availabilities(sandbox, product_id, sku_id, params, _market(get_ci(params, "country"))))


@router.get("/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}", summary="One availability")
async def get_availability(
    product_id: str, sku_id: str, availability_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    country = _market(get_ci(dict(request.query_params), "country"))
    return WireResponse(_availability(sandbox, product_id, sku_id, availability_id, country))


def _customer_country(sandbox: Sandbox, caller: Caller, customer_id: str) -> str:
    with sandbox.state.lock:
        country = customer_of(sandbox.state, caller, customer_id)["country"]
    return country if country in catalog.MARKETS else caller.provider["country"]


@router.get("/customers/{customer_id}/products", summary="Products as offered to a customer")
async def customer_products(customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    country = _customer_country(sandbox, caller, customer_id)
    return WireResponse(_products(sandbox, dict(request.query_params), country))


@router.get("/customers/{customer_id}/products/{product_id}/skus", summary="SKUs as offered to a customer")
async def customer_skus(
    customer_id: str, product_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    country = _customer_country(sandbox, caller, customer_id)
    return WireResponse(_skus(sandbox, product_id, dict(request.query_params), country))


@router.get(
    "/customers/{customer_id}/products/{product_id}/skus/{sku_id}/availabilities",
    summary="Availabilities as offered to a customer",
)
async def customer_availabilities(
    customer_id: str, product_id: str, sku_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    country = _customer_country(sandbox, caller, customer_id)
    return WireResponse(_availabilities(sandbox, product_id, sku_id, dict(request.query_params), country))


# Carts -------------------------------------------------------------------------------------------------------------


def _line_error(code: str, description: str) -> dict[str, Any]:
    # (unconfirmed) whether errorCode travels as the enum's snake_case name or its number; the SDK's converter
    # writes enums in snake_case, so the sandbox does too.
    return {"errorCode": code, "errorDescription": description, "additionalInformation": {}}


def _validate_line(
    raw: Any, index: int, country: str, attested: bool, changes: catalog.CatalogChanges
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PartnerCenterError(400, 2000, "Every line item must be an object.", source="PCCartService")
    line_id = raw.get("id", index)
    if isinstance(line_id, bool) or not isinstance(line_id, int):
        raise PartnerCenterError(400, 2000, "Line item id must be an integer.", source="PCCartService")
    catalog_item_id = str(raw.get("catalogItemId") or raw.get("catalogId") or "")
    quantity = raw.get("quantity")
    billing_cycle = str(raw.get("billingCycle") or "").lower()
    term_duration = str(raw.get("termDuration") or "").upper()
    participants = raw.get("participants") or []
    if not isinstance(participants, list):
        raise PartnerCenterError(400, 2000, "participants must be a list of {key, value}.", source="PCCartService")
    participants = [{"key": str(p.get("key", "")), "value": str(p.get("value", ""))} for p in participants
                    if isinstance(p, dict)]  # fmt: skip
    market = catalog.MARKETS[country]
    line: dict[str, Any] = {
        "id": line_id,
        "catalogItemId": catalog_item_id,
        "quantity": quantity,
        "currencyCode": market.currency,
        "billingCycle": billing_cycle,
        "termDuration": term_duration,
        "participants": participants,
        "provisioningContext": raw.get("provisioningContext") or {},
    }
    for optional in ("friendlyName", "promotionId", "customTermEndDate"):
        if raw.get(optional) is not None:
            line[optional] = raw[optional]
    sku = catalog.find_by_catalog_item_id(catalog_item_id, country)
    if sku is not None and not catalog.is_offered(changes, sku, country):
        sku = None
    if sku is None:
        line["error"] = _line_error("catalog_item_id_is_not_valid", f"The catalog item id {catalog_item_id} is not "
                                    f"valid in market {country}.")  # fmt: skip
    elif isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < sku.minimum_quantity:
        line["error"] = _line_error("invalid_input", f"Quantity must be an integer of at least {sku.minimum_quantity}.")
    elif quantity > sku.maximum_quantity:
        line["error"] = _line_error(
            "max_allowed_seats_per_subscription_exceeded",
            f"Quantity {quantity} exceeds the maximum of {sku.maximum_quantity} seats for this offer.",
        )
    elif catalog.find_term(sku, term_duration, _CYCLES.get(billing_cycle, billing_cycle)) is None:
        line["error"] = _line_error(
            "billing_plan_not_supported",
            f"The term {term_duration or '(none)'} with billing cycle {billing_cycle or '(none)'} is not offered for "
            f"{catalog_item_id}.",
        )
    elif any(p["key"].lower() == "transaction_reseller" for p in participants) and not attested:
        # (unconfirmed) how Partner Center refuses a partner of record without partnerOnRecordAttestationAccepted
        line["error"] = _line_error("attestation_not_accepted", "partnerOnRecordAttestationAccepted must be true "
                                    "when a transaction_reseller is named.")  # fmt: skip
    return line


def _build_lines(
    body: dict[str, Any], country: str, changes: catalog.CatalogChanges, *, state: SandboxState | None = None,
    customer: dict[str, Any] | None = None,
    refuse: Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    raw_lines = body.get("lineItems")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise PartnerCenterError(400, 2000, "A cart needs at least one line item.", source="PCCartService")
    attested = body.get("partnerOnRecordAttestationAccepted") is True
    lines = [_validate_line(raw, index, country, attested, changes) for index, raw in enumerate(raw_lines)]
    if state is not None and customer is not None:
        for line in lines:
            if "error" not in line and line.get("promotionId"):
                _check_promotion(state, customer, country, line)
    if len({line["id"] for line in lines}) != len(lines):
        raise PartnerCenterError(400, 2000, "Line item ids must be unique within the cart.", source="PCCartService")
    if refuse is not None:  # the checks that need the customer (custom term end dates, add-ons)
        refusals = [None if "error" in line else refuse(line, lines) for line in lines]
        for line, refusal in zip(lines, refusals, strict=True):
            if refusal is not None:
                line["error"] = refusal
    groups: dict[str, str] = {}
    for line in lines:
        key = "error" if "error" in line else line["billingCycle"]
        line["orderGroup"] = groups.setdefault(key, str(len(groups)))
    return lines


def _check_promotion(state: SandboxState, customer: dict[str, Any], country: str, line: dict[str, Any]) -> None:
    """A line naming a promotion it is not eligible for is refused as Verify promotion eligibility would refuse it
    (the error code is (unconfirmed): Microsoft documents the eligibility check, not the cart's code)."""
    _, errors = eligibility_errors(state, customer["tenantId"], country, line, str(line["promotionId"]))
    if errors:
        line["error"] = _line_error("promotion_not_eligible", "; ".join(e["description"] for e in errors))


def _refusal(
    state: SandboxState, customer: dict[str, Any], now: dt.datetime
) -> Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, Any] | None]:
    return lambda line, lines: coterm.line_refusal(state, customer, line, lines, now)


def cart_view(cart: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "creationTimestamp", "lastModifiedTimestamp", "expirationTimestamp", "lastModifiedUser", "status")
    view = {key: cart[key] for key in keys}
    view["lineItems"] = cart["lineItems"]
    view["attributes"] = {"objectType": "Cart"}
    return view


def _cart_of(state: SandboxState, customer: dict[str, Any], cart_id: str) -> dict[str, Any]:
    cart = state.data["carts"].get(cart_id.lower())
    if cart is None or cart["customerTenantId"] != customer["tenantId"]:
        raise PartnerCenterError(404, 800008, f"Cart {cart_id} was not found.", source="PCCartService")
    if cart["status"] == "Active" and parse_timestamp(cart["expirationTimestamp"]) <= state.clock.now():
        raise PartnerCenterError(404, 800008, f"Cart {cart_id} has expired.", source="PCCartService")
    return cart


def _cart_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The request body must be a cart.", source="PCCartService")
    return body


@router.post("/customers/{customer_id}/carts", status_code=201, summary="Create a cart")
async def create_cart(customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    body = _cart_body(await read_json(request))
    key = replay_key(request, caller.tenant_id)
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        if (earlier := replayed(state, key)) is not None:
            return earlier
        country = customer["country"] if customer["country"] in catalog.MARKETS else caller.provider["country"]
        now = state.clock.now()
        lines = _build_lines(
            body,
            country,
            catalog_changes(sandbox),
            refuse=_refusal(state, customer, now),
            state=state,
            customer=customer,
        )
        cart = {
            "id": new_guid(),
            "customerTenantId": customer["tenantId"],
            "providerTenantId": caller.tenant_id,
            "status": "Active",
            "creationTimestamp": format_timestamp(now),
            "lastModifiedTimestamp": format_timestamp(now),
            "expirationTimestamp": format_timestamp(now + dt.timedelta(days=sandbox.config.cart_lifetime_days)),
            "lastModifiedUser": caller.provider["adminOid"] if caller.app_user else caller.provider["clientId"],
            "lineItems": lines,
            "processing": False,
            "orderIds": [],
        }
        state.data["carts"][cart["id"]] = cart
        view = cart_view(cart)
        remember(state, key, 201, view)
        state.save()
    return WireResponse(view, status_code=201)


@router.get("/customers/{customer_id}/carts/{cart_id}", summary="One cart")
async def get_cart(customer_id: str, cart_id: str, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        return WireResponse(cart_view(_cart_of(sandbox.state, customer, cart_id)))


@router.put("/customers/{customer_id}/carts/{cart_id}", summary="Replace a cart's line items")
async def update_cart(
    customer_id: str, cart_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    body = _cart_body(await read_json(request))
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        cart = _cart_of(state, customer, cart_id)
        if cart["status"] != "Active" or cart["processing"]:
            raise PartnerCenterError(400, 800065, f"Cannot update an already submitted cart {cart['id']}.",
                                     source="PCCartService")  # fmt: skip
        country = customer["country"] if customer["country"] in catalog.MARKETS else caller.provider["country"]
        refuse = _refusal(state, customer, state.clock.now())
        cart["lineItems"] = _build_lines(
            body, country, catalog_changes(sandbox), refuse=refuse, state=state, customer=customer
        )
        cart["lastModifiedTimestamp"] = state.now_text()
        state.save()
        return WireResponse(cart_view(cart))


@router.post("/customers/{customer_id}/carts/{cart_id}/checkout", status_code=201, summary="Check out a cart")
async def checkout(customer_id: str, cart_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> Any:
    key = replay_key(request, caller.tenant_id)
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        if (earlier := replayed(state, key)) is not None:
            return earlier
        cart = _cart_of(state, customer, cart_id)
        require_customer_agreement(customer)
        if cart["processing"]:
            raise PartnerCenterError(409, 800064, f"Cart {cart['id']} is being processed by another request.",
                                     source="PCCartService")  # fmt: skip
        if cart["status"] != "Active":
            raise PartnerCenterError(400, 800065, f"Cannot check out an already submitted cart {cart['id']}.",
                                     source="PCCartService")  # fmt: skip
        refuse_partner_of_record(state, cart)
        cart["processing"] = True
    try:
        await asyncio.sleep(sandbox.config.checkout_processing_seconds)
    finally:
        with state.lock:
            cart["processing"] = False
    with state.lock:
        result = _commit_checkout(sandbox, caller, customer, cart, request.headers.get("MS-RequestId"))
        remember(state, key, 201, result)
        state.save()
    return WireResponse(result, status_code=201)


def refuse_partner_of_record(state: SandboxState, cart: dict[str, Any]) -> None:
    """Checkout refuses a `transaction_reseller` Partner Center does not know as a partner (400 800016) or that has
    not signed the Microsoft Partner Agreement (403 900123); the cart stays Active. (unconfirmed) Microsoft's docs
    list both codes without saying which call answers them: the sandbox takes the cart as sent (a line's
    participants are not checked at cart creation) and refuses the whole checkout, not one order group."""
    for line in cart["lineItems"]:
        for participant in line["participants"]:
            if participant["key"].lower() != "transaction_reseller":
                continue
            partner_id = participant["value"]
            partner = partner_record(state, partner_id)
            if partner is None:
                raise PartnerCenterError(400, 800016, f"MPN ID {partner_id} is not a valid indirect reseller.",
                                         source="PCCartService")  # fmt: skip
            if not partner["agreementSigned"]:
                raise PartnerCenterError(403, 900123, f"The indirect reseller {partner_id} has not accepted the "
                                         "Microsoft Partner Agreement.", source="PCCartService")  # fmt: skip


def _new_order_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(33))


def _commit_checkout(
    sandbox: Sandbox, caller: Caller, customer: dict[str, Any], cart: dict[str, Any], request_id: str | None
) -> dict[str, Any]:
    state = sandbox.state
    now = state.clock.now()
    orders: list[dict[str, Any]] = []
    order_errors: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in cart["lineItems"]:
        groups.setdefault(line["orderGroup"], []).append(line)
    market = catalog.MARKETS[customer["country"] if customer["country"] in catalog.MARKETS else "NL"]
    changes = catalog_changes(sandbox)
    for group_id, lines in groups.items():
        if any("error" in line for line in lines):
            order_errors.append({"orderGroupId": group_id, "code": 800009, "description": "Error in Cart item(s)"})
            continue
        order_id = _new_order_id()
        order_lines = []
        purchase_lines = []
        for number, line in enumerate(lines):
            sku = catalog.find_by_catalog_item_id(line["catalogItemId"], market.country)
            assert sku is not None
            reseller = next(
                (p["value"] for p in line["participants"] if p["key"].lower() == "transaction_reseller"), ""
            )
            term = catalog.find_term(sku, line["termDuration"], _CYCLES.get(line["billingCycle"], line["billingCycle"]))
            assert term is not None
            # New commerce keeps the purchase price for the whole term, so the order remembers what it charged.
            listed = catalog.current_unit_price(changes, sku, market.country, term)
            promotion = catalog.find_promotion(str(line.get("promotionId") or ""))
            # A promotion's discount is the price for the whole term, as the listed price is (unconfirmed).
            price = str(catalog.promotional_price(listed, promotion, market.country) if promotion else listed)
            subscription = _new_subscription(sandbox, customer, caller, order_id, line, sku, reseller, now, price)
            order_lines.append(
                {
                    "lineItemNumber": number,
                    "offerId": sku.catalog_item_in(market.country),
                    "termDuration": line["termDuration"],
                    "transactionType": "New",
                    "friendlyName": line.get("friendlyName") or sku.product_title,
                    "quantity": line["quantity"],
                    "partnerIdOnRecord": reseller,
                    "subscriptionId": subscription["id"],
                    "provisioningContext": line["provisioningContext"],
                    "unitPrice": price,
                    **(
                        {"customTermEndDate": subscription["customTermEndDate"] + "T00:00:00"}
                        if subscription.get("customTermEndDate")
                        else {}
                    ),  # fmt: skip
                }
            )
            purchase_lines.append(
                {
                    "offerId": sku.catalog_item_in(market.country),
                    "quantity": line["quantity"],
                    "termDuration": line["termDuration"],
                    "billingCycle": line["billingCycle"],
                    "partnerIdOnRecord": reseller,
                    "subscriptionId": subscription["id"],
                }
            )
        order = {
            "id": order_id,
            "alternateId": secrets.token_hex(6),
            "referenceCustomerId": customer["tenantId"],
            "providerTenantId": caller.tenant_id,
            "billingCycle": lines[0]["billingCycle"],
            "currencyCode": market.currency,
            "currencySymbol": market.symbol,
            "country": market.country,
            "creationDate": format_timestamp(now),
            "completesAt": format_timestamp(now + dt.timedelta(seconds=sandbox.config.order_completion_seconds)),
            "status": "pending",
            "transactionType": "UserPurchase",
            "cartId": cart["id"],
            "lineItems": order_lines,
        }
        state.data["orders"][order_id] = order
        cart["orderIds"].append(order_id)
        orders.append(order_view(order))
        state.data["purchases"].append(
            {
                "cartId": cart["id"],
                "orderId": order_id,
                "requestId": request_id,
                "customerTenantId": customer["tenantId"],
                "providerTenantId": caller.tenant_id,
                "createdAt": format_timestamp(now),
                "lineItems": purchase_lines,
            }
        )
    cart["status"] = "Ordered"
    cart["lastModifiedTimestamp"] = format_timestamp(now)
    return {"orders": orders, "orderErrors": order_errors}


# Orders ------------------------------------------------------------------------------------------------------------


def settle(sandbox: Sandbox) -> None:
    """Moves time-driven state forward: pending orders complete, terms renew or expire (caller holds the lock)."""
    state = sandbox.state
    now = state.clock.now()
    changed = False
    orders = state.data["orders"]
    for order in orders.values():
        if order["status"] == "pending" and parse_timestamp(order["completesAt"]) <= now:
            order["status"] = "completed"
            changed = True
    for subscription in state.data["subscriptions"].values():
        touched = False
        while subscription["status"] in ("active", "suspended") and renewal.boundary(subscription) <= now:
            changed = touched = True
            renewal.at_boundary(state, subscription, sandbox.config.est_premium_rate)
        if touched and orders.get(subscription["orderId"], {}).get("status") == "completed":
            sandbox.pending_updates.append(subscription)
    if changed:
        state.save()


def publish_pending(sandbox: Sandbox) -> None:
    """Sends subscription-updated for each subscription the clock changed (call without holding the lock)."""
    with sandbox.state.lock:
        pending, sandbox.pending_updates = sandbox.pending_updates, []
    seen: set[str] = set()
    for subscription in pending:
        if subscription["id"] not in seen:
            seen.add(subscription["id"])
            publish_subscription_updated(sandbox, subscription)


def order_view(order: dict[str, Any], *, include_price: bool = False) -> dict[str, Any]:
    completed = order["status"] == "completed"
    customer_id = order["referenceCustomerId"]
    lines = []
    total = Decimal("0")
    for raw in order["lineItems"]:
        line = {k: v for k, v in raw.items() if k not in ("subscriptionId", "provisioningContext", "unitPrice")}
        # (unconfirmed) whether new commerce fills subscriptionId before the order completes; the sandbox waits.
        if completed:
            line["subscriptionId"] = raw["subscriptionId"]
            line["links"] = {
                "subscription": link(f"/customers/{customer_id}/subscriptions/{raw['subscriptionId']}"),
                "provisioningStatus": link(f"/customers/{customer_id}/orders/{order['id']}/provisioningstatus"),
            }
        if include_price:
            line["pricing"] = _line_pricing(order, raw)
            total += line["pricing"]["extendedPrice"]
        lines.append(line)
    view = {
        key: order[key]
        for key in (
            "id",
            "alternateId",
            "referenceCustomerId",
            "billingCycle",
            "currencyCode",
            "currencySymbol",
            "creationDate",
            "status",
            "transactionType",
        )  # fmt: skip
    }
    view["lineItems"] = lines
    if include_price:
        view["totalPrice"] = total
    view["links"] = {
        "self": link(f"/customers/{customer_id}/orders/{order['id']}"),
        "provisioningStatus": link(f"/customers/{customer_id}/orders/{order['id']}/provisioningstatus"),
    }
    view["attributes"] = {"objectType": "Order"}
    return view


def _line_pricing(order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    sku = catalog.find_by_catalog_item_id(line["offerId"])
    assert sku is not None
    term = catalog.find_term(sku, line["termDuration"], _CYCLES.get(order["billingCycle"], order["billingCycle"]))
    assert term is not None
    price = Decimal(line["unitPrice"]) if line.get("unitPrice") else catalog.unit_price(sku, order["country"], term)
    prorated = price
    custom = coterm.parse_end_date(line.get("customTermEndDate"))
    if custom is not None:  # a co-termed first cycle is charged by day ((unconfirmed) as the sandbox prorates)
        bought = parse_timestamp(order["creationDate"]).replace(hour=0, minute=0, second=0, microsecond=0)
        ends = dt.datetime.combine(custom + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        prorated = (price * coterm.first_cycle_fraction(bought, ends, order["billingCycle"])).quantize(
            Decimal("1E-14"), ROUND_HALF_UP
        )
    return {
        "listPrice": price,
        "discountedPrice": price,
        "proratedPrice": prorated,
        "price": price,
        "extendedPrice": prorated * line["quantity"],
    }


def _orders_of(state: SandboxState, customer: dict[str, Any]) -> list[dict[str, Any]]:
    orders = [o for o in state.data["orders"].values() if o["referenceCustomerId"] == customer["tenantId"]]
    return sorted(orders, key=lambda o: o["creationDate"])


def _order_of(state: SandboxState, customer: dict[str, Any], order_id: str) -> dict[str, Any]:
    order = state.data["orders"].get(order_id)
    if order is None or order["referenceCustomerId"] != customer["tenantId"]:
        raise PartnerCenterError(404, 20000, f"Order {order_id} was not found.")
    return order


def _include_price(request: Request) -> bool:
    return str(get_ci(dict(request.query_params), "include_price") or "").lower() == "true"


@router.get("/customers/{customer_id}/orders", summary="A customer's orders")
async def list_orders(customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        items = [order_view(o, include_price=_include_price(request)) for o in _orders_of(sandbox.state, customer)]
    return WireResponse(collection(items, self_uri=f"/customers/{customer['tenantId']}/orders"))


@router.get("/customers/{customer_id}/orders/{order_id}", summary="One order")
async def get_order(
    customer_id: str, order_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        return WireResponse(
            order_view(_order_of(sandbox.state, customer, order_id), include_price=_include_price(request))
        )


@router.get("/customers/{customer_id}/orders/{order_id}/provisioningstatus", summary="An order's provisioning")
async def order_provisioning(customer_id: str, order_id: str, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        order = _order_of(sandbox.state, customer, order_id)
        status = "Fulfilled" if order["status"] == "completed" else "PrefulfillmentPending"
        items = [
            {
                "lineItemNumber": line["lineItemNumber"],
                "status": status,
                "quantity": line["quantity"],
                "attributes": {"objectType": "OrderLineItemProvisioningStatus"},
            }  # fmt: skip
            for line in order["lineItems"]
        ]
    return WireResponse(collection(items))


# Subscriptions -----------------------------------------------------------------------------------------------------


def _new_subscription(
    sandbox: Sandbox, customer: dict[str, Any], caller: Caller, order_id: str, line: dict[str, Any],
    sku: catalog.Sku, reseller: str, now: dt.datetime, unit_price: str,
) -> dict[str, Any]:  # fmt: skip
    subscription = {
        "id": new_guid(),
        "customerTenantId": customer["tenantId"],
        "providerTenantId": caller.tenant_id,
        "orderId": order_id,
        "offerId": sku.catalog_item_in(customer["country"] if customer["country"] in catalog.MARKETS else "NL"),
        "offerName": sku.product_title,
        "friendlyName": line.get("friendlyName") or sku.product_title,
        "quantity": line["quantity"],
        "status": "active",
        # (unconfirmed) a trial is bought with auto-renew off: it converts through a transition or ends
        "autoRenewEnabled": not sku.is_trial,
        "isTrial": sku.is_trial,
        "scheduled": None,
        "cancelAtEndOfTerm": False,
        "est": None,
        "billingCycle": line["billingCycle"],
        "termDuration": line["termDuration"],
        "partnerId": reseller,
        "country": customer["country"] if customer["country"] in catalog.MARKETS else "NL",
        "creationDate": format_timestamp(now),
        "purchasedAt": format_timestamp(now),
        "termStartedAt": format_timestamp(now),
        "termEndsAt": format_timestamp(_term_end(now, line)),
        "lots": [{"quantity": line["quantity"], "addedAt": format_timestamp(now)}],
        "unitPrice": unit_price,
        "promotionId": str(line.get("promotionId") or ""),
        "history": [{"at": format_timestamp(now), "quantity": line["quantity"], "kind": "new"}],
        "version": 1,
    }
    if coterm.parse_end_date(line.get("customTermEndDate")) is not None:
        subscription["customTermEndDate"] = str(line["customTermEndDate"])[:10]
    sandbox.state.data["subscriptions"][subscription["id"]] = subscription
    return subscription


def _term_end(now: dt.datetime, line: dict[str, Any]) -> dt.datetime:
    """The first term's end: the day after the line's customTermEndDate (checked at the cart), else a whole term."""
    custom = coterm.parse_end_date(line.get("customTermEndDate"))
    if custom is None:
        return add_duration(now, line["termDuration"])
    return dt.datetime.combine(custom + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _etag(subscription: dict[str, Any]) -> str:
    raw = json.dumps({"id": subscription["id"][:8], "v": subscription["version"]}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode("ascii")


def _window(sandbox: Sandbox) -> dt.timedelta:
    return dt.timedelta(hours=sandbox.config.cancellation_window_hours)


def refundable_lots(sandbox: Sandbox, subscription: dict[str, Any]) -> list[dict[str, Any]]:
    """Seat lots still inside their own refund window (each addition has its own), newest last."""
    if subscription["status"] == "deleted":
        return []
    now = sandbox.state.clock.now()
    return [lot for lot in subscription["lots"] if parse_timestamp(lot["addedAt"]) + _window(sandbox) > now]


def subscription_view(sandbox: Sandbox, subscription: dict[str, Any]) -> dict[str, Any]:
    """A subscription as Partner Center answers it, with the windows computed on the sandbox clock."""
    term_start = parse_timestamp(subscription["termStartedAt"])
    cancel_until = term_start + _window(sandbox)
    lots = refundable_lots(sandbox, subscription)
    details = [
        {
            "quantity": lot["quantity"],
            "allowedUntilDateTime": format_timestamp(parse_timestamp(lot["addedAt"]) + _window(sandbox)),
        }  # fmt: skip
        for lot in lots
    ]
    in_window = subscription["status"] != "deleted" and sandbox.state.clock.now() < cancel_until
    product_id, sku_id, availability_id = subscription["offerId"].split(":")
    term_end = parse_timestamp(subscription["termEndsAt"])
    customer_id = subscription["customerTenantId"]
    return {
        "id": subscription["id"],
        "entitlementId": subscription["id"],
        "offerId": subscription["offerId"],
        "offerName": subscription["offerName"],
        "friendlyName": subscription["friendlyName"],
        "productType": catalog.NCE_PRODUCT_TYPE,
        "quantity": subscription["quantity"],
        "unitType": "Licenses",
        "hasPurchasableAddons": any(f"{product_id}:{sku_id}" in s.prerequisite_skus for s in catalog.SKUS),
        "creationDate": subscription["creationDate"],
        "effectiveStartDate": format_date_midnight(term_start),
        "commitmentEndDate": format_date_midnight(term_end - dt.timedelta(days=1)),
        "cancellationAllowedUntilDate": format_timestamp(cancel_until),
        "refundableQuantity": {"totalQuantity": sum(lot["quantity"] for lot in lots), "details": details},
        "refundOptions": [{"type": "Full", "expiresAt": format_timestamp(cancel_until)}] if in_window else [],
        "status": subscription["status"],
        "autoRenewEnabled": subscription["autoRenewEnabled"],
        "isTrial": bool(subscription.get("isTrial")),
        "scheduledNextTermInstructions": _instructions_view(subscription.get("scheduled")),
        "cancelAtEndOfTerm": bool(subscription.get("cancelAtEndOfTerm")),  # (unconfirmed) field name
        "extendedServiceTerm": dict(subscription["est"]) if subscription.get("est") else None,
        "billingType": "license",
        "billingCycle": subscription["billingCycle"],
        "termDuration": subscription["termDuration"],
        "renewalTermDuration": renewal.renewal_term_duration(subscription),
        "isMicrosoftProduct": True,
        "partnerId": subscription["partnerId"],
        "contractType": "subscription",
        "publisherName": "Microsoft Corporation",
        "orderId": subscription["orderId"],
        "promotionId": subscription.get("promotionId") or "",
        "links": {
            "self": link(f"/customers/{customer_id}/subscriptions/{subscription['id']}"),
            "availability": link(
                f"/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}"
                f"?country={subscription['country']}"
            ),  # fmt: skip
        },
        "attributes": {"etag": _etag(subscription), "objectType": "Subscription"},
    }


def _instructions_view(scheduled: dict[str, Any] | None) -> dict[str, Any] | None:
    if not scheduled:
        return None
    view = {"product": dict(scheduled["product"]), "quantity": scheduled["quantity"]}
    if scheduled.get("customTermEndDate"):
        view["customTermEndDate"] = f"{scheduled['customTermEndDate']}T00:00:00"
    return view


def visible_subscriptions(state: SandboxState, customer_tenant_id: str | None = None) -> list[dict[str, Any]]:
    """Subscriptions whose order completed (Partner Center shows them once provisioned)."""
    orders = state.data["orders"]
    result = [
        s for s in state.data["subscriptions"].values()
        if (customer_tenant_id is None or s["customerTenantId"] == customer_tenant_id)
        and orders.get(s["orderId"], {}).get("status") == "completed"
    ]  # fmt: skip
    return sorted(result, key=lambda s: (s["creationDate"], s["id"]))


def _subscription_of(state: SandboxState, customer: dict[str, Any], subscription_id: str) -> dict[str, Any]:
    subscription = state.data["subscriptions"].get(subscription_id.lower())
    if subscription is None or subscription not in visible_subscriptions(state, customer["tenantId"]):
        raise PartnerCenterError(404, 20003, f"Subscription {subscription_id} was not found.")
    return subscription


@router.get("/customers/{customer_id}/subscriptions", summary="A customer's subscriptions")
async def list_subscriptions(
    customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    order_id = get_ci(dict(request.query_params), "order_id")
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        subscriptions = visible_subscriptions(sandbox.state, customer["tenantId"])
        items = [subscription_view(sandbox, s) for s in subscriptions if order_id is None or s["orderId"] == order_id]
    return WireResponse(collection(items, self_uri=f"/customers/{customer['tenantId']}/subscriptions"))


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}", summary="One subscription")
async def get_subscription(
    customer_id: str, subscription_id: str, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        return WireResponse(subscription_view(sandbox, _subscription_of(sandbox.state, customer, subscription_id)))


def _strip_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


@router.patch("/customers/{customer_id}/subscriptions/{subscription_id}", summary="Change a subscription")
async def patch_subscription(
    customer_id: str, subscription_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The request body must be a subscription.")
    key = replay_key(request, caller.tenant_id)
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        if (earlier := replayed(state, key)) is not None:
            return earlier
        settle(sandbox)
        subscription = _subscription_of(state, customer, subscription_id)
        changed = apply_api_change(sandbox, subscription, body, request.headers.get("If-Match"), customer=customer)
        view = subscription_view(sandbox, subscription)
        remember(state, key, 200, view)
        state.save()
    if changed:
        publish_subscription_updated(sandbox, subscription)
    return WireResponse(view)


def apply_api_change(
    sandbox: Sandbox, subscription: dict[str, Any], body: dict[str, Any], if_match: str | None, *,
    customer: dict[str, Any] | None = None,
) -> bool:  # fmt: skip
    """Applies a PATCH with Partner Center's rules; answers whether anything changed. Every check runs before the
    first change, so a refused PATCH changes nothing."""
    if subscription["status"] in ("deleted", "expired"):
        raise PartnerCenterError(400, 2011, f"Subscription in {subscription['status']} status cannot be updated.")
    presented = if_match or (body.get("attributes") or {}).get("etag")
    if presented is not None and _strip_etag(str(presented)) != _etag(subscription):
        raise PartnerCenterError(400, 2055, "The ETag is no longer valid. Get the latest subscription and retry.")
    hours = sandbox.config.cancellation_window_hours
    status = str(body.get("status", subscription["status"])).lower()
    if status not in ("active", "suspended", "deleted"):
        raise PartnerCenterError(400, 2000, f"Status {body.get('status')} cannot be set on a subscription.")
    quantity = body.get("quantity", subscription["quantity"])
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise PartnerCenterError(400, 2000, "quantity must be an integer.")
    auto_renew = body.get("autoRenewEnabled", subscription["autoRenewEnabled"])
    if not isinstance(auto_renew, bool):
        raise PartnerCenterError(400, 2000, "autoRenewEnabled must be true or false.")
    friendly_name = body.get("friendlyName", subscription["friendlyName"])
    cancel_at_end = body.get("cancelAtEndOfTerm", bool(subscription.get("cancelAtEndOfTerm")))
    if not isinstance(cancel_at_end, bool):
        raise PartnerCenterError(400, 2000, "cancelAtEndOfTerm must be true or false.")
    was_cancel_at_end = bool(subscription.get("cancelAtEndOfTerm"))
    if auto_renew and not subscription["autoRenewEnabled"] and cancel_at_end and not was_cancel_at_end:
        raise PartnerCenterError(400, 2000, "autoRenewEnabled and cancelAtEndOfTerm cannot both be turned on.")
    if auto_renew and not subscription["autoRenewEnabled"]:
        cancel_at_end = False  # turning auto-renew on clears cancel at end of term
    elif cancel_at_end and not was_cancel_at_end:
        auto_renew = False  # (unconfirmed) cancelling at the end of the term turns auto-renew off
    elif cancel_at_end:
        auto_renew = False
    in_est = bool(subscription.get("est"))
    stored = _instructions_view(subscription.get("scheduled"))
    wants_schedule = "scheduledNextTermInstructions" in body and body["scheduledNextTermInstructions"] != stored
    schedule = subscription.get("scheduled")
    if wants_schedule:
        raw = body["scheduledNextTermInstructions"]
        if raw is None:
            schedule = None
        else:
            if subscription.get("isTrial") or subscription["status"] != "active":
                raise PartnerCenterError(400, 800002, "A trial or inactive subscription cannot schedule changes for "
                                         "a next term.")  # fmt: skip
            owner = customer or sandbox.state.data["customers"][subscription["customerTenantId"]]
            schedule = renewal.validate_instructions(sandbox.state, owner, subscription, raw, auto_renew)
    elif schedule and not auto_renew:
        schedule = None  # (unconfirmed) turning auto-renew off drops changes that only a renewal would apply
    changed = False
    if status == "deleted":
        cancel_until = parse_timestamp(subscription["termStartedAt"]) + _window(sandbox)
        if in_est:
            pass  # (unconfirmed) a subscription in Extended Service Term may be ended at any time, without refund
        elif sandbox.state.clock.now() >= cancel_until:
            raise PartnerCenterError(
                400, 900213, f"You have passed your {hours}-hour cancellation window. We are unable to cancel your "
                "purchase",
            )  # fmt: skip
        subscription["status"] = "deleted"
        subscription["autoRenewEnabled"] = False
        subscription["lots"] = []
        subscription["scheduled"] = None
        subscription["est"] = None
        record_history(sandbox, subscription, "cancel", 0)
        subscription["version"] += 1
        return True
    if subscription["status"] == "suspended" and (quantity != subscription["quantity"]
                                                  or auto_renew != subscription["autoRenewEnabled"]):  # fmt: skip
        raise PartnerCenterError(400, 800091, "Cannot update a suspended subscription.")
    if quantity != subscription["quantity"]:
        _change_quantity(sandbox, subscription, quantity)
        changed = True
        if not wants_schedule and schedule:
            # (unconfirmed) the new-commerce rule that a mid-term change replaces scheduled ones: they are wiped
            schedule = None
    if schedule != subscription.get("scheduled"):
        subscription["scheduled"] = schedule
        changed = True
    if auto_renew != subscription["autoRenewEnabled"]:
        subscription["autoRenewEnabled"] = auto_renew
        changed = True
    if cancel_at_end != was_cancel_at_end:
        subscription["cancelAtEndOfTerm"] = cancel_at_end
        changed = True
    if isinstance(friendly_name, str) and friendly_name and friendly_name != subscription["friendlyName"]:
        subscription["friendlyName"] = friendly_name
        changed = True
    if status != subscription["status"]:
        subscription["status"] = status
        changed = True
    if changed:
        subscription["version"] += 1
    return changed


def _quantity_bounds(subscription: dict[str, Any]) -> tuple[int, int]:
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    return (sku.minimum_quantity, sku.maximum_quantity) if sku else (1, 10000)


def _change_quantity(sandbox: Sandbox, subscription: dict[str, Any], quantity: int) -> None:
    minimum, maximum = _quantity_bounds(subscription)
    if not minimum <= quantity <= maximum:
        raise PartnerCenterError(400, 900275, f"The requested quantity {quantity} is not allowed for this offer "
                                 f"({minimum}..{maximum}).")  # fmt: skip
    delta = quantity - subscription["quantity"]
    if delta > 0:
        subscription["lots"].append({"quantity": delta, "addedAt": sandbox.state.now_text()})
    else:
        refundable = sum(lot["quantity"] for lot in refundable_lots(sandbox, subscription))
        if -delta > refundable:
            hours = sandbox.config.cancellation_window_hours
            raise PartnerCenterError(
                400, 900214, f"You have passed your {hours}-hour window for reducing seats. Only {refundable} seats "
                "can still be removed.",
            )  # fmt: skip
        _remove_seats(subscription, -delta, only=refundable_lots(sandbox, subscription))
    record_history(sandbox, subscription, "addQuantity" if delta > 0 else "removeQuantity", quantity)
    subscription["quantity"] = quantity


def record_history(sandbox: Sandbox, subscription: dict[str, Any], kind: str, quantity: int) -> None:
    """Remembers each seat change and cancellation with its time, so reconciliation can prorate charges."""
    history = subscription.setdefault(
        "history", [{"at": subscription["purchasedAt"], "quantity": subscription["quantity"], "kind": "new"}]
    )
    history.append({"at": sandbox.state.now_text(), "quantity": quantity, "kind": kind})


def _remove_seats(subscription: dict[str, Any], count: int, *, only: list[dict[str, Any]] | None = None) -> None:
    """Takes seats from the newest lots first (those are the ones still refundable longest)."""
    candidates = only if only is not None else subscription["lots"]
    for lot in sorted(candidates, key=lambda lot: lot["addedAt"], reverse=True):
        if count == 0:
            break
        taken = min(lot["quantity"], count)
        lot["quantity"] -= taken
        count -= taken
    subscription["lots"] = [lot for lot in subscription["lots"] if lot["quantity"] > 0]


def apply_direct_change(sandbox: Sandbox, subscription: dict[str, Any], body: dict[str, Any]) -> None:
    """A change made in Partner Center itself (its UI, Microsoft support): values are checked, windows are not."""
    if "quantity" in body:
        quantity = body["quantity"]
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValueError("quantity must be a non-negative integer")
        delta = quantity - subscription["quantity"]
        if delta > 0:
            subscription["lots"].append({"quantity": delta, "addedAt": sandbox.state.now_text()})
        elif delta < 0:
            _remove_seats(subscription, -delta)
        if delta:
            record_history(sandbox, subscription, "addQuantity" if delta > 0 else "removeQuantity", quantity)
            if "scheduledNextTermInstructions" not in body:
                subscription["scheduled"] = None  # (unconfirmed) a mid-term change wipes scheduled ones
        subscription["quantity"] = quantity
    if "status" in body:
        status = str(body["status"]).lower()
        if status not in ("active", "suspended", "deleted", "expired", "pending", "disabled"):
            raise ValueError(f"unknown subscription status {body['status']!r}")
        if status == "deleted" and subscription["status"] != "deleted":
            record_history(sandbox, subscription, "cancel", 0)
        subscription["status"] = status
    if "autoRenewEnabled" in body:
        if not isinstance(body["autoRenewEnabled"], bool):
            raise ValueError("autoRenewEnabled must be true or false")
        subscription["autoRenewEnabled"] = body["autoRenewEnabled"]
        if body["autoRenewEnabled"]:
            subscription["cancelAtEndOfTerm"] = False
    if "cancelAtEndOfTerm" in body:
        if not isinstance(body["cancelAtEndOfTerm"], bool):
            raise ValueError("cancelAtEndOfTerm must be true or false")
        subscription["cancelAtEndOfTerm"] = body["cancelAtEndOfTerm"]
        if body["cancelAtEndOfTerm"]:
            subscription["autoRenewEnabled"] = False
    if "scheduledNextTermInstructions" in body:
        raw = body["scheduledNextTermInstructions"]
        if raw is None:
            subscription["scheduled"] = None
        else:
            customer = sandbox.state.data["customers"][subscription["customerTenantId"]]
            try:
                subscription["scheduled"] = renewal.validate_instructions(
                    sandbox.state, customer, subscription, raw, subscription["autoRenewEnabled"]
                )
            except PartnerCenterError as exc:
                raise ValueError(exc.description) from None
    elif not subscription["autoRenewEnabled"]:
        subscription["scheduled"] = None
    subscription["version"] += 1


def publish_subscription_updated(sandbox: Sandbox, subscription: dict[str, Any]) -> None:
    """Announces the change the way Partner Center's subscription-updated webhook names it."""
    uri = (f"{sandbox.config.https_url}/webhooks/v1/customers/{subscription['customerTenantId']}"
           f"/subscriptions/{subscription['id']}")  # fmt: skip
    sandbox.publish("subscription-updated", uri, {"subscriptionId": subscription["id"]})
