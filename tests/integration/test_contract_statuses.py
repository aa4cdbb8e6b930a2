"""The answers every operation documents because of the layers around it, reached on every operation of the OpenAPI
document (docs/api-guide.md#problem-details): 400 for a Content-Length that is not a number, 401 without a token,
403 for a signed-in non-member, 404 for an id no resource has, 413, 415 and 422 for bodies it cannot take, 503 with
storage down. The statuses particular to a route are reached by that route's own tests; tests/support/statuses.py
fails the suite if a documented one is reached by none."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from functions.http.openapi import PUBLIC_PATHS
from local.api import create_local_api
from shared.auth.state import SignedState
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.platform import platform_settings
from tests.support.webhooks import sign_event, trusting_the_sandbox

DOCUMENT = create_local_api().openapi()
OPERATIONS = [
    (method, path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if method in ("get", "put", "post", "patch", "delete")
]


def documenting(status: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, o) for m, p, o in OPERATIONS if str(status) in o["responses"]]


def ids(cases: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{method.upper()} {path}" for method, path, _ in cases]


def concrete(path: str, value: str = "no-such-id-0000") -> str:
    """The path with every parameter filled in."""
    import re

    return re.sub(r"\{[^}]+\}", value, path)


def example_body(operation: dict[str, Any]) -> Any:
    """The operation's documented request example: a body every layer before the route accepts."""
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("example")


def required_query(operation: dict[str, Any]) -> dict[str, str]:
    """A valid value for each required query parameter (from its example, else a plausible one)."""
    values: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            schema = parameter.get("schema", {})
            values[parameter["name"]] = str(parameter.get("example") or schema.get("example") or "2026-10")
    return values


@pytest.fixture(scope="module")
def local_client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_local_api(container), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def operator_id(container: Container) -> str:
    from tests.support.platform import member, new_id

    user_id = new_id("op-")
    container.members.add(member(user_id, OrgRef.operator(), Role.OPERATOR))
    return user_id


@pytest.fixture(scope="module")
def operator(operator_id: str, sandbox: Any) -> dict[str, str]:
    from tests.support.platform import user_token

    return {"Authorization": f"Bearer {user_token(sandbox, operator_id)}"}


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    """A provider with a reseller and a customer whose storefront is on, with the customer's admin."""
    from tests.support.commerce import ready_shop
    from tests.support.onboarding import Sandbox

    shop = ready_shop(client, container, Sandbox(sandbox), sandbox)
    provider_admin = shop["auth"](shop["providerAdmin"])
    client.patch(f"/api/customers/{shop['customerId']}", json={"storefrontEnabled": True},
                 headers=provider_admin).raise_for_status()  # fmt: skip
    org = OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
                 reseller_id=shop["resellerId"])  # fmt: skip
    customer_admin = shop["addMember"](org, Role.CUSTOMER_ADMIN)
    return {**shop, "customerAdminId": customer_admin, "customerAdmin": shop["auth"](customer_admin),
            "providerAdminHeaders": provider_admin}  # fmt: skip


def caller_id(path: str, operator_id: str, shop: dict[str, Any]) -> str:
    """Who may get past the route's role check: the storefront's customer admin, the provider's admin for what
    belongs to a provider (billing, the catalog's switches), the operator for the rest."""
    if path.startswith("/api/storefront"):
        return str(shop["customerAdminId"])
    if path.startswith(("/api/billing", "/api/catalog")):
        return str(shop["providerAdmin"])
    return operator_id


def caller(path: str, operator_id: str, shop: dict[str, Any]) -> dict[str, str]:
    """The bearer token of `caller_id` (none on a public route)."""
    return {} if path in PUBLIC_PATHS else shop["auth"](caller_id(path, operator_id, shop))


def call(client: TestClient, method: str, path: str, operation: dict[str, Any], **kwargs: Any) -> Any:
    params = {**required_query(operation), **kwargs.pop("params", {})}
    return client.request(method.upper(), concrete(path), params=params, **kwargs)


