"""Partner Center's new-commerce promotions under /v1: the market's active promotions and a customer's
eligibility for one (docs/partner-center.md#promotions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from local.sandbox import catalog
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.partner_center import customer_of
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci, read_json

router = APIRouter(prefix="/v1", tags=["Partner Center: promotions"])

_CYCLES = {"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial"}


def promotion_view(promotion: catalog.Promotion, country: str) -> dict[str, Any]:
    """A promotion as Get promotions answers it. `requiredProducts`, `term`, `pricingPolicies` and
    `properties.isAutoApplicable` are Microsoft's documented fields; `status`, `marketCode`, `currencyCode`,
    `segment`, `promotionType` and `requirements` (the seat limits and the once-per-customer rule) are
    (unconfirmed) names the sandbox adds so a client can tell the limits before asking for eligibility."""
    market = catalog.MARKETS[country]
    return {
        "id": promotion.id,
        "name": promotion.name,
        "description": promotion.description,
        "startDate": promotion.start_date,
        "endDate": promotion.end_date,
        "status": "Active",
        "marketCode": market.country,
        "currencyCode": market.currency,
        "segment": "Commercial",
        "promotionType": "discount",
        "requiredProducts": [
            {
                "productId": promotion.product_id,
                "skuId": promotion.sku_id,
                "term": {"duration": term.duration, "billingCycle": term.billing_cycle},
                "pricingPolicies": [{"policyType": "discount", "value": format(promotion.discount_percent, "f")}],
            }
            for term in promotion.terms
        ],
        "requirements": {
            "minimumQuantity": promotion.minimum_quantity,
            "maximumQuantity": promotion.maximum_quantity,
            "firstPurchaseOnly": promotion.first_purchase_only,
        },
        "properties": {"isAutoApplicable": False},
        "attributes": {"objectType": "ProductPromotion"},
    }


def active_promotions(state: SandboxState, country: str) -> list[catalog.Promotion]:
    today = state.clock.now().date().isoformat()
    return [p for p in catalog.PROMOTIONS if country in p.countries and p.is_active(today)]


@router.get("/productpromotions", summary="Active promotions of a market and segment")
async def list_promotions(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    params = dict(request.query_params)
    country = str(get_ci(params, "country") or "").upper()
    segment = str(get_ci(params, "segment") or "")
    if not country:
        raise PartnerCenterError(400, 2000, "The country parameter is required.", source="PromotionService")
    if not segment:
        raise PartnerCenterError(400, 2000, "The segment parameter is required.", source="PromotionService")
    if country not in catalog.MARKETS:
        # (unconfirmed) the sandbox sells in a few markets only; an unknown one is refused like the catalog does
        raise PartnerCenterError(400, 2000, f"The country {country} is not supported.", source="PromotionService")
    # Only the commercial segment has promotions (Microsoft: "currently supports only commercial"); another
    # segment answers an empty list rather than an error (unconfirmed). Microsoft documents no paging here: one page.
    found = active_promotions(sandbox.state, country) if segment.lower() == "commercial" else []
    return WireResponse(collection([promotion_view(p, country) for p in found]))


def _error(kind: str, description: str, promotion: catalog.Promotion | None = None) -> dict[str, Any]:
    """One reason a transaction is not eligible; the `type` values are (unconfirmed) names."""
    terms = None
    if promotion is not None and kind == "Term":
        terms = [{"duration": t.duration, "billingCycle": t.billing_cycle} for t in promotion.terms]
    return {
        "minimumQuantity": promotion.minimum_quantity if promotion is not None else None,
        "maximumQuantity": promotion.maximum_quantity if promotion is not None else None,
        "availableTerms": terms,
        "description": description,
        "type": kind,
    }


def _redeemed(state: SandboxState, customer_tenant_id: str, promotion_id: str) -> bool:
    """The customer already holds (or held) a subscription bought under the promotion."""
    return any(
        s["customerTenantId"] == customer_tenant_id and str(s.get("promotionId") or "").lower() == promotion_id.lower()
        for s in state.data["subscriptions"].values()
    )


def eligibility_errors(
    state: SandboxState, customer_tenant_id: str, country: str, item: dict[str, Any], promotion_id: str
) -> tuple[catalog.Promotion | None, list[dict[str, Any]]]:
    """Why a transaction (catalog item, quantity, term, billing cycle) cannot have the promotion; [] when it can."""
    promotion = catalog.find_promotion(promotion_id)
    if promotion is None or country not in promotion.countries:
        return None, [_error("PromotionNotFound", f"The promotion {promotion_id} is not available in {country}.")]
    if not promotion.is_active(state.clock.now().date().isoformat()):
        return promotion, [_error("PromotionNotActive", f"The promotion {promotion.id} is not active: it ran from "
                                  f"{promotion.start_date[:10]} to {promotion.end_date[:10]}.", promotion)]  # fmt: skip
    sku = catalog.find_by_catalog_item_id(str(item.get("catalogItemId") or ""), country)
    if sku is None or not promotion.applies_to(sku):
        return promotion, [_error("ProductNotApplicable", f"The promotion {promotion.id} does not apply to "
                                  f"{item.get('catalogItemId')}.", promotion)]  # fmt: skip
    errors: list[dict[str, Any]] = []
    quantity = item.get("quantity")
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not promotion.minimum_quantity <= quantity <= promotion.maximum_quantity
    ):
        errors.append(_error("SeatCount", f"The promotion needs between {promotion.minimum_quantity} and "
                             f"{promotion.maximum_quantity} seats.", promotion))  # fmt: skip
    duration = str(item.get("termDuration") or "")
    cycle = _CYCLES.get(str(item.get("billingCycle") or "").lower(), str(item.get("billingCycle") or ""))
    if not promotion.covers(duration, cycle):
        errors.append(_error("Term", f"The promotion does not cover the term {duration or '(none)'} billed "
                             f"{cycle or '(none)'}.", promotion))  # fmt: skip
    if promotion.first_purchase_only and _redeemed(state, customer_tenant_id, promotion.id):
        errors.append(_error("CustomerLimitReached", "The customer already bought under this promotion, which "
                             "applies to a first purchase only.", promotion))  # fmt: skip
    return promotion, errors


def _eligibility(promotion_id: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "promotion", "promotionId": promotion_id, "isEligible": not errors, "errors": errors}


@router.post("/customers/{customer_id}/promotionEligibilities", summary="A customer's eligibility for promotions")
async def promotion_eligibilities(
    customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    body = await read_json(request)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise PartnerCenterError(400, 2000, "The request needs a list of items.", source="PromotionService")
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        country = customer["country"] if customer["country"] in catalog.MARKETS else caller.provider["country"]
        answered = []
        for index, item in enumerate(items):
            requested = str(item.get("promotionId") or "")
            if requested:
                candidates = [requested]
            else:  # no promotion named: every active promotion of the item's SKU (as Microsoft's example suggests)
                sku = catalog.find_by_catalog_item_id(str(item.get("catalogItemId") or ""), country)
                candidates = [p.id for p in active_promotions(state, country) if sku is not None and p.applies_to(sku)]
            eligibilities = [
                _eligibility(candidate, eligibility_errors(state, customer["tenantId"], country, item, candidate)[1])
                for candidate in candidates
            ]
            answered.append(
                {
                    "id": item.get("id", index),
                    "catalogItemId": item.get("catalogItemId"),
                    "eligibilities": eligibilities,
                }
            )
    return WireResponse({"items": answered, "attributes": {"objectType": "PromotionEligibilities"}})
