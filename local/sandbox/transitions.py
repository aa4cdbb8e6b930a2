"""Transitions of new-commerce subscriptions: upgrades and trial conversions (docs/partner-center.md#the-
subscriptions-life; learn.microsoft.com "Transition a new commerce subscription").

- `GET .../subscriptions/{id}/transitionEligibilities?eligibilityType=immediate|scheduled`: the offers the
  subscription may move to now (upgrades; a trial: its paid offer) or at renewal (upgrades; what
  scheduledNextTermInstructions may name besides its own offer).
- `POST .../subscriptions/{id}/transitions`: moves `quantity` seats to a new subscription of the target (a new term
  from now at the current price, the same partner of record); the source keeps the rest, or is deleted when all
  seats move; its scheduled next-term instructions are wiped. Replayed by MS-RequestId.
- `GET .../subscriptions/{id}/transitions`: the transitions the subscription was the source of.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from local.sandbox import catalog
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.commerce import (
    _new_order_id,
    _new_subscription,
    _remove_seats,
    _subscription_of,
    catalog_changes,
    publish_subscription_updated,
    record_history,
    settle,
)
from local.sandbox.partner_center import customer_of
from local.sandbox.renewal import CYCLES
from local.sandbox.replay import remember, replay_key, replayed
from local.sandbox.state import SandboxState, new_guid
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci, read_json

router = APIRouter(prefix="/v1", tags=["Partner Center: catalog and commerce"])

TRANSITION_TYPES = ("transition_only", "transition_with_license_transfer")
# (unconfirmed) the code and text Partner Center gives an ineligible transition
NOT_ELIGIBLE = 800002


def _reasons(subscription: dict[str, Any], target: catalog.Sku) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    if subscription["status"] != "active":
        reasons.append({"code": NOT_ELIGIBLE, "description": f"A subscription in {subscription['status']} status "
                        "cannot transition."})  # fmt: skip
    if subscription.get("est"):
        # (unconfirmed) a subscription in Extended Service Term moves only at renewal
        reasons.append({"code": NOT_ELIGIBLE, "description": "A subscription in Extended Service Term cannot "
                        "transition before its next renewal."})  # fmt: skip
    if subscription["quantity"] > target.maximum_quantity:
        reasons.append({"code": NOT_ELIGIBLE, "description": f"{target.product_title} allows at most "
                        f"{target.maximum_quantity} seats."})  # fmt: skip
    return reasons


def eligibilities(sandbox: Any, subscription: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The eligibility items of one subscription (the caller holds the lock)."""
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    if sku is None or (kind == "scheduled" and sku.is_trial):
        return []
    country = subscription["country"]
    changes = catalog_changes(sandbox)
    items = []
    for target in catalog.transition_targets(sku):
        if not catalog.is_offered(changes, target, country):
            continue
        reasons = _reasons(subscription, target) if kind == "immediate" else []
        items.append({
            "catalogItemId": target.catalog_item_in(country),
            "title": target.product_title,
            "description": target.product_description,
            "quantity": subscription["quantity"],
            "eligibilities": [{"isEligible": not reasons, "transitionType": t, "errors": reasons}
                              for t in TRANSITION_TYPES],
        })  # fmt: skip
    return items


def _transitions(state: SandboxState) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = state.data.setdefault("transitions", {})
    return found


def _view(transition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in transition.items() if k != "customerTenantId"}


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}/transitionEligibilities",
            summary="Offers a subscription may transition to")  # fmt: skip
async def get_transition_eligibilities(
    customer_id: str, subscription_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    kind = str(get_ci(dict(request.query_params), "eligibilityType") or "immediate").lower()
    if kind not in ("immediate", "scheduled"):
        raise PartnerCenterError(400, 2000, "eligibilityType must be immediate or scheduled.")
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        settle(sandbox)
        subscription = _subscription_of(sandbox.state, customer, subscription_id)
        return WireResponse(collection(eligibilities(sandbox, subscription, kind)))


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}/transitions",
            summary="A subscription's transitions")  # fmt: skip
async def list_transitions(customer_id: str, subscription_id: str, caller: CallerDep, sandbox: SandboxDep) -> Any:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        subscription = _subscription_of(sandbox.state, customer, subscription_id)
        items = sorted((t for t in _transitions(sandbox.state).values()
                        if t["fromSubscriptionId"] == subscription["id"]), key=lambda t: t["creationDate"])  # fmt: skip
        return WireResponse(collection([_view(t) for t in items]))


def _body_text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise PartnerCenterError(400, 2000, f"{name} is required.")
    return value


@router.post("/customers/{customer_id}/subscriptions/{subscription_id}/transitions", status_code=201,
             summary="Transition (upgrade, convert) a subscription")  # fmt: skip
