"""What an outside probe found, each kept found: real periods, bounded ids, strict numbers, clean text, foreign
filters, outages as 503, and an OpenAPI document true to every answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from fastapi.testclient import TestClient

from functions.http.app import create_app
from functions.http.openapi import WITHOUT_DEPENDENCIES
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import ready_shop
from tests.support.onboarding import Sandbox, enroll, new_partner_id
from tests.support.platform import new_id, platform_settings

Auth = Callable[[str], dict[str, str]]


def assert_problem(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """A provider with a reseller and a customer, and a second provider with a reseller of its own."""
    world = ready_shop(client, container, pc, sandbox)
    auth, add_member = world["auth"], world["addMember"]
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    other = enroll(client, auth(operator), pc.new_provider("Elsewhere Distribution"), name="Elsewhere").json()
    other_admin = add_member(OrgRef(OrgType.PROVIDER, other["id"]), Role.PROVIDER_ADMIN)
    invited = client.post(
        "/api/reseller-invitations",
        headers=auth(other_admin),
        json={"partnerId": new_partner_id(), "name": "Northwind", "contactEmail": "it@northwind.example"},
    )
    assert invited.status_code == 201, invited.text
    customer_admin = add_member(
        OrgRef(
            OrgType.CUSTOMER, world["customerId"], provider_id=world["provider"]["id"], reseller_id=world["resellerId"]
        ),
        Role.CUSTOMER_ADMIN,
    )
    enabled = client.patch(
        f"/api/customers/{world['customerId']}",
        json={"storefrontEnabled": True},
        headers=auth(world["providerAdmin"]),
    )
    assert enabled.status_code == 200, enabled.text
    return {
        **world,
        "auth": auth,
        "operator": operator,
        "customerAdmin": customer_admin,
        "foreignResellerId": invited.json()["resellerId"],
    }


# 1. Periods are real months -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["0000-01", "0999-12", "3000-01", "2026-00", "2026-13", "26-01"])
def test_a_period_that_is_no_real_month_is_refused_everywhere(
    client: TestClient, shop: dict[str, Any], period: str
) -> None:
    admin = shop["auth"](shop["providerAdmin"])
    assert_problem(client.get("/api/billing/runs", params={"period": period}, headers=admin), 422)
    assert_problem(client.post("/api/billing/runs", json={"period": period, "kind": "billed"}, headers=admin), 422)
    shopper = shop["auth"](shop["customerAdmin"])
    assert_problem(client.get("/api/storefront/charges", params={"period": period}, headers=shopper), 422)
    # the connection (and the app) answer the next request as usual
    assert client.get("/api/billing/runs", params={"period": "2026-12"}, headers=admin).status_code == 200


# 2. Ids are bounded; storage's refusals are never a 500 -------------------------------------------------------------


def id_routes() -> list[tuple[str, str]]:
    document = create_app().openapi()
    return [(method, path) for path, operations in document["paths"].items() if "{" in path for method in operations]


@pytest.mark.parametrize(("method", "path"), id_routes())
def test_an_id_longer_than_any_id_is_404_on_every_id_route(
    client: TestClient, shop: dict[str, Any], method: str, path: str
) -> None:
    long_path = re.sub(r"\{[^}]+\}", "x" * 20_000, path)
    caller = shop["customerAdmin"] if path.startswith("/api/storefront") else shop["providerAdmin"]
    response = client.request(method, long_path, headers=shop["auth"](caller), json={})
    assert_problem(response, 404)


def test_every_string_a_request_carries_is_bounded() -> None:
    """Path, query, header and body strings alike: a maxLength, an enum, or a pattern of bounded shape."""
    document = create_app().openapi()
    schemas = document["components"]["schemas"]
    unbounded: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(schemas[name], where, seen | {name})
            return
        for variant in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
            walk(variant, where, seen)
        if schema.get("type") == "object":
            for name, prop in schema.get("properties", {}).items():
                walk(prop, f"{where}.{name}", seen)
        elif schema.get("type") == "array":
            assert "maxItems" in schema, f"{where}: an array without maxItems"
            walk(schema.get("items", {}), f"{where}[]", seen)
        elif schema.get("type") == "string":
            pattern = schema.get("pattern", "")
            bounded_pattern = pattern.endswith("$") and not re.search(r"[*+]\)?\$$|\{\d+,\}", pattern)
            bounded_format = schema.get("format") in {"date-time", "date", "uuid"}
            if not ({"maxLength", "enum", "const"} & schema.keys() or bounded_pattern or bounded_format):
                unbounded.append(where)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                walk(parameter["schema"], f"{method.upper()} {path} {parameter['in']}:{parameter['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(media["schema"], f"{method.upper()} {path} body")
    assert unbounded == []


def test_a_value_storage_refuses_is_a_400_not_a_500(container: Container) -> None:
    app = create_app(container)

    @app.get("/api/storage-refusal")
    def refused() -> None:
        error = HttpResponseError(message="Request Header Fields Too Large")
        error.status_code = 431
        raise error

    with TestClient(app, raise_server_exceptions=False) as client:
        assert_problem(client.get("/api/storage-refusal"), 400)


# 4. Partner Center refusing our input is the caller's 422, not an outage -------------------------------------------


def test_syncing_a_market_partner_center_does_not_sell_in_is_422(client: TestClient, shop: dict[str, Any]) -> None:
    response = client.post("/api/catalog/sync", json={"country": "AA"}, headers=shop["auth"](shop["providerAdmin"]))
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["country"]


# 5. Strict integers in every body and query -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["3.0", "true", "+3", "3e0", " 3"])
def test_a_limit_not_written_in_digits_is_422(client: TestClient, shop: dict[str, Any], limit: str) -> None:
    response = client.get("/api/resellers", params={"limit": limit}, headers=shop["auth"](shop["providerAdmin"]))
    assert assert_problem(response, 422)["errors"] == [
        {"field": "limit", "message": "must be a whole number written in digits"}
    ]


@pytest.mark.parametrize("quantity", ["3", True, 3.0])
def test_a_quantity_that_is_not_an_integer_buys_nothing(
    client: TestClient, shop: dict[str, Any], quantity: Any
) -> None:
    item = shop["items"][0]
    line = {
        "catalogItemId": item.catalog_item_id,
        "quantity": quantity,
        "termDuration": item.term_duration,
        "billingCycle": item.billing_cycle,
    }
    shopper = shop["auth"](shop["customerAdmin"])
    before = client.get("/api/storefront/orders", params={"limit": 500}, headers=shopper).json()["items"]
    response = client.post("/api/storefront/orders", json={"lines": [line]}, headers=shopper)
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["lines[0].quantity"]
    assert client.get("/api/storefront/orders", params={"limit": 500}, headers=shopper).json()["items"] == before


@pytest.mark.parametrize(
    "body",
    [{"quantity": "3"}, {"quantity": True}, {"quantity": 2.0}, {"autoRenew": "false"}, {"autoRenew": 0}],
)
def test_a_subscription_change_takes_strict_numbers_and_flags(
    client: TestClient, shop: dict[str, Any], body: dict[str, Any]
) -> None:
    response = client.patch(f"/api/subscriptions/{new_id()}", json=body, headers=shop["auth"](shop["resellerStaff"]))
    assert_problem(response, 422)


def test_a_subscription_change_names_exactly_one_field_with_a_value(client: TestClient, shop: dict[str, Any]) -> None:
    headers = shop["auth"](shop["resellerStaff"])
    for body in ({}, {"quantity": 3, "autoRenew": True}, {"quantity": None}, {"quantity": 3, "status": None}):
        assert_problem(client.patch(f"/api/subscriptions/{new_id()}", json=body, headers=headers), 422)


def test_a_missing_required_query_parameter_is_422_everywhere(client: TestClient, shop: dict[str, Any]) -> None:
    auth = shop["auth"]
    admin, operator, shopper = auth(shop["providerAdmin"]), auth(shop["operator"]), auth(shop["customerAdmin"])
    cases: list[tuple[str, str, dict[str, str], dict[str, str], str]] = [
        ("GET", "/api/storefront/charges", shopper, {}, "period"),
        ("GET", "/api/providers/consent/callback", {}, {"code": "x"}, "state"),
        ("POST", "/api/webhooks/partner-center", {}, {}, "provider"),
        ("GET", "/api/catalog", admin, {}, "country"),
        ("GET", "/api/catalog", operator, {"country": "US"}, "providerId"),
        ("GET", "/api/orders", operator, {}, "providerId"),
        ("GET", "/api/subscriptions", operator, {}, "providerId"),
        ("GET", "/api/resellers", operator, {}, "providerId"),
    ]
    for method, path, headers, params, name in cases:
        answer = client.request(method, path, params=params, headers=headers, json={} if method == "POST" else None)
        problem = assert_problem(answer, 422)
        assert problem["type"] == "urn:csp-platform:problem:validation-error", (path, problem)
        assert [e["field"] for e in problem["errors"]] == [name], (path, problem)
        assert problem["errors"][0]["message"] == "is required", (path, problem)
    document = create_app().openapi()
    required = {
        (method.upper(), path, parameter["name"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter.get("required")
    }
    assert required <= {(method, path, name) for method, path, _, _, name in cases}


# 7. Storage down: a fast 503 with Retry-After, nothing half done ----------------------------------------------------


def test_with_storage_down_a_request_is_503_with_retry_after(sandbox: Any, shop: dict[str, Any]) -> None:
    from tests.support.platform import dead_storage_connection

    connection = dead_storage_connection()
    down = Container(platform_settings(connection, sandbox))
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        body = {"customerId": shop["customerId"], "lines": []}
        for response in (
            client.post("/api/orders", json=body, headers=shop["auth"](shop["resellerStaff"])),
            client.get("/api/me", headers=shop["auth"](shop["resellerStaff"])),
        ):
            assert_problem(response, 503)
            assert int(response.headers["Retry-After"]) > 0


# 8. Foreign or unknown filters are 404 ------------------------------------------------------------------------------


def test_listing_customers_of_a_reseller_outside_the_callers_scope_is_404(
    client: TestClient, shop: dict[str, Any]
) -> None:
    admin = shop["auth"](shop["providerAdmin"])
    for reseller_id in (shop["foreignResellerId"], new_id("r-")):
        assert_problem(client.get("/api/customers", params={"resellerId": reseller_id}, headers=admin), 404)
    own = client.get("/api/customers", params={"resellerId": shop["resellerId"]}, headers=admin)
    assert shop["customerId"] in [c["id"] for c in own.json()["items"]]
    reseller = shop["auth"](shop["resellerStaff"])
    assert_problem(
        client.get("/api/customers", params={"resellerId": shop["foreignResellerId"]}, headers=reseller), 404
    )
    customer = shop["auth"](shop["customerAdmin"])
    assert_problem(
        client.get("/api/customers", params={"resellerId": shop["foreignResellerId"]}, headers=customer), 404
    )
    mine = client.get("/api/customers", params={"resellerId": shop["resellerId"]}, headers=customer)
    assert [c["id"] for c in mine.json()["items"]] == [shop["customerId"]]


# 9. The OpenAPI document is true to the answers --------------------------------------------------------------------


def test_a_wrong_method_names_every_method_the_path_serves(client: TestClient, shop: dict[str, Any]) -> None:
    response = client.delete("/api/customers", headers=shop["auth"](shop["providerAdmin"]))
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}
    response = client.put(f"/api/subscriptions/{new_id()}", headers=shop["auth"](shop["providerAdmin"]))
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "PATCH"}


def test_every_operation_documents_the_answers_every_layer_gives() -> None:
    document = create_app().openapi()
    public = {"/api/health", "/api/config", "/api/providers/consent/callback", "/api/webhooks/partner-center"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert "400" in responses, where
            if path not in WITHOUT_DEPENDENCIES:
                assert "503" in responses and "Retry-After" in responses["503"]["headers"], where
            if path not in public:
                assert {"401", "403"} <= responses.keys(), where
            if "requestBody" in operation:
                assert {"413", "422"} <= responses.keys(), where
            if any(p["in"] in ("query", "header") for p in operation.get("parameters", [])):
                assert "422" in responses, where  # a query parameter or header that is not valid
            if "{" in path:
                assert "404" in responses, where
            for code, response in responses.items():
                if int(code) >= 400 and (path, code) != ("/api/health", "503"):  # the health report, down
                    assert list(response["content"]) == ["application/problem+json"], (where, code)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_document_says_lists_span_the_callers_scope_and_a_change_is_one_field() -> None:
    document = create_app().openapi()
    for path in ("/api/orders", "/api/subscriptions"):
        operation = document["paths"][path]["get"]
        provider = next(p for p in operation["parameters"] if p["name"] == "providerId")
        assert "Operator only (and required for it)" in provider["description"]
        assert "across its customers" in operation["description"]
    patch = document["components"]["schemas"]["SubscriptionPatch"]
    assert patch["minProperties"] == 1 and patch["maxProperties"] == 1


# 14. Free text holds no control characters or bidi overrides --------------------------------------------------------


@pytest.mark.parametrize("name", ["Fabrikam\x00IT", "Fabrikam\x07", "Fab\u202erikam", "Fab\u2066rikam\u2069", "A\nB"])
def test_a_name_with_control_or_bidi_characters_is_422_and_creates_nothing(
    client: TestClient, shop: dict[str, Any], name: str
) -> None:
    admin = shop["auth"](shop["providerAdmin"])
    before = client.get("/api/resellers", params={"limit": 500}, headers=admin).json()["items"]
    response = client.post(
        "/api/reseller-invitations",
        headers=admin,
        json={"partnerId": new_partner_id(), "name": name, "contactEmail": "it@contoso.example"},
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["name"]
    assert client.get("/api/resellers", params={"limit": 500}, headers=admin).json()["items"] == before


def test_a_reason_may_hold_lines_but_no_control_characters(client: TestClient, shop: dict[str, Any]) -> None:
    headers = shop["auth"](shop["providerAdmin"])
    response = client.post(f"/api/orders/{new_id()}/reject", json={"reason": "no\x1bthanks"}, headers=headers)
    assert_problem(response, 422)
    response = client.post(f"/api/orders/{new_id()}/reject", json={"reason": "not now\nmaybe later"}, headers=headers)
    assert_problem(response, 404)  # valid text: refused only because there is no such order


def test_a_search_with_control_characters_is_422(client: TestClient, shop: dict[str, Any]) -> None:
    response = client.get(
        "/api/catalog", params={"q": "Office\x00", "country": "US"}, headers=shop["auth"](shop["providerAdmin"])
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["q"]


@pytest.mark.parametrize("flag", ["yes", "on", "true", 1, 1.0, 0, "false", None])
def test_a_boolean_field_takes_true_or_false_only(client: TestClient, shop: dict[str, Any], flag: Any) -> None:
    staff = shop["auth"](shop["providerAdmin"])
    before = client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()["storefrontEnabled"]
    answer = client.patch(f"/api/customers/{shop['customerId']}", json={"storefrontEnabled": flag}, headers=staff)
    if flag is None:  # null: the field is not being changed
        assert answer.status_code == 200, answer.text
    else:
        assert "storefrontEnabled" in [e["field"] for e in assert_problem(answer, 422)["errors"]]
    assert client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()["storefrontEnabled"] == before


def test_an_integer_written_with_an_exponent_buys_nothing(client: TestClient, shop: dict[str, Any]) -> None:
    """`1e2` is a JSON number but not an integer: it bought 100 seats once."""
    item = shop["items"][0]
    raw = ('{"lines": [{"catalogItemId": "' + item.catalog_item_id + '", "quantity": 1e2, "termDuration": "'
           + item.term_duration + '", "billingCycle": "' + item.billing_cycle + '"}]}')  # fmt: skip
    shopper = {**shop["auth"](shop["customerAdmin"]), "Content-Type": "application/json"}
    before = client.get("/api/storefront/orders", params={"limit": 500}, headers=shopper).json()["items"]
    answer = client.post("/api/storefront/orders", content=raw.encode(), headers=shopper)
    assert [e["field"] for e in assert_problem(answer, 422)["errors"]] == ["lines[0].quantity"]
    assert client.get("/api/storefront/orders", params={"limit": 500}, headers=shopper).json()["items"] == before
