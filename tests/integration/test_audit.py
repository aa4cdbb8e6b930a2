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


def test_the_feed_shows_what_happened_in_the_callers_scope_by_time_range_and_actor(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    reseller, other_reseller = reseller_org(provider), reseller_org(provider)
    reseller_admin = add_member(reseller, Role.RESELLER_ADMIN)
    own = record(container, customer_org(reseller))
    other = record(container, customer_org(other_reseller))
    container.audit.record(actor="billing", action="thing.billed", entity_type="thing", entity_id=new_id("e-"),
                           org=reseller, before=None, after={"n": 3})  # fmt: skip
    old = new_id("e-")
    container.audit.record(actor="test", action="thing.changed", entity_type="thing", entity_id=old, org=reseller,
                           before=None, after=None, at=datetime.now(UTC) - timedelta(days=30))  # fmt: skip
    foreign = record(container, customer_org(reseller_org(provider_org())))

    feed = client.get("/api/audit", headers=auth(admin)).json()["items"]
    seen = {e["entityId"] for e in feed}
    assert {own, other} <= seen and old not in seen and foreign not in seen
    assert [e["at"] for e in feed] == sorted((e["at"] for e in feed), reverse=True)
    by_actor = client.get("/api/audit", params={"actorId": "billing"}, headers=auth(admin)).json()["items"]
    assert [e["action"] for e in by_actor] == ["thing.billed"]
    month = {"from": (datetime.now(UTC) - timedelta(days=31)).isoformat(), "to": datetime.now(UTC).isoformat()}
    assert old in {e["entityId"] for e in client.get("/api/audit", params=month, headers=auth(admin)).json()["items"]}
    # A reseller admin's feed is its own and its customers'.
    mine = {e["entityId"] for e in client.get("/api/audit", headers=auth(reseller_admin)).json()["items"]}
    assert own in mine and other not in mine
    # Bad ranges and non-admins are refused.
    too_long = {"from": (datetime.now(UTC) - timedelta(days=100)).isoformat()}
    assert client.get("/api/audit", params=too_long, headers=auth(admin)).status_code == 422
    staff = add_member(provider, Role.PROVIDER_STAFF)
    assert client.get("/api/audit", headers=auth(staff)).status_code == 403
    assert client.get("/api/audit", params={"providerId": provider.org_id}, headers=auth(admin)).status_code == 404
