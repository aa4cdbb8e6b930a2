"""GET /api/audit: admins read the trail of what they can see; anything else is 404 or 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from shared.domain.scope import OrgRef, Role
from tests.support.platform import customer_org, new_id, provider_org, reseller_org

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


def record(container: Any, org: OrgRef) -> str:
    entity = new_id("e-")
    container.audit.record(
        actor="test",
        action="thing.changed",
        entity_type="thing",
        entity_id=entity,
        org=org,
        before={"n": 1},
        after={"n": 2},
    )
    return entity


def test_entry_says_who_when_what_before_and_after(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    entity = record(container, customer_org(reseller_org(provider)))
    entry = client.get("/api/audit", params={"entityId": entity}, headers=auth(admin)).json()["items"][0]
    assert entry["actorId"] == "test" and entry["action"] == "thing.changed" and entry["at"]
    assert entry["before"] == {"n": 1} and entry["after"] == {"n": 2}


def test_another_resellers_trail_is_404(client: TestClient, auth: Auth, add_member: AddMember, container: Any) -> None:
    provider = provider_org()
    admin_a = add_member(reseller_org(provider), Role.RESELLER_ADMIN)
    entity = record(container, customer_org(reseller_org(provider)))
    assert client.get("/api/audit", params={"entityId": entity}, headers=auth(admin_a)).status_code == 404


def test_another_providers_trail_is_404(client: TestClient, auth: Auth, add_member: AddMember, container: Any) -> None:
    admin = add_member(provider_org(), Role.PROVIDER_ADMIN)
    entity = record(container, provider_org())
    assert client.get("/api/audit", params={"entityId": entity}, headers=auth(admin)).status_code == 404


def test_staff_may_not_read_the_trail(client: TestClient, auth: Auth, add_member: AddMember, container: Any) -> None:
    provider = provider_org()
    staff = add_member(provider, Role.PROVIDER_STAFF)
    entity = record(container, provider)
    assert client.get("/api/audit", params={"entityId": entity}, headers=auth(staff)).status_code == 403


def test_unknown_entity_is_404(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    assert client.get("/api/audit", params={"entityId": new_id()}, headers=auth(operator)).status_code == 404


def test_missing_entity_id_is_400(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    response = client.get("/api/audit", headers=auth(operator))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "entityId"