def assert_status(response: Any, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    if status != 503 or "problem" in response.headers.get("content-type", ""):
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers


@pytest.mark.parametrize(("method", "path", "operation"), documenting(400), ids=ids(documenting(400)))
def test_a_content_length_that_is_not_a_number_is_400(
    local_client: TestClient, method: str, path: str, operation: dict[str, Any]
) -> None:
    response = call(local_client, method, path, operation, headers={"Content-Length": "twelve"})
    assert_status(response, 400)


SECURED = [(m, p, o) for m, p, o in documenting(401) if p not in PUBLIC_PATHS]


@pytest.mark.parametrize(("method", "path", "operation"), SECURED, ids=ids(SECURED))
def test_without_a_token_it_is_401(local_client: TestClient, method: str, path: str, operation: dict[str, Any]) -> None:
    response = call(local_client, method, path, operation, json=example_body(operation))
    assert_status(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "operation"), documenting(403), ids=ids(documenting(403)))
def test_a_signed_in_non_member_is_403(
    local_client: TestClient, sandbox: Any, method: str, path: str, operation: dict[str, Any]
) -> None:
    from tests.support.platform import new_id, user_token

    stranger = {"Authorization": f"Bearer {user_token(sandbox, new_id('nobody-'))}"}
    response = call(local_client, method, path, operation, json=example_body(operation), headers=stranger)
    assert_status(response, 403)


WITH_IDS = [(m, p, o) for m, p, o in documenting(404) if "{" in p]


@pytest.mark.parametrize(("method", "path", "operation"), WITH_IDS, ids=ids(WITH_IDS))
def test_an_id_no_resource_has_is_404(
    local_client: TestClient, operator_id: str, shop: dict[str, Any], method: str, path: str,
    operation: dict[str, Any],
) -> None:  # fmt: skip
    headers = caller(path, operator_id, shop)
    response = call(local_client, method, path, operation, json=example_body(operation), headers=headers)
    assert_status(response, 404)


WITH_BODIES = [(m, p, o) for m, p, o in OPERATIONS if "requestBody" in o]


