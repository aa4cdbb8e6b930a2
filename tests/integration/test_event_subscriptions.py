"""The event-subscription routes: who registers and reads endpoints (their own organisation's only), which URLs are
refused and why, the secret shown once, and the audit trail without it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.platform import member, new_id, platform_settings, user_token

OWN_HOST = "https://api.platform.test"


@pytest.fixture(scope="module")
def api(storage_connection_string: str, sandbox: Any) -> Iterator[tuple[Container, TestClient]]:
    container = Container(platform_settings(storage_connection_string, sandbox, public_base_url=OWN_HOST,
                                            event_webhooks_allow_loopback=True))  # fmt: skip
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, client


@pytest.fixture(scope="module")
def people(api: tuple[Container, TestClient], sandbox: Any) -> dict[str, dict[str, str]]:
    """A provider with two resellers and a customer, one member in each role; and another provider's admin."""
    container, _ = api
    provider = OrgRef(OrgType.PROVIDER, new_id("p-"))
    reseller = OrgRef(OrgType.RESELLER, new_id("r-"), provider_id=provider.org_id)
    sibling = OrgRef(OrgType.RESELLER, new_id("r-"), provider_id=provider.org_id)
    customer = OrgRef(OrgType.CUSTOMER, new_id("c-"), provider_id=provider.org_id, reseller_id=reseller.org_id)
    stranger = OrgRef(OrgType.PROVIDER, new_id("p-"))
    roles = {
        "providerAdmin": (provider, Role.PROVIDER_ADMIN), "providerStaff": (provider, Role.PROVIDER_STAFF),
        "resellerAdmin": (reseller, Role.RESELLER_ADMIN), "resellerStaff": (reseller, Role.RESELLER_STAFF),
        "siblingAdmin": (sibling, Role.RESELLER_ADMIN), "customerAdmin": (customer, Role.CUSTOMER_ADMIN),
        "strangerAdmin": (stranger, Role.PROVIDER_ADMIN), "operator": (OrgRef.operator(), Role.OPERATOR),
    }  # fmt: skip
    headers = {}
    for name, (org, role) in roles.items():
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name=name)
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        headers[name] = {"Authorization": f"Bearer {user_token(sandbox, user_id)}"}
    return headers


def receiver_url(sandbox: Any) -> str:
    return f"{sandbox.http_url}/_sandbox/receivers/routes-{uuid.uuid4().hex[:8]}"


def register(client: TestClient, headers: dict[str, str], url: str, **extra: Any) -> Any:
    return client.post("/api/event-subscriptions", headers=headers,
                       json={"url": url, "events": ["order.failed", "order.pendingApproval"], **extra})  # fmt: skip


def test_an_admin_registers_an_endpoint_and_sees_its_secret_only_in_that_answer(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    container, client = api
    url = receiver_url(sandbox)
    created = register(client, people["providerAdmin"], url, description="Service desk")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert created.headers["Location"] == f"/api/event-subscriptions/{body['id']}"
    assert body["ownerType"] == "provider" and body["enabled"] is True
    assert body["events"] == ["order.failed", "order.pendingApproval"]
    read = client.get(f"/api/event-subscriptions/{body['id']}", headers=people["providerAdmin"])
    assert read.status_code == 200 and "secret" not in read.json()
    listed = client.get("/api/event-subscriptions", headers=people["providerStaff"])
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["items"]] == [body["id"]]
    assert all("secret" not in e for e in listed.json()["items"])
    entries, _ = container.audit.page_for_entity(body["id"], limit=10, position=None)
    assert [e.action for e in entries] == ["eventSubscription.created"]
    assert body["secret"] not in str(entries[0].after) and entries[0].actor_org.startswith("provider:")


