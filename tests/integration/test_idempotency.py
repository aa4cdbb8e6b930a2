"""Idempotency-Key on creating POSTs (docs/api-guide.md#idempotency-key)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from shared.domain.scope import OrgRef, Role
from shared.storage.idempotency import Claim, IdempotencyStore
from tests.support.platform import new_id, provider_org

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


def setup_admin(add_member: AddMember) -> tuple[OrgRef, str]:
    provider = provider_org()
    return provider, add_member(provider, Role.PROVIDER_ADMIN)


def staff_body(provider: OrgRef) -> dict[str, str]:
    return {"userId": new_id("u-"), "orgType": "provider", "orgId": provider.org_id, "role": "provider.staff"}


def test_same_key_and_body_answers_the_first_result_and_does_nothing_twice(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider, admin = setup_admin(add_member)
    new = staff_body(provider)
    headers = {**auth(admin), "Idempotency-Key": new_id()}
    first = client.post("/api/members", json=new, headers=headers)
    again = client.post("/api/members", json=dict(reversed(list(new.items()))), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    entries = client.get("/api/audit", params={"entityId": new["userId"]}, headers=auth(admin)).json()["items"]
    assert len(entries) == 1


def test_without_the_key_a_repeat_is_a_new_request(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider, admin = setup_admin(add_member)
    new = staff_body(provider)
    assert client.post("/api/members", json=new, headers=auth(admin)).status_code == 201
    assert client.post("/api/members", json=new, headers=auth(admin)).status_code == 409


def test_a_refusal_is_replayed_too(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider, admin = setup_admin(add_member)
    headers = {**auth(admin), "Idempotency-Key": new_id()}
    bad = {"userId": new_id("u-"), "orgType": "provider", "orgId": "no-such-provider", "role": "provider.staff"}
    first = client.post("/api/members", json=bad, headers=headers)
    again = client.post("/api/members", json=bad, headers=headers)
    assert first.status_code == again.status_code == 404
    assert again.json() == first.json()


def test_same_key_with_another_body_is_422_and_changes_nothing(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider, admin = setup_admin(add_member)
    headers = {**auth(admin), "Idempotency-Key": new_id()}
    assert client.post("/api/members", json=staff_body(provider), headers=headers).status_code == 201
    other = staff_body(provider)
    response = client.post("/api/members", json=other, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert container.members.get(other["userId"]) is None


def test_keys_are_scoped_to_the_caller(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider, admin = setup_admin(add_member)
    other_admin = add_member(provider, Role.PROVIDER_ADMIN)
    key = new_id()
    first = client.post("/api/members", json=staff_body(provider), headers={**auth(admin), "Idempotency-Key": key})
    second = client.post(
        "/api/members", json=staff_body(provider), headers={**auth(other_admin), "Idempotency-Key": key}
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["userId"] != second.json()["userId"]


def test_same_key_while_the_first_is_in_flight_is_409(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider, admin = setup_admin(add_member)
    key, new = new_id(), staff_body(provider)
    import hashlib

    import orjson

    fingerprint = hashlib.sha256(orjson.dumps(new, option=orjson.OPT_SORT_KEYS)).hexdigest()
    # The first request has claimed the key and is still working.
    assert container.idempotency.claim(admin, "POST", "/api/members", key, fingerprint).claim is Claim.NEW
    response = client.post("/api/members", json=new, headers={**auth(admin), "Idempotency-Key": key})
    assert response.status_code == 409
    assert container.members.get(new["userId"]) is None


def test_concurrent_duplicates_create_one_member(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider, admin = setup_admin(add_member)
    headers = {**auth(admin), "Idempotency-Key": new_id()}
    new = staff_body(provider)
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        barrier.wait()
        statuses.append(client.post("/api/members", json=new, headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    entries = client.get("/api/audit", params={"entityId": new["userId"]}, headers=auth(admin)).json()["items"]
    assert len(entries) == 1


def test_a_claim_whose_holder_died_can_be_taken_over(container: Any) -> None:
    store = IdempotencyStore(container.tables, ttl=timedelta(hours=72), lease=timedelta(seconds=0))
    caller, key = new_id(), new_id()
    assert store.claim(caller, "POST", "/api/x", key, "f1").claim is Claim.NEW
    assert store.claim(caller, "POST", "/api/x", key, "f1").claim is Claim.NEW


def test_records_are_kept_72_hours_then_purged(container: Any) -> None:
    store = container.idempotency
    caller, key = new_id(), new_id()
    assert store.claim(caller, "POST", "/api/x", key, "f").claim is Claim.NEW
    store.purge_expired(now=datetime.now(UTC) + timedelta(hours=71))
    assert store.claim(caller, "POST", "/api/x", key, "f").claim is Claim.IN_FLIGHT
    store.purge_expired(now=datetime.now(UTC) + timedelta(hours=73))
    assert store.claim(caller, "POST", "/api/x", key, "f").claim is Claim.NEW