async def create_transition(
    customer_id: str, subscription_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The request body must be a transition.")
    key = replay_key(request, caller.tenant_id)
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        if (earlier := replayed(state, key)) is not None:
            return earlier
        settle(sandbox)
        source = _subscription_of(state, customer, subscription_id)
        target_id = _body_text(body, "toCatalogItemId")
        transition_type = _body_text(body, "transitionType").lower()
        quantity = body.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise PartnerCenterError(400, 2000, "quantity must be a positive integer.")
        item = next((i for i in eligibilities(sandbox, source, "immediate")
                     if i["catalogItemId"].lower() == target_id.lower()), None)  # fmt: skip
        eligible = item is not None and any(
            e["isEligible"] and e["transitionType"] == transition_type for e in item["eligibilities"]
        )
        if item is None or not eligible:
            reasons = [r["description"] for e in (item or {}).get("eligibilities", []) for r in e["errors"]]
            text = "; ".join(dict.fromkeys(reasons)) or f"{target_id} is not a transition target of this subscription."
            raise PartnerCenterError(400, NOT_ELIGIBLE, f"The subscription is not eligible for transition: {text}")
        if quantity > source["quantity"]:
            raise PartnerCenterError(400, 2000, f"quantity {quantity} exceeds the subscription's "
                                     f"{source['quantity']} seats.")  # fmt: skip
        target = catalog.find_by_catalog_item_id(item["catalogItemId"], source["country"])
        assert target is not None
        duration = str(body.get("termDuration") or source["termDuration"]).upper()
        cycle = str(body.get("billingCycle") or source["billingCycle"]).lower()
        term = catalog.find_term(target, duration, CYCLES.get(cycle, cycle))
        if term is None:
            raise PartnerCenterError(400, 2000, f"The term {duration} billed {cycle} is not offered for "
                                     f"{item['catalogItemId']}.")  # fmt: skip
        transition, created = _apply(sandbox, caller, customer, source, target, term, quantity, transition_type,
                                     body.get("promotionId"))  # fmt: skip
        view = _view(transition)
        remember(state, key, 201, view)
        state.save()
    publish_subscription_updated(sandbox, source)
    publish_subscription_updated(sandbox, created)
    return WireResponse(view, status_code=201)


def _apply(
    sandbox: Any, caller: Any, customer: dict[str, Any], source: dict[str, Any], target: catalog.Sku,
    term: catalog.Term, quantity: int, transition_type: str, promotion_id: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """The new subscription (and the completed order that made it), the source's seats taken away."""
    state = sandbox.state
    now = state.clock.now()
    country = source["country"]
    price = catalog.current_unit_price(catalog_changes(sandbox), target, country, term)
    promotion = catalog.find_promotion(str(promotion_id or ""))
    if promotion is not None:
        price = catalog.promotional_price(price, promotion, country)
    order_id = _new_order_id()
    line = {"quantity": quantity, "billingCycle": term.billing_cycle.lower(), "termDuration": term.duration,
            "friendlyName": None, "promotionId": promotion.id if promotion else ""}  # fmt: skip
    created = _new_subscription(sandbox, customer, caller, order_id, line, target, source["partnerId"], now,
                                str(price))  # fmt: skip
    market = catalog.MARKETS[country]
    # (unconfirmed) a transition is recorded as an order of its own, completed at once
    state.data["orders"][order_id] = {
        "id": order_id, "alternateId": new_guid()[:12], "referenceCustomerId": customer["tenantId"],
        "providerTenantId": caller.tenant_id, "billingCycle": line["billingCycle"], "currencyCode": market.currency,
        "currencySymbol": market.symbol, "country": country, "creationDate": state.now_text(),
        "completesAt": state.now_text(), "status": "completed", "transactionType": "UserPurchase", "cartId": None,
        "lineItems": [{"lineItemNumber": 0, "offerId": created["offerId"], "termDuration": term.duration,
                       "transactionType": "Transition", "friendlyName": created["friendlyName"],
                       "quantity": quantity, "partnerIdOnRecord": source["partnerId"],
                       "subscriptionId": created["id"], "provisioningContext": {}, "unitPrice": str(price)}],
    }  # fmt: skip
    remaining = source["quantity"] - quantity
    if remaining == 0:
        source["status"] = "deleted"
        source["autoRenewEnabled"] = False
        source["lots"] = []
        source["est"] = None
    else:
        _remove_seats(source, quantity)
    record_history(sandbox, source, "cancel", remaining)
    source["quantity"] = remaining
    source["scheduled"] = None  # (unconfirmed) an immediate transition wipes scheduled next-term instructions
    source["version"] += 1
    transition = {
        "id": new_guid(),
        "fromCatalogItemId": source["offerId"],
        "fromSubscriptionId": source["id"],
        "toCatalogItemId": created["offerId"],
        "toSubscriptionId": created["id"],
        "quantity": quantity,
        "transitionType": transition_type,
        "termDuration": term.duration,
        "billingCycle": line["billingCycle"],
        "status": "completed",
        "creationDate": state.now_text(),
        "events": [{"status": "completed", "occurredAt": state.now_text()}],
        "customerTenantId": customer["tenantId"],
    }
    _transitions(state)[transition["id"]] = transition
    return transition, created