def test_a_retried_registration_with_its_idempotency_key_creates_one_endpoint(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    _, client = api
    headers = {**people["siblingAdmin"], "Idempotency-Key": str(uuid.uuid4())}
    url = receiver_url(sandbox)
    first, second = register(client, headers, url), register(client, headers, url)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/api/event-subscriptions", headers=people["siblingAdmin"]).json()["items"]
    assert [e["id"] for e in listed].count(first.json()["id"]) == 1


def test_each_organisation_sees_only_its_own_endpoints(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    _, client = api
    theirs = register(client, people["resellerAdmin"], receiver_url(sandbox)).json()
    assert theirs["ownerType"] == "reseller"
    path = f"/api/event-subscriptions/{theirs['id']}"
    assert client.get(path, headers=people["resellerStaff"]).status_code == 200
    for outsider in ("providerAdmin", "siblingAdmin", "strangerAdmin", "customerAdmin", "operator"):
        assert client.get(path, headers=people[outsider]).status_code == 404, outsider
        assert client.patch(path, headers=people[outsider], json={"enabled": False}).status_code == 404, outsider
        assert client.delete(path, headers=people[outsider]).status_code == 404, outsider
        assert client.get(f"{path}/deliveries", headers=people[outsider]).status_code == 404, outsider
    listed = client.get("/api/event-subscriptions", headers=people["providerAdmin"]).json()["items"]
    assert theirs["id"] not in [e["id"] for e in listed]


def test_staff_read_but_only_admins_change_and_customers_and_the_operator_have_none(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    _, client = api
    own = register(client, people["resellerAdmin"], receiver_url(sandbox)).json()
    path = f"/api/event-subscriptions/{own['id']}"
    staff = people["resellerStaff"]
    assert register(client, staff, receiver_url(sandbox)).status_code == 403
    assert client.patch(path, headers=staff, json={"enabled": False}).status_code == 403
    assert client.post(f"{path}/rotate-secret", headers=staff).status_code == 403
    assert client.post(f"{path}/ping", headers=staff).status_code == 403
    assert client.delete(path, headers=staff).status_code == 403
    assert client.get(f"{path}/deliveries", headers=staff).status_code == 200
    for refused in ("customerAdmin", "operator"):
        assert register(client, people[refused], receiver_url(sandbox)).status_code == 403, refused
        assert client.get("/api/event-subscriptions", headers=people[refused]).status_code == 403, refused


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/csp", "must be https"),
        ("https://10.0.0.7/csp", "private address"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://user:secret@hooks.example.com/", "credentials"),
        (f"{OWN_HOST}/api/webhooks/partner-center", "the platform's own host"),
        ("https://no-such-host.invalid/csp", "does not resolve"),
        ("ftp://hooks.example.com/csp", "absolute https URL"),
    ],
)
def test_a_url_deliveries_may_not_go_to_is_refused_at_its_field_with_the_reason(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], url: str, reason: str
) -> None:
    _, client = api
    refused = register(client, people["providerAdmin"], url)
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert errors[0]["field"] == "url" and reason in errors[0]["message"], errors


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["order.shipped"]}, "events[0]"),
        ({"url": "https://hooks.example.com/x", "events": ["ping"]}, "events[0]"),
        ({"url": "https://hooks.example.com/x"}, "events"),
        ({"events": ["order.failed"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": ["order.failed"], "secret": "mine"}, "secret"),
    ],
)
def test_a_body_without_known_events_or_a_url_is_refused(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], body: dict[str, Any], field: str
) -> None:
    _, client = api
    refused = client.post("/api/event-subscriptions", headers=people["providerAdmin"], json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == field, refused.json()


def test_an_endpoint_is_changed_paused_rotated_pinged_and_deleted(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    container, client = api
    admin = people["resellerAdmin"]
    created = register(client, admin, receiver_url(sandbox)).json()
    path = f"/api/event-subscriptions/{created['id']}"
    changed = client.patch(path, headers=admin, json={"events": ["subscription.expiring"], "description": "Ops"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["subscription.expiring"] and changed.json()["description"] == "Ops"
    bad = client.patch(path, headers=admin, json={"url": "https://192.168.1.20/hook"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"
    assert client.patch(path, headers=admin, json={"enabled": "no"}).status_code == 422
    paused = client.patch(path, headers=admin, json={"enabled": False})
    assert paused.status_code == 200 and paused.json()["enabled"] is False
    assert client.post(f"{path}/ping", headers=admin).status_code == 409  # a disabled endpoint is not pinged
    client.patch(path, headers=admin, json={"enabled": True}).raise_for_status()
    rotated = client.post(f"{path}/rotate-secret", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] != created["secret"] and rotated.json()["secretRotatedAt"]
    pinged = client.post(f"{path}/ping", headers=admin)
    assert pinged.status_code == 202 and pinged.json()["eventType"] == "ping"
    assert pinged.json()["status"] == "pending" and pinged.json()["attempts"] == []
    listed = client.get(f"{path}/deliveries", headers=admin, params={"status": "pending"})
    assert pinged.json()["id"] in [d["id"] for d in listed.json()["items"]]
    assert client.get(f"{path}/deliveries", headers=admin, params={"status": "lost"}).status_code == 422
    pending = client.post(f"{path}/deliveries/{pinged.json()['id']}/replay", headers=admin)
    assert pending.status_code == 409  # still being delivered
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404
    entries, _ = container.audit.page_for_entity(created["id"], limit=20, position=None)
    actions = [e.action for e in entries]
    for action in ("created", "changed", "secretRotated", "pinged", "deleted"):
        assert f"eventSubscription.{action}" in actions
    assert all(rotated.json()["secret"] not in str(e.after) + str(e.before) for e in entries)


def test_endpoints_come_in_pages_under_signed_tokens(
    api: tuple[Container, TestClient], people: dict[str, dict[str, str]], sandbox: Any
) -> None:
    _, client = api
    admin = people["strangerAdmin"]
    made = {register(client, admin, receiver_url(sandbox)).json()["id"] for _ in range(3)}
    first = client.get("/api/event-subscriptions", headers=admin, params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["continuationToken"]
    rest = client.get("/api/event-subscriptions", headers=admin,
                      params={"limit": 2, "continuationToken": first["continuationToken"]}).json()  # fmt: skip
    assert {e["id"] for e in first["items"] + rest["items"]} == made
    forged = client.get("/api/event-subscriptions", headers=people["providerAdmin"],
                        params={"continuationToken": first["continuationToken"]})  # fmt: skip
    assert forged.status_code == 400
