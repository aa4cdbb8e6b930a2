"""Members (docs/api-guide.md#roles): who may add whom, and scope answered as 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from shared.domain.scope import OrgRef, Role
from tests.support.platform import customer_org, new_id, provider_org, reseller_org

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


def body(org: OrgRef, role: Role, user_id: str | None = None) -> dict[str, str]:
    return {"userId": user_id or new_id("u-"), "orgType": org.org_type.value, "orgId": org.org_id, "role": role.value}


def test_me_answers_the_members_organisation_and_role(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider = provider_org()
    staff = add_member(reseller_org(provider), Role.RESELLER_STAFF)
    me = client.get("/api/me", headers=auth(staff)).json()
    assert (me["userId"], me["orgType"], me["role"]) == (staff, "reseller", "reseller.staff")


def test_operator_adds_a_provider_admin_and_it_can_sign_in(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    provider = provider_org()
    container.organizations.add(provider, name="Contoso Distribution")
    new_admin = new_id("u-")
    response = client.post("/api/members", json=body(provider, Role.PROVIDER_ADMIN, new_admin), headers=auth(operator))
    assert response.status_code == 201, response.text
    assert response.json()["userId"] == new_admin and response.json()["role"] == "provider.admin"
    assert client.get("/api/me", headers=auth(new_admin)).json()["orgId"] == provider.org_id


def test_admin_adds_staff_to_own_organisation(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    response = client.post("/api/members", json=body(provider, Role.PROVIDER_STAFF), headers=auth(admin))
    assert response.status_code == 201


def test_provider_admin_adds_only_the_first_admin_of_its_reseller(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    reseller = reseller_org(provider)
    container.organizations.add(reseller, name="Fabrikam IT")
    first = client.post("/api/members", json=body(reseller, Role.RESELLER_ADMIN), headers=auth(admin))
    assert first.status_code == 201
    second = client.post("/api/members", json=body(reseller, Role.RESELLER_ADMIN), headers=auth(admin))
    assert second.status_code == 403
    staff = client.post("/api/members", json=body(reseller, Role.RESELLER_STAFF), headers=auth(admin))
    assert staff.status_code == 403


def test_staff_may_not_add_members(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider = provider_org()
    staff = add_member(provider, Role.PROVIDER_STAFF)
    response = client.post("/api/members", json=body(provider, Role.PROVIDER_STAFF), headers=auth(staff))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_member_of_one_organisation_cannot_add_members_of_another(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider = provider_org()
    reseller_a, reseller_b = reseller_org(provider), reseller_org(provider)
    admin_a = add_member(reseller_a, Role.RESELLER_ADMIN)
    add_member(reseller_b, Role.RESELLER_ADMIN)
    target = body(reseller_b, Role.RESELLER_STAFF)
    response = client.post("/api/members", json=target, headers=auth(admin_a))
    assert response.status_code == 404
    assert container.members.get(target["userId"]) is None


def test_provider_cannot_reach_another_providers_reseller(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    admin_a = add_member(provider_org(), Role.PROVIDER_ADMIN)
    reseller_of_b = reseller_org(provider_org())
    container.organizations.add(reseller_of_b, name="Elsewhere")
    response = client.post("/api/members", json=body(reseller_of_b, Role.RESELLER_ADMIN), headers=auth(admin_a))
    assert response.status_code == 404


def test_customer_admin_adds_to_itself_only(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider = provider_org()
    reseller = reseller_org(provider)
    customer, other = customer_org(reseller), customer_org(reseller)
    admin = add_member(customer, Role.CUSTOMER_ADMIN)
    add_member(other, Role.CUSTOMER_ADMIN)
    assert client.post("/api/members", json=body(customer, Role.CUSTOMER_ADMIN), headers=auth(admin)).status_code == 201
    assert client.post("/api/members", json=body(other, Role.CUSTOMER_ADMIN), headers=auth(admin)).status_code == 404


def test_a_provider_admin_adding_to_the_operators_organisation_is_403_not_404(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    admin = add_member(provider_org(), Role.PROVIDER_ADMIN)
    target = body(OrgRef.operator(), Role.OPERATOR)
    response = client.post("/api/members", json=target, headers=auth(admin))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "urn:csp-platform:problem:forbidden"
    assert container.members.get(target["userId"]) is None
    # an organisation outside the caller's scope that is not the operator's stays 404
    elsewhere = reseller_org(provider_org())
    container.organizations.add(elsewhere, name="Elsewhere")
    assert (
        client.post("/api/members", json=body(elsewhere, Role.RESELLER_ADMIN), headers=auth(admin)).status_code == 404
    )


def test_unknown_organisation_is_404(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    response = client.post("/api/members", json=body(provider_org(), Role.PROVIDER_ADMIN), headers=auth(operator))
    assert response.status_code == 404


def test_a_role_that_does_not_fit_the_organisation_is_422(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    provider = provider_org()
    container.organizations.add(provider, name="P")
    response = client.post("/api/members", json=body(provider, Role.CUSTOMER_ADMIN), headers=auth(operator))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


def test_a_user_belongs_to_one_organisation(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    provider = provider_org()
    container.organizations.add(provider, name="P")
    existing = add_member(provider_org(), Role.PROVIDER_STAFF)
    response = client.post("/api/members", json=body(provider, Role.PROVIDER_STAFF, existing), headers=auth(operator))
    assert response.status_code == 409
    assert container.members.get(existing).org.org_id != provider.org_id


def test_adding_a_member_is_audited(client: TestClient, auth: Auth, add_member: AddMember) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    new = body(provider, Role.PROVIDER_STAFF)
    assert client.post("/api/members", json=new, headers=auth(admin)).status_code == 201
    trail = client.get("/api/audit", params={"entityId": new["userId"]}, headers=auth(admin))
    assert trail.status_code == 200
    entry = trail.json()["items"][0]
    assert entry["action"] == "member.added" and entry["actorId"] == admin
    assert entry["before"] is None and entry["after"]["role"] == "provider.staff"


def test_members_are_listed_changed_and_removed_by_their_admins_and_audited(
    client: TestClient, auth: Auth, add_member: AddMember
) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    staff = add_member(provider, Role.PROVIDER_STAFF)
    listed = client.get("/api/members", headers=auth(staff)).json()["items"]  # its own organisation by default
    assert {(m["userId"], m["role"]) for m in listed} == {(admin, "provider.admin"), (staff, "provider.staff")}
    # Staff read but do not manage.
    assert (
        client.patch(f"/api/members/{admin}", json={"role": "provider.staff"}, headers=auth(staff)).status_code == 403
    )
    promoted = client.patch(f"/api/members/{staff}", json={"role": "provider.admin"}, headers=auth(admin))
    assert promoted.status_code == 200 and promoted.json()["role"] == "provider.admin"
    assert client.get("/api/me", headers=auth(staff)).json()["role"] == "provider.admin"
    wrong_kind = client.patch(f"/api/members/{staff}", json={"role": "reseller.staff"}, headers=auth(admin))
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"][0]["field"] == "role"
    # Offboarding: the removed member is refused from its next request on.
    assert client.delete(f"/api/members/{admin}", headers=auth(staff)).status_code == 204
    assert client.get("/api/me", headers=auth(admin)).status_code in (401, 403)
    trail = client.get("/api/audit", params={"entityId": admin}, headers=auth(staff)).json()["items"]
    assert [e["action"] for e in trail][:1] == ["member.removed"]
    trail = client.get("/api/audit", params={"entityId": staff}, headers=auth(staff)).json()["items"]
    assert "member.roleChanged" in [e["action"] for e in trail]


def test_the_last_admin_of_an_organisation_can_be_neither_removed_nor_demoted(
    client: TestClient, auth: Auth, add_member: AddMember
) -> None:
    reseller = reseller_org(provider_org())
    admin = add_member(reseller, Role.RESELLER_ADMIN)
    demoted = client.patch(f"/api/members/{admin}", json={"role": "reseller.staff"}, headers=auth(admin))
    assert demoted.status_code == 409 and "last admin" in demoted.json()["detail"]
    assert client.delete(f"/api/members/{admin}", headers=auth(admin)).status_code == 409
    assert client.get("/api/me", headers=auth(admin)).json()["role"] == "reseller.admin"


def test_members_outside_the_callers_scope_are_404_and_the_admins_above_may_offboard(
    client: TestClient, auth: Auth, add_member: AddMember
) -> None:
    provider = provider_org()
    provider_admin = add_member(provider, Role.PROVIDER_ADMIN)
    reseller = reseller_org(provider)
    add_member(reseller, Role.RESELLER_ADMIN)
    reseller_staff = add_member(reseller, Role.RESELLER_STAFF)
    stranger = add_member(provider_org(), Role.PROVIDER_ADMIN)
    for method, path in (("GET", f"/api/members?orgType=reseller&orgId={reseller.org_id}"),
                         ("DELETE", f"/api/members/{reseller_staff}")):  # fmt: skip
        assert client.request(method, path, headers=auth(stranger)).status_code == 404
    customer = customer_org(reseller)
    customer_admin = add_member(customer, Role.CUSTOMER_ADMIN)
    assert client.get(f"/api/members?orgType=reseller&orgId={reseller.org_id}",
                      headers=auth(customer_admin)).status_code == 404  # fmt: skip
    assert client.delete(f"/api/members/{reseller_staff}", headers=auth(provider_admin)).status_code == 204
    assert client.get("/api/members", params={"orgType": "reseller"}, headers=auth(provider_admin)).status_code == 422
