"""One shape per resource (docs/api-guide.md#answers): the domain writes no JSON, every route answers its declared
model, and a field the caller's role may not read is absent while one it may read is present, null when unknown."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.responses import RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from functions.http.orders import OrderOut
from functions.http.responses import ResourceRoute
from local.api import create_local_api
from shared.domain.orders import LinePrices, Order, OrderLine, OrderStatus
from shared.domain.scope import OrgRef, OrgType, Principal, Role, tiers_visible_to

ROOT = Path(__file__).resolve().parents[2]
# Each route as the app serves it (an included router's routes with their full paths).
ROUTES = [c for c in iter_route_contexts(create_local_api().routes) if isinstance(c.original_route, APIRoute)]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_no_domain_module_writes_json() -> None:
    for module in sorted((ROOT / "shared" / "domain").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert "def to_json" not in text, module.name
        assert not re.search(r"^\s*(import|from) (orjson|json)\b", text, re.MULTILINE), module.name


def test_the_app_has_routes_to_check() -> None:
    assert len(ROUTES) > 50


@pytest.mark.parametrize("route", ROUTES, ids=[f"{sorted(r.methods)} {r.path}" for r in ROUTES])
def test_every_route_declares_the_model_it_answers(route: RouteContext) -> None:
    assert isinstance(route.original_route, ResourceRoute), f"{route.path} is not built by resource_router"
    assert route.response_model_exclude_unset
    if route.status_code == 204 or route.response_class in (RedirectResponse, StreamingResponse):
        return
    assert route.response_model is not None, f"{route.path} declares no response model"


def test_route_modules_answer_through_their_models() -> None:
    """A route that sets its own status or headers still answers a model (`answer(...)`), never a dict of its own."""
    allowed = {"responses.py", "problems.py", "middleware.py", "deps.py"}
    for module in sorted((ROOT / "functions" / "http").glob("*.py")):
        if module.name not in allowed:
            assert "JSONResponse(" not in module.read_text(encoding="utf-8"), module.name


def principal(org_type: OrgType, role: Role) -> Principal:
    org = {
        OrgType.PROVIDER: OrgRef(OrgType.PROVIDER, "p1"),
        OrgType.RESELLER: OrgRef(OrgType.RESELLER, "r1", provider_id="p1"),
        OrgType.CUSTOMER: OrgRef(OrgType.CUSTOMER, "c1", provider_id="p1", reseller_id="r1"),
    }[org_type]
    return Principal(user_id="u1", tenant_id=None, org=org, role=role)


def order(customer_price: Decimal | None) -> Order:
    prices = LinePrices("EUR", Decimal("6.0000"), Decimal("6.5000"), customer_price)
    line = OrderLine(1, "ITEM:P1Y:monthly", "PRODUCT:0001:ITEM", "Business Basic", 3, "P1Y", "monthly", prices)
    return Order("o1", "p1", "r1", "c1", "tenant", "1234567", (line,), OrderStatus.ACCEPTED, "staff", "u1", NOW, NOW)


def shown(who: Principal, customer_price: Decimal | None = Decimal("7.125")) -> dict[str, object]:
    return OrderOut.of(order(customer_price), tiers_visible_to(who)).model_dump(mode="json", exclude_unset=True)


def test_a_reseller_never_receives_the_providers_cost_not_even_as_null() -> None:
    answer = shown(principal(OrgType.RESELLER, Role.RESELLER_STAFF))
    line = answer["lines"][0]  # type: ignore[index]
    assert "providerCost" not in line and "providerCostTotal" not in line
    assert "providerCost" not in answer["totals"]  # type: ignore[operator]
    assert line["resellerPrice"] == "6.50" and line["customerPriceTotal"] == "21.39"


def test_a_customer_reads_only_its_own_tier() -> None:
    line = shown(principal(OrgType.CUSTOMER, Role.CUSTOMER_ADMIN))["lines"][0]  # type: ignore[index]
    assert {key for key in line if key.endswith(("Cost", "Price", "CostTotal", "PriceTotal"))} == {
        "customerPrice",
        "customerPriceTotal",
    }


def test_a_price_the_caller_may_read_but_that_is_not_known_is_null() -> None:
    answer = shown(principal(OrgType.PROVIDER, Role.PROVIDER_ADMIN), customer_price=None)
    line = answer["lines"][0]  # type: ignore[index]
    assert line["customerPrice"] is None and line["customerPriceTotal"] is None
    assert answer["totals"]["customerPrice"] is None  # type: ignore[index]
    assert line["providerCost"] == "6.00" and answer["totals"]["providerCost"] == "18.00"  # type: ignore[index]