@pytest.mark.parametrize(("method", "path", "operation"), WITH_BODIES, ids=ids(WITH_BODIES))
def test_a_body_it_cannot_take_is_413_415_or_422(
    local_client: TestClient, container: Container, operator_id: str, shop: dict[str, Any], method: str,
    path: str, operation: dict[str, Any],
) -> None:  # fmt: skip
    headers = caller(path, operator_id, shop)
    limit = container.settings.max_body_bytes
    too_large = call(local_client, method, path, operation, content=b"{" + b" " * limit + b"}",
                     headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    assert_status(too_large, 413)
    as_text = call(local_client, method, path, operation, content=b"quantity=3",
                   headers={**headers, "Content-Type": "text/plain"})  # fmt: skip
    assert_status(as_text, 415)
    if path not in PUBLIC_PATHS:
        unknown_field = call(local_client, method, path, operation, json={"notAField": 1}, headers=headers)
        assert_status(unknown_field, 422)
        assert unknown_field.json()["errors"]


WITH_QUERIES = [
    (m, p, o)
    for m, p, o in documenting(422)
    if "requestBody" not in o and any(q.get("in") == "query" for q in o.get("parameters", []))
]


@pytest.mark.parametrize(("method", "path", "operation"), WITH_QUERIES, ids=ids(WITH_QUERIES))
def test_a_query_parameter_that_is_not_valid_is_422(
    local_client: TestClient, operator_id: str, shop: dict[str, Any], method: str, path: str,
    operation: dict[str, Any],
) -> None:  # fmt: skip
    names = [q["name"] for q in operation["parameters"] if q.get("in") == "query"]
    name = "limit" if "limit" in names else names[0]
    headers = caller(path, operator_id, shop)
    response = call(local_client, method, path, operation, params={name: "\x00" * 5000}, headers=headers)
    assert_status(response, 422)
    assert response.json()["errors"][0]["field"] == name


@pytest.fixture(scope="module")
def storage_down(sandbox: Any) -> Iterator[Callable[..., Any]]:
    from tests.support.platform import dead_storage_connection

    connection = dead_storage_connection()
    down = Container(platform_settings(connection, sandbox, dev_sign_in_key_dir=str(sandbox.state_dir),
                                       **trusting_the_sandbox(sandbox)))  # fmt: skip
    with TestClient(create_local_api(down), raise_server_exceptions=False) as client:
        yield lambda method, path, operation, **kwargs: call(client, method, path, operation, **kwargs)


def reaching_storage(path: str, operation: dict[str, Any], sandbox: Any, operator: dict[str, str]) -> dict[str, Any]:
    """A request that gets as far as storage: a signed event, a consent state whose signature holds, or a member's
    token."""
    if path == "/api/webhooks/partner-center":
        event = {"EventName": "subscription-updated", "ResourceName": "subscription",
                 "ResourceUri": "https://api.partnercenter.microsoft.com/v1/customers/c/subscriptions/s",
                 "ResourceChangeUtcDate": "2026-12-01T09:00:00Z"}  # fmt: skip
        body = orjson.dumps(event)
        return {"content": body, "headers": sign_event(sandbox, body), "params": {"provider": "p-any"}}
    if path == "/api/providers/consent/callback":
        state = SignedState(platform_settings("", sandbox).signing_secret, purpose="consent")
        return {"params": {"state": state.issue({"p": "p-any", "n": "n-any"}, ttl_seconds=600), "code": "c"}}
    return {"json": example_body(operation), "headers": operator}


@pytest.mark.parametrize(("method", "path", "operation"), documenting(503), ids=ids(documenting(503)))
def test_with_storage_down_it_is_503_with_retry_after(
    storage_down: Callable[..., Any], sandbox: Any, operator: dict[str, str], method: str, path: str,
    operation: dict[str, Any],
) -> None:  # fmt: skip
    response = storage_down(method, path, operation, **reaching_storage(path, operation, sandbox, operator))
    assert_status(response, 503)
    assert int(response.headers["Retry-After"]) > 0


IDEMPOTENT = [
    (m, p, o)
    for m, p, o in OPERATIONS
    if any(q.get("in") == "header" and q["name"] == "Idempotency-Key" for q in o.get("parameters", []))
]


@pytest.mark.parametrize(("method", "path", "operation"), IDEMPOTENT, ids=ids(IDEMPOTENT))
def test_an_idempotency_key_in_flight_is_409_and_one_reused_with_another_body_is_422(
    local_client: TestClient, container: Container, operator_id: str,
    shop: dict[str, Any], method: str, path: str, operation: dict[str, Any],
) -> None:  # fmt: skip
    """docs/api-guide.md#idempotency-key: a first request still running holds its key."""
    from functions.http.deps import _fingerprint

    body = orjson.dumps(example_body(operation))
    headers = {**caller(path, operator_id, shop), "Content-Type": "application/json"}
    user_id = caller_id(path, operator_id, shop)
    in_flight, reused = str(uuid.uuid4()), str(uuid.uuid4())
    container.idempotency.claim(user_id, method.upper(), concrete(path), in_flight, _fingerprint(body))
    container.idempotency.claim(user_id, method.upper(), concrete(path), reused, _fingerprint(b'{"other": 1}'))
    answer = call(
        local_client, method, path, operation, content=body, headers={**headers, "Idempotency-Key": in_flight}
    )
    assert_status(answer, 409)
    assert answer.json()["type"].endswith("idempotency-key-in-flight")
    answer = call(local_client, method, path, operation, content=body, headers={**headers, "Idempotency-Key": reused})
    assert_status(answer, 422)
    assert answer.json()["type"].endswith("idempotency-key-reused")


# -- statuses particular to one route, that no flow of the other tests happens to reach -------------------------------


@pytest.fixture
def stray_subscription(container: Container, shop: dict[str, Any]) -> Iterator[str]:
    """A subscription in the mirror that Partner Center does not have (it was deleted there meanwhile)."""
    from datetime import UTC, datetime

    from shared.domain.subscriptions import Subscription

    subscription_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    stray = Subscription(
        id=subscription_id, provider_id=shop["provider"]["id"], reseller_id=shop["resellerId"],
        customer_id=shop["customerId"], customer_tenant_id=shop["tenantId"], catalog_item_id=None,
        offer_id="CFQ7TTC0LH18:0001:CFQ7TTC0K971", name="Microsoft 365 Business Basic", quantity=3, status="active",
        auto_renew=True, term_duration="P1Y", billing_cycle="monthly", term_start_date=now, term_end_date=None,
        cancellation_window_ends_at=None, partner_id=shop["resellerPartnerId"], order_id=None, updated_at=now,
    )  # fmt: skip
    container.subscriptions.write(shop["customerId"], subscription_id, lambda _: stray)
    yield subscription_id


def test_a_subscription_partner_center_no_longer_has_is_409_to_sync(
    local_client: TestClient, shop: dict[str, Any], stray_subscription: str
) -> None:
    answer = local_client.post(f"/api/subscriptions/{stray_subscription}/sync", headers=shop["providerAdminHeaders"])
    assert_status(answer, 409)


def test_a_storefront_seat_decrease_outside_its_window_is_409(
    local_client: TestClient, shop: dict[str, Any], stray_subscription: str
) -> None:
    path = f"/api/storefront/subscriptions/{stray_subscription}"
    assert_status(local_client.patch(path, json={"quantity": 1}, headers=shop["customerAdmin"]), 409)


def test_syncing_the_subscriptions_of_a_customer_not_yet_active_is_409(
    local_client: TestClient, shop: dict[str, Any]
) -> None:
    invited = local_client.post(
        "/api/customer-invitations",
        headers=shop["providerAdminHeaders"],
        json={"resellerId": shop["resellerId"], "name": "Tailspin", "domain": f"{uuid.uuid4().hex[:10]}.example",
              "contactEmail": "it@tailspin.example"},
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    answer = local_client.post(
        f"/api/customers/{invited.json()['id']}/subscriptions/sync", headers=shop["providerAdminHeaders"]
    )
    assert_status(answer, 409)


def test_rejecting_an_order_that_is_not_waiting_for_approval_is_409(
    local_client: TestClient, shop: dict[str, Any]
) -> None:
    item = shop["items"][0]
    placed = local_client.post(
        "/api/orders",
        headers=shop["providerAdminHeaders"],
        json={"customerId": shop["customerId"], "lines": [{"catalogItemId": item.catalog_item_id, "quantity": 1,
              "termDuration": item.term_duration, "billingCycle": item.billing_cycle}]},
    )  # fmt: skip
    assert placed.status_code == 202, placed.text
    answer = local_client.post(f"/api/orders/{placed.json()['id']}/reject", json={"reason": "no"},
                               headers=shop["providerAdminHeaders"])  # fmt: skip
    assert_status(answer, 409)


def test_the_lines_of_a_run_not_completed_are_409(local_client: TestClient, shop: dict[str, Any]) -> None:
    started = local_client.post("/api/billing/runs", json={"period": "2026-09", "kind": "unbilled"},
                                headers=shop["providerAdminHeaders"])  # fmt: skip
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running"), started.text
    answer = local_client.get(f"/api/billing/runs/{started.json()['id']}/lines", headers=shop["providerAdminHeaders"])
    assert_status(answer, 409)


def test_a_catalog_before_the_customers_market_is_known_is_409(
    local_client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    from dataclasses import replace

    provider_id, customer_id = shop["provider"]["id"], shop["customerId"]
    known = container.customers.get(provider_id, customer_id).country
    container.customers.update(provider_id, customer_id, lambda c: replace(c, country=None))
    try:
        assert_status(local_client.get("/api/catalog", headers=shop["customerAdmin"]), 409)
        assert_status(local_client.get("/api/storefront/catalog", headers=shop["customerAdmin"]), 409)
    finally:
        container.customers.update(provider_id, customer_id, lambda c: replace(c, country=known))


def test_a_provider_member_whose_provider_is_gone_is_404_on_its_catalog(
    local_client: TestClient, container: Container, sandbox: Any
) -> None:
    from tests.support.platform import member, new_id, user_token

    gone = OrgRef(OrgType.PROVIDER, new_id("p-gone-"))
    admin = new_id("u-")
    container.members.add(member(admin, gone, Role.PROVIDER_ADMIN))
    headers = {"Authorization": f"Bearer {user_token(sandbox, admin)}"}
    assert_status(local_client.get("/api/catalog/settings", headers=headers), 404)
    assert_status(local_client.put("/api/catalog/settings", json={"newItemsSellable": True}, headers=headers), 404)
    assert_status(local_client.post("/api/catalog/sync", json={}, headers=headers), 404)


def test_pricing_that_keeps_changing_under_a_write_is_409(
    local_client: TestClient, shop: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write retries a few times when someone else wrote meanwhile; then it gives up with 409."""
    from shared.storage.pricing import PricingChanged, PricingRepository

    def always_changed(*_: Any, **__: Any) -> Any:
        raise PricingChanged("written meanwhile")

    for name in ("put_reseller_pricing", "put_customer_pricing", "put_provider_default", "put_reseller_default"):
        monkeypatch.setattr(PricingRepository, name, always_changed)
    admin = shop["providerAdminHeaders"]
    provider, reseller, customer = shop["provider"]["id"], shop["resellerId"], shop["customerId"]
    for path, body in (
        (f"/api/resellers/{reseller}/pricing", {"margin": "0.05", "overrides": []}),
        (f"/api/customers/{customer}/pricing", {"margin": "0.10", "overrides": []}),
        (f"/api/providers/{provider}/default-margin", {"margin": "0.05"}),
        (f"/api/resellers/{reseller}/default-margin", {"margin": "0.10"}),
    ):
        assert_status(local_client.put(path, json=body, headers=admin), 409)


def test_a_signed_event_for_a_provider_it_does_not_know_is_404_and_a_body_too_large_is_413(
    sandbox: Any, container: Container
) -> None:
    settings = platform_settings(container.settings.storage_connection_string, sandbox, **trusting_the_sandbox(sandbox))
    event = orjson.dumps({"EventName": "test-created", "ResourceName": "test",
                          "ResourceUri": "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/x",
                          "ResourceChangeUtcDate": "2026-12-01T09:00:00Z"})  # fmt: skip
    with TestClient(create_local_api(Container(settings)), raise_server_exceptions=False) as client:
        path = "/api/webhooks/partner-center"
        unknown = client.post(path, params={"provider": "p-nobody"}, content=event, headers=sign_event(sandbox, event))
        assert_status(unknown, 404)
        huge = b'{"EventName": "' + b"x" * settings.max_body_bytes + b'"}'
        too_large = client.post(path, params={"provider": "p-nobody"}, content=huge,
                                headers={"Content-Type": "application/json"})  # fmt: skip
        assert_status(too_large, 413)


def test_the_operator_reads_a_provider(
    local_client: TestClient, operator: dict[str, str], shop: dict[str, Any]
) -> None:
    answer = local_client.get(f"/api/providers/{shop['provider']['id']}", headers=operator)
    assert answer.status_code == 200 and answer.json()["id"] == shop["provider"]["id"], answer.text
