"""What the web console needs from the API (over Azurite and the sandbox): how people sign in, the local stack's
development sign-in, the provider's dashboard, and a consent that starts from and returns to the console."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from local.api import create_local_api
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.onboarding import Sandbox, callback_path, enroll, new_domain, new_partner_id, work_queue
from tests.support.platform import platform_settings

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def local_client(storage_connection_string: str, sandbox: Any) -> Iterator[TestClient]:
    """The local stack's API, with the development sign-in on (keys of this sandbox)."""
    settings = platform_settings(storage_connection_string, sandbox, dev_sign_in_key_dir=str(sandbox.state_dir))
    with TestClient(create_local_api(Container(settings)), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def operator(add_member: AddMember) -> str:
    return add_member(OrgRef.operator(), Role.OPERATOR)


def test_the_console_learns_how_people_sign_in_without_a_token(client: TestClient, container: Container) -> None:
    answer = client.get("/api/config")
    assert answer.status_code == 200, answer.text
    config = answer.json()
    issuer = container.settings.auth_issuer
    assert config["auth"]["authority"] == issuer.removesuffix("/v2.0")
    assert config["auth"]["knownAuthorities"] == [urlsplit(issuer).netloc]
    assert config["auth"]["scopes"] == [f"{container.settings.auth_audience}/access_as_user"]
    assert config["devSignIn"] is False  # only the local stack turns it on


def test_without_the_setting_the_development_sign_in_does_not_exist(
    storage_connection_string: str, sandbox: Any
) -> None:
    with TestClient(create_local_api(Container(platform_settings(storage_connection_string, sandbox)))) as client:
        assert client.post("/api/dev/token", json={"userId": "someone"}).status_code == 404
        assert client.get("/api/dev/people").status_code == 404


def test_the_development_sign_in_mints_a_token_the_api_accepts(
    local_client: TestClient, container: Container, add_member: AddMember
) -> None:
    assert local_client.get("/api/config").json()["devSignIn"] is True
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    people = local_client.get("/api/dev/people").json()["items"]
    assert {"userId": operator, "orgType": "operator", "orgId": OrgRef.operator().org_id,
            "orgName": "Platform operator", "role": "operator"} in people  # fmt: skip
    minted = local_client.post("/api/dev/token", json={"userId": operator})
    assert minted.status_code == 200, minted.text
    me = local_client.get("/api/me", headers={"Authorization": f"Bearer {minted.json()['accessToken']}"})
    assert me.status_code == 200 and me.json()["role"] == "operator"
    stranger = local_client.post("/api/dev/token", json={"userId": "not-a-member-0001"}).json()["accessToken"]
    assert local_client.get("/api/me", headers={"Authorization": f"Bearer {stranger}"}).status_code == 403


def test_a_bad_user_id_for_the_development_sign_in_is_422(local_client: TestClient) -> None:
    for body in ({"userId": ""}, {"userId": "a/b"}, {"userId": "x" * 129}, {}, {"userId": "ok", "role": "x"}):
        answer = local_client.post("/api/dev/token", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_dashboard_counts_the_providers_relationships_and_is_404_outside_it(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, add_member: AddMember, container: Container
) -> None:
    app = pc.new_provider("Dashboard Distribution")
    provider = enroll(client, auth(operator), app).json()
    admin = auth(add_member(OrgRef(OrgType.PROVIDER, provider["id"]), Role.PROVIDER_ADMIN))
    empty = client.get(f"/api/providers/{provider['id']}/summary", headers=admin)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "providerId": provider["id"],
        "resellers": {"invited": 0, "active": 0, "ended": 0, "expired": 0},
        "customers": {"invited": 0, "creating": 0, "active": 0, "ended": 0, "expired": 0, "failed": 0},
        "ordersInFlight": 0,
        "lastBillingRun": None,
    }
    partner_ids = [new_partner_id(), new_partner_id()]
    reseller_ids = [
        client.post("/api/reseller-invitations", headers=admin, json={
            "partnerId": partner_id, "name": "Reseller", "contactEmail": "it@r.example"}).json()["resellerId"]
        for partner_id in partner_ids
    ]  # fmt: skip
    pc.reseller_accepts(app["tenantId"], partner_ids[0])
    reseller_id = reseller_ids[0]
    status = lambda: client.get(f"/api/resellers/{reseller_id}", headers=admin).json()["status"]  # noqa: E731
    work_queue(container, lambda: status() == "active")
    customer = client.post("/api/customer-invitations", headers=admin, json={"resellerId": reseller_id,
                           "name": "Wingtip", "domain": new_domain(), "contactEmail": "it@w.example"})  # fmt: skip
    assert customer.status_code == 201, customer.text
    summary = client.get(f"/api/providers/{provider['id']}/summary", headers=admin).json()
    assert summary["resellers"] == {"invited": 1, "active": 1, "ended": 0, "expired": 0}
    assert summary["customers"]["invited"] == 1
    assert client.get(f"/api/providers/{provider['id']}/summary", headers=auth(operator)).status_code == 200

    reseller_staff = add_member(OrgRef(OrgType.RESELLER, reseller_id, provider_id=provider["id"]), Role.RESELLER_ADMIN)
    other = enroll(client, auth(operator), pc.new_provider("Other Distribution")).json()
    other_admin = add_member(OrgRef(OrgType.PROVIDER, other["id"]), Role.PROVIDER_ADMIN)
    for outsider in (reseller_staff, other_admin):
        refused = client.get(f"/api/providers/{provider['id']}/summary", headers=auth(outsider))
        assert refused.status_code == 404, refused.text


def test_a_browser_consent_starts_from_json_and_returns_to_the_providers_page(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, container: Container
) -> None:
    app = pc.new_provider("Consent In The Browser B.V.")
    provider = enroll(client, auth(operator), app, with_refresh_token=False).json()
    started = client.get(f"/api/providers/{provider['id']}/consent",
                         headers={**auth(operator), "Accept": "application/json"})  # fmt: skip
    assert started.status_code == 200, started.text
    consent_url = started.json()["consentUrl"]
    assert consent_url.startswith(f"{pc.https_url}/{app['tenantId']}/oauth2/v2.0/authorize?")
    back = pc.follow_authorize(consent_url)

    returned = client.get(callback_path(back), headers=HTML, follow_redirects=False)
    assert returned.status_code == 302, returned.text
    assert returned.headers["location"] == f"/providers/{provider['id']}?consent=enrolled"
    assert container.providers.get(provider["id"]).status.value == "enrolled"

    replayed = client.get(callback_path(back), headers=HTML, follow_redirects=False)
    assert replayed.status_code == 302
    location = urlsplit(replayed.headers["location"])
    assert location.path == f"/providers/{provider['id']}"
    query = parse_qs(location.query)
    assert query["consent"] == ["failed"] and "already used" in query["detail"][0]
    forged = client.get("/api/providers/consent/callback", params={"state": "abc.def", "code": "x"}, headers=HTML,
                        follow_redirects=False)  # fmt: skip
    assert forged.status_code == 302 and forged.headers["location"].startswith("/providers?consent=failed")
    assert client.get(callback_path(back)).status_code == 400  # an API client still gets the problem


def test_the_consent_url_sends_the_browser_to_the_sign_in_host_when_one_is_set(
    storage_connection_string: str, sandbox: Any, pc: Sandbox, add_member: AddMember
) -> None:
    """Locally a person's browser signs in at the sandbox's plain-http port (its CA is not trusted there)."""
    from tests.support.platform import user_token

    settings = platform_settings(storage_connection_string, sandbox,
                                 partner_center_consent_sign_in_host=sandbox.http_url)  # fmt: skip
    with TestClient(create_local_api(Container(settings))) as client:
        operator = add_member(OrgRef.operator(), Role.OPERATOR)
        headers = {"Authorization": f"Bearer {user_token(sandbox, operator)}"}
        app = pc.new_provider("Plain Sign-in B.V.")
        provider = enroll(client, headers, app, with_refresh_token=False).json()
        assert provider["consentUrl"].startswith(f"{sandbox.http_url}/{app['tenantId']}/oauth2/v2.0/authorize?")
