"""The scope matrix, generated from the OpenAPI document: every operation that names a provider, reseller,
customer, order or subscription (in its path, its query or its body) x every role of one provider's world (the
operator sees every world by design) x the ids of another provider's world. Never a 2xx with the other's data:
404 as if it did not exist (403 for a role refused outright). A new route that takes such an id is covered
without a new test."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox
from tests.support.platform import member, new_id, user_token

pytestmark = pytest.mark.probe

KINDS = ("provider", "reseller", "customer", "order", "subscription")
_NAME = re.compile(r"^(provider|reseller|customer|order|subscription)(_id|Id)$")
ROLES = ("provider.admin", "provider.staff", "reseller.admin", "reseller.staff", "customer.admin")
REFUSED = {403, 404}


def _kind(name: str) -> str | None:
    match = _NAME.match(name)
    return match.group(1) if match else None


def operations_naming_an_org(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation with a provider, reseller or customer id anywhere."""
    schemas = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
            body = _body_schema(operation, schemas)
            names += list((body or {}).get("properties", {}))
            if any(_kind(name) for name in names):
                found.append((method, path, operation))
    return found


def _body_schema(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    schema = content["schema"]
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return dict(schema)


@pytest.fixture(scope="module")
def worlds(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    """Two providers' worlds (each a provider with an active reseller and customer); admins of the first."""
    ours = ready_shop(client, container, Sandbox(sandbox), sandbox)
    theirs = ready_shop(client, container, Sandbox(sandbox), sandbox)
    bought = next(i for i in theirs["items"] if i.term_duration == "P1M")
    placed = client.post("/api/orders", headers=theirs["auth"](theirs["resellerStaff"]), json={
        "customerId": theirs["customerId"], "lines": [{"catalogItemId": bought.catalog_item_id, "quantity": 1,
        "termDuration": bought.term_duration, "billingCycle": bought.billing_cycle}]}).json()  # fmt: skip
    read = lambda: client.get(f"/api/orders/{placed['id']}", headers=theirs["auth"](theirs["resellerStaff"])).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    subscription_id = read()["lines"][0]["subscriptionId"]
    assert subscription_id, read()

    def add(org: OrgRef, role: Role) -> str:
        container.organizations.add(org, name="matrix")
        user_id = new_id("matrix-")
        container.members.add(member(user_id, org, role))
        return user_id

    provider_id = ours["provider"]["id"]
    people = {
        "provider.admin": ours["providerAdmin"],
        "provider.staff": add(OrgRef(OrgType.PROVIDER, provider_id), Role.PROVIDER_STAFF),
        "reseller.staff": ours["resellerStaff"],
        "reseller.admin": add(
            OrgRef(OrgType.RESELLER, ours["resellerId"], provider_id=provider_id), Role.RESELLER_ADMIN
        ),  # fmt: skip
        "customer.admin": add(
            OrgRef(OrgType.CUSTOMER, ours["customerId"], provider_id=provider_id, reseller_id=ours["resellerId"]),
            Role.CUSTOMER_ADMIN,
        ),  # fmt: skip
    }
    foreign = {"provider": theirs["provider"]["id"], "reseller": theirs["resellerId"],
               "customer": theirs["customerId"], "order": placed["id"], "subscription": subscription_id}  # fmt: skip
    own = {"provider": provider_id, "reseller": ours["resellerId"], "customer": ours["customerId"]}
    return {"people": people, "foreign": foreign, "own": own}


Request = tuple[str, dict[str, str], dict[str, Any] | None]


def _request(path: str, operation: dict[str, Any], body_schema: dict[str, Any] | None, kind: str,
             ids: dict[str, str], foreign: dict[str, str]) -> Request:  # fmt: skip
    """The request with the other world's id of `kind` wherever such an id goes, our own ids elsewhere."""
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            named = _kind(parameter["name"])
            value = foreign[kind] if named == kind else ids.get(named or "", "x-unknown-id")
            url = url.replace("{" + parameter["name"] + "}", value)
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and _kind(parameter["name"]) == kind:
            query[parameter["name"]] = foreign[kind]
    body = None
    if body_schema is not None:
        body = {name: foreign[kind] for name in body_schema.get("properties", {}) if _kind(name) == kind}
    return url, query, body


def test_no_role_reaches_another_providers_world_through_any_route(
    client: TestClient, container: Container, sandbox: Any, worlds: dict[str, Any]
) -> None:
    document = create_app(container).openapi()
    schemas = document["components"]["schemas"]
    covered = 0
    leaks: list[str] = []
    for method, path, operation in operations_naming_an_org(document):
        body_schema = _body_schema(operation, schemas)
        for kind in KINDS:
            url, query, body = _request(path, operation, body_schema, kind, worlds["own"], worlds["foreign"])
            names_it = worlds["foreign"][kind] in url or query or body
            if not names_it:
                continue
            for role in ROLES:
                headers = {"Authorization": f"Bearer {user_token(sandbox, worlds['people'][role])}"}
                answer = client.request(method.upper(), url, params=query, json=body, headers=headers)
                covered += 1
                allowed = REFUSED if body_schema is None else REFUSED | {400, 409, 422}
                if answer.status_code not in allowed:
                    leaks.append(f"{role} {method.upper()} {url} {query or ''} {body or ''} -> "
                                 f"{answer.status_code} {answer.text[:200]}")  # fmt: skip
    print(f"\nscope matrix: {covered} requests (routes x roles x foreign ids), {len(leaks)} not refused")
    assert covered > 60
    assert not leaks, "\n".join(leaks)
