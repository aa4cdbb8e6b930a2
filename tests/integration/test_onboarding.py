"""Onboarding (docs/business.md#the-indirect-model): enrollment, consent, resellers and customers,
their queued checks and the sweep, against the sandbox's Partner Center."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.onboarding import Sandbox, callback_path, enroll, new_domain, new_partner_id, work_queue

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture
def operator(add_member: AddMember) -> str:
    return add_member(OrgRef.operator(), Role.OPERATOR)


@pytest.fixture
def enrolled(client: TestClient, auth: Auth, operator: str, pc: Sandbox, add_member: AddMember) -> dict[str, Any]:
    """A provider enrolled with both grants, and one admin member of it."""
    app = pc.new_provider("Contoso Distribution")
    response = enroll(client, auth(operator), app)
    assert response.status_code == 201, response.text
    provider = response.json()
    admin = add_member(OrgRef(OrgType.PROVIDER, provider["id"]), Role.PROVIDER_ADMIN)
    return {"provider": provider, "app": app, "admin": admin}


def active_reseller(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> dict[str, Any]:
    partner_id = new_partner_id()
    invited = client.post(
        "/api/reseller-invitations",
        headers=auth(enrolled["admin"]),
        json={"partnerId": partner_id, "name": "Fabrikam IT", "contactEmail": "it@fabrikam.example"},
    )
    assert invited.status_code == 201, invited.text
    pc.reseller_accepts(enrolled["app"]["tenantId"], partner_id)
    reseller_id = invited.json()["resellerId"]
    read = lambda: client.get(f"/api/resellers/{reseller_id}", headers=auth(enrolled["admin"])).json()  # noqa: E731
    work_queue(container, lambda: read()["status"] == "active")
    return read()  # type: ignore[no-any-return]


def test_enrolling_with_both_grants_reads_the_partner_id(enrolled: dict[str, Any]) -> None:
    provider = enrolled["provider"]
    assert provider["status"] == "enrolled"
    assert provider["partnerId"] == enrolled["app"]["partnerId"]
    assert "consentUrl" not in provider or provider["consentUrl"] is None


def test_a_wrong_secret_is_422_and_leaves_nothing(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, container: Container
) -> None:
    app = pc.new_provider("Wrong Secret Ltd")
    container.secret_store.set("wrong-secret-for-test", "not-the-secret")
    before = {p.id for p in container.providers.all()}
    response = enroll(client, auth(operator), {**app, "clientSecretRef": "wrong-secret-for-test"})
    assert response.status_code == 422
    assert "AADSTS7000215" in response.json()["detail"]
    assert {p.id for p in container.providers.all()} == before


def test_an_unknown_tenant_or_app_is_422(client: TestClient, auth: Auth, operator: str, pc: Sandbox) -> None:
    app = pc.new_provider("Unknown Parts Ltd")
    unknown_tenant = enroll(client, auth(operator), {**app, "tenantId": "00000000-0000-4000-8000-000000000001"})
    unknown_app = enroll(client, auth(operator), {**app, "clientId": "00000000-0000-4000-8000-000000000002"})
    assert unknown_tenant.status_code == unknown_app.status_code == 422


def test_the_same_tenant_or_app_cannot_be_enrolled_twice(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, enrolled: dict[str, Any], container: Container
) -> None:
    """A second provider on the same app would take the first one's webhook registration (its mirror would stop
    converging): a tenant or app already enrolled is 409 and nothing is kept."""
    before = {p.id for p in container.providers.all()}
    again = enroll(client, auth(operator), enrolled["app"])
    assert again.status_code == 409, again.text
    assert enrolled["provider"]["id"] in again.json()["detail"]
    other = pc.new_provider("Other App Ltd")
    same_app = enroll(client, auth(operator), {**other, "clientId": enrolled["app"]["clientId"]})
    assert same_app.status_code == 409, same_app.text
    assert {p.id for p in container.providers.all()} == before


def test_a_disabled_provider_stops_and_frees_its_app_for_another_enrollment(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, enrolled: dict[str, Any], container: Container
) -> None:
    provider_id = enrolled["provider"]["id"]
    refused = client.post(f"/api/providers/{provider_id}/disable", headers=auth(enrolled["admin"]))
    assert refused.status_code == 403
    disabled = client.post(f"/api/providers/{provider_id}/disable", headers=auth(operator))
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled", disabled.text
    assert client.post("/api/providers/unknown-provider/disable", headers=auth(operator)).status_code == 404
    trail = client.get("/api/audit", params={"entityId": provider_id}, headers=auth(operator)).json()["items"]
    assert trail[0]["action"] == "provider.disabled"
    # Nothing is sold for it any more.
    invited = client.post(
        "/api/reseller-invitations",
        headers=auth(enrolled["admin"]),
        json={"partnerId": new_partner_id(), "name": "Late", "contactEmail": "it@late.example"},
    )
    assert invited.status_code == 409 and "disabled" in invited.json()["detail"]
    # Its app may now be enrolled again, as a new provider (whose enrollment registers the webhook to itself).
    again = enroll(client, auth(operator), enrolled["app"])
    assert again.status_code == 201, again.text
    assert again.json()["id"] != provider_id and again.json()["status"] == "enrolled"
    assert container.providers.get(provider_id).status.value == "disabled"


def test_only_the_operator_enrolls(client: TestClient, auth: Auth, enrolled: dict[str, Any], pc: Sandbox) -> None:
    response = enroll(client, auth(enrolled["admin"]), pc.new_provider("Sneaky"))
    assert response.status_code == 403


def test_bad_enrollment_input_is_422_with_the_field(client: TestClient, auth: Auth, operator: str) -> None:
    body = {"name": "X", "partnerCenter": {"tenantId": "not-a-guid", "clientId": "x", "clientSecretRef": "a/b"}}
    problem = client.post("/api/providers", json=body, headers=auth(operator)).json()
    fields = {e["field"] for e in problem["errors"]}
    assert {"partnerCenter.tenantId", "partnerCenter.clientId", "partnerCenter.clientSecretRef"} <= fields


def test_without_a_refresh_token_consent_completes_the_enrollment(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, container: Container
) -> None:
    app = pc.new_provider("Consent Later B.V.")
    created = enroll(client, auth(operator), app, with_refresh_token=False)
    assert created.status_code == 201
    provider = created.json()
    assert provider["status"] == "consentRequired" and provider["partnerId"] is None
    assert provider["consentUrl"].startswith(f"{pc.https_url}/{app['tenantId']}/oauth2/v2.0/authorize?")

    start = client.get(f"/api/providers/{provider['id']}/consent", headers=auth(operator), follow_redirects=False)
    assert start.status_code == 302
    back = pc.follow_authorize(start.headers["location"])
    done = client.get(callback_path(back))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "enrolled" and done.json()["partnerId"] == app["partnerId"]
    stored = container.providers.get(provider["id"])
    assert stored is not None and stored.refresh_token_ref is not None
    assert container.secret_store.get(stored.refresh_token_ref)  # in the secret store, not in the table
    assert client.get(callback_path(back)).status_code == 400  # a replayed state is refused


def test_a_disabled_provider_cannot_be_brought_back_by_its_consent(
    client: TestClient, auth: Auth, operator: str, pc: Sandbox, container: Container
) -> None:
    """Disabling is the operator's: neither a consent started afterwards nor one started before it and completed
    afterwards enrols the provider again."""
    created = enroll(client, auth(operator), pc.new_provider("Disabled Later B.V."), with_refresh_token=False).json()
    start = client.get(f"/api/providers/{created['id']}/consent", headers=auth(operator), follow_redirects=False)
    assert start.status_code == 302
    back = pc.follow_authorize(start.headers["location"])  # consented, but not yet back at the callback
    assert client.post(f"/api/providers/{created['id']}/disable", headers=auth(operator)).status_code == 200

    late = client.get(callback_path(back))
    assert late.status_code == 409 and "disabled" in late.json()["detail"], late.text
    again = client.get(f"/api/providers/{created['id']}/consent", headers=auth(operator), follow_redirects=False)
    assert again.status_code == 409 and "disabled" in again.json()["detail"], again.text
    stored = container.providers.get(created["id"])
    assert stored is not None and stored.status.value == "disabled" and stored.refresh_token_ref is None


def test_a_forged_consent_state_is_400(client: TestClient) -> None:
    assert client.get("/api/providers/consent/callback", params={"state": "abc.def", "code": "x"}).status_code == 400


def test_reseller_turns_active_when_partner_center_lists_it(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    assert reseller["tenantId"] and reseller["activatedAt"]
    trail = client.get("/api/audit", params={"entityId": reseller["id"]}, headers=auth(enrolled["admin"])).json()
    assert [e["action"] for e in trail["items"]] == ["reseller.active", "reseller.invited"]


def test_duplicate_partner_id_is_409(client: TestClient, auth: Auth, enrolled: dict[str, Any]) -> None:
    body = {"partnerId": new_partner_id(), "name": "Dup", "contactEmail": "a@b.example"}
    assert client.post("/api/reseller-invitations", json=body, headers=auth(enrolled["admin"])).status_code == 201
    assert client.post("/api/reseller-invitations", json=body, headers=auth(enrolled["admin"])).status_code == 409


def test_invited_customer_turns_active_only_for_its_reseller(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    other = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    domain, elsewhere = new_domain(), new_domain()
    invited = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={
            "resellerId": reseller["id"],
            "name": "Wingtip Bikes",
            "domain": domain,
            "contactEmail": "it@wingtip.example",
        },
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "invited" and invited.json()["invitationUrl"].startswith("https://")
    misdirected = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller["id"], "name": "Elsewhere", "domain": elsewhere, "contactEmail": "it@e.example"},
    ).json()
    app_tenant = enrolled["app"]["tenantId"]
    pc.customer_accepts(app_tenant, reseller["partnerId"], domain=domain)
    pc.customer_accepts(app_tenant, other["partnerId"], domain=elsewhere)  # accepted for a different reseller

    def read(customer_id: str) -> dict[str, Any]:
        return client.get(f"/api/customers/{customer_id}", headers=headers).json()  # type: ignore[no-any-return]

    work_queue(
        container,
        lambda: (
            read(invited.json()["customerId"])["status"] == "active"
            and read(misdirected["customerId"])["flag"] is not None
        ),
    )
    assert read(invited.json()["customerId"])["tenantId"]
    flagged = read(misdirected["customerId"])
    assert flagged["status"] == "invited" and flagged["flag"] == "acceptedForOtherReseller"


def test_new_tenant_is_created_once_and_turns_active(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    prefix = "bikes" + new_partner_id()
    body = {
        "resellerId": reseller["id"],
        "companyProfile": {"companyName": "Contoso Bikes B.V.", "domainPrefix": prefix},
        "billingProfile": {
            "email": "finance@contosobikes.example",
            "culture": "nl-NL",
            "language": "nl",
            "defaultAddress": {
                "country": "NL",
                "city": "Utrecht",
                "addressLine1": "Oudegracht 100",
                "postalCode": "3511 AX",
                "firstName": "Jan",
                "lastName": "Jansen",
            },
        },
    }
    headers = auth(enrolled["admin"])
    accepted = client.post("/api/customers", json=body, headers={**headers, "Idempotency-Key": prefix})
    assert accepted.status_code == 202 and accepted.json()["status"] == "creating"
    again = client.post("/api/customers", json=body, headers={**headers, "Idempotency-Key": prefix})
    assert again.json()["customerId"] == accepted.json()["customerId"]
    customer_id = accepted.json()["customerId"]
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] != "creating"
    )
    customer = client.get(f"/api/customers/{customer_id}", headers=headers).json()
    assert customer["status"] == "active" and customer["domain"] == f"{prefix}.onmicrosoft.com"
    # The same domain again fails with Partner Center's reason, and makes no second tenant.
    taken = client.post("/api/customers", json=body, headers=headers)
    assert taken.status_code == 409


def test_a_taken_domain_fails_with_the_reason(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    other = active_reseller(client, auth, container, pc, enrolled)
    prefix = "taken" + new_partner_id()
    pc.customer_accepts(enrolled["app"]["tenantId"], other["partnerId"], domain=f"{prefix}.onmicrosoft.com")
    body = {
        "resellerId": reseller["id"],
        "companyProfile": {"companyName": "Taken", "domainPrefix": prefix},
        "billingProfile": {
            "email": "f@t.example",
            "culture": "en-US",
            "language": "en",
            "defaultAddress": {
                "country": "US",
                "city": "Redmond",
                "addressLine1": "1 Way",
                "postalCode": "98052",
                "firstName": "A",
                "lastName": "B",
            },
        },
    }
    headers = auth(enrolled["admin"])
    customer_id = client.post("/api/customers", json=body, headers=headers).json()["customerId"]
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] != "creating"
    )
    customer = client.get(f"/api/customers/{customer_id}", headers=headers).json()
    assert customer["status"] == "failed"
    assert f"{prefix}.onmicrosoft.com is already taken" in customer["failureReason"]


def test_sweep_marks_ended_relationships(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    domain = new_domain()
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller["id"], "name": "Leaving", "domain": domain, "contactEmail": "a@l.example"},
    ).json()["customerId"]
    tenant = pc.customer_accepts(enrolled["app"]["tenantId"], reseller["partnerId"], domain=domain)
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] == "active"
    )
    pc.end_relationship(enrolled["app"]["tenantId"], tenantId=tenant)
    counts = container.relationship_service.sweep()
    assert counts["ended"] >= 1
    customer = client.get(f"/api/customers/{customer_id}", headers=headers).json()
    assert customer["status"] == "ended" and customer["endedAt"]
    assert client.get(f"/api/resellers/{reseller['id']}", headers=headers).json()["status"] == "active"
    trail = client.get("/api/audit", params={"entityId": customer_id}, headers=headers).json()["items"]
    assert trail[0]["action"] == "customer.ended"


def test_check_now_re_reads_a_settled_relationship_and_an_ended_one_blocks_orders(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    domain = new_domain()
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller["id"], "name": "Check Now", "domain": domain, "contactEmail": "a@c.example"},
    ).json()["customerId"]
    tenant = pc.customer_accepts(enrolled["app"]["tenantId"], reseller["partnerId"], domain=domain)
    read = lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()  # noqa: E731
    work_queue(container, lambda: read()["status"] == "active")
    # Still related: a check confirms it and changes nothing.
    assert client.post(f"/api/customers/{customer_id}/relationship-check", headers=headers).status_code == 202
    work_queue(container, lambda: read()["lastCheckResult"] == "still active")
    assert read()["status"] == "active"
    # Ended in Partner Center: "check now" turns it ended at once, and orders are refused.
    pc.end_relationship(enrolled["app"]["tenantId"], tenantId=tenant)
    assert client.post(f"/api/customers/{customer_id}/relationship-check", headers=headers).status_code == 202
    work_queue(container, lambda: read()["status"] == "ended")
    assert read()["endedAt"]
    order = client.post("/api/orders", headers=headers, json={"customerId": customer_id, "lines": [
        {"catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1M:monthly", "quantity": 1, "termDuration": "P1M",
         "billingCycle": "monthly"}]})  # fmt: skip
    assert order.status_code == 409 and "ended" in order.json()["detail"], order.text
    # Related again (the customer accepted anew): the next check turns it active again.
    pc.customer_accepts(enrolled["app"]["tenantId"], reseller["partnerId"], tenantId=tenant)
    assert client.post(f"/api/customers/{customer_id}/relationship-check", headers=headers).status_code == 202
    work_queue(container, lambda: read()["status"] == "active")
    assert read()["endedAt"] is None
    trail = [e["action"] for e in client.get("/api/audit", params={"entityId": customer_id}, headers=headers)
             .json()["items"]]  # fmt: skip
    assert trail[:2] == ["customer.active", "customer.ended"]


def test_check_now_turns_a_reseller_whose_relationship_ended_ended(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    pc.end_relationship(enrolled["app"]["tenantId"], partnerId=reseller["partnerId"])
    assert client.post(f"/api/resellers/{reseller['id']}/relationship-check", headers=headers).status_code == 202
    work_queue(
        container, lambda: client.get(f"/api/resellers/{reseller['id']}", headers=headers).json()["status"] == "ended"
    )


def test_a_customer_has_the_market_of_its_billing_profile_and_the_sweep_reads_it_again(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    domain = new_domain()
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller["id"], "name": "Tokyo", "domain": domain, "contactEmail": "a@t.example"},
    ).json()["customerId"]
    pc.customer_accepts(enrolled["app"]["tenantId"], reseller["partnerId"], domain=domain, country="JP")
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] == "active"
    )
    customer = client.get(f"/api/customers/{customer_id}", headers=headers).json()
    assert (customer["country"], customer["currency"]) == ("JP", "JPY") and customer["marketReadAt"]
    # A customer recorded before its market was known (or read over a day ago): the sweep reads it again.
    provider_id = enrolled["provider"]["id"]
    container.customers.update(
        provider_id, customer_id, lambda c: replace(c, country=None, currency=None, market_read_at=None)
    )
    container.relationship_service.sweep()
    customer = client.get(f"/api/customers/{customer_id}", headers=headers).json()
    assert (customer["country"], customer["currency"]) == ("JP", "JPY")
    trail = client.get("/api/audit", params={"entityId": customer_id}, headers=headers).json()["items"]
    assert trail[0]["action"] == "customer.marketChanged"


def test_an_unanswered_invitation_expires(
    client: TestClient, auth: Auth, container: Container, enrolled: dict[str, Any]
) -> None:
    headers = auth(enrolled["admin"])
    reseller_id = client.post(
        "/api/reseller-invitations",
        headers=headers,
        json={"partnerId": new_partner_id(), "name": "Silent", "contactEmail": "s@s.example"},
    ).json()["resellerId"]
    provider_id = enrolled["provider"]["id"]
    container.resellers.update(
        provider_id, reseller_id, lambda r: replace(r, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    work_queue(
        container, lambda: client.get(f"/api/resellers/{reseller_id}", headers=headers).json()["status"] == "expired"
    )


def test_checks_converge_while_partner_center_throttles_and_fails(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    headers = auth(enrolled["admin"])
    partner_ids = [new_partner_id() for _ in range(3)]
    ids = [
        client.post(
            "/api/reseller-invitations",
            headers=headers,
            json={"partnerId": p, "name": f"R{p}", "contactEmail": "r@r.example"},
        ).json()["resellerId"]
        for p in partner_ids
    ]
    for partner_id in partner_ids:
        pc.reseller_accepts(enrolled["app"]["tenantId"], partner_id)
    pc.faults(rate429=0.3, rate5xx=0.3, seed=7)
    try:
        work_queue(
            container,
            lambda: all(client.get(f"/api/resellers/{i}", headers=headers).json()["status"] == "active" for i in ids),
            timeout=90,
        )
    finally:
        pc.faults()


def test_reseller_staff_see_only_their_own(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any], add_member: AddMember
) -> None:
    reseller_a = active_reseller(client, auth, container, pc, enrolled)
    reseller_b = active_reseller(client, auth, container, pc, enrolled)
    provider_id = enrolled["provider"]["id"]
    staff_a = add_member(OrgRef(OrgType.RESELLER, reseller_a["id"], provider_id=provider_id), Role.RESELLER_STAFF)
    headers_a = auth(staff_a)
    domain = new_domain()
    customer_b = client.post(
        "/api/customer-invitations",
        headers=auth(enrolled["admin"]),
        json={"resellerId": reseller_b["id"], "name": "B's", "domain": domain, "contactEmail": "b@b.example"},
    ).json()
    assert client.get(f"/api/resellers/{reseller_b['id']}", headers=headers_a).status_code == 404
    assert client.get(f"/api/customers/{customer_b['customerId']}", headers=headers_a).status_code == 404
    assert (
        client.post(f"/api/customers/{customer_b['customerId']}/relationship-check", headers=headers_a).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/customers/{customer_b['customerId']}", json={"storefrontEnabled": True}, headers=headers_a
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/customer-invitations",
            headers=headers_a,
            json={"resellerId": reseller_b["id"], "name": "x", "domain": new_domain(), "contactEmail": "x@x.example"},
        ).status_code
        == 404
    )
    listed = client.get("/api/resellers", headers=headers_a).json()["items"]
    assert [r["id"] for r in listed] == [reseller_a["id"]]
    assert all(
        c["resellerId"] == reseller_a["id"] for c in client.get("/api/customers", headers=headers_a).json()["items"]
    )
    # Provider-only routes are forbidden, not hidden: the reseller knows they exist.
    assert (
        client.post(
            "/api/reseller-invitations",
            headers=headers_a,
            json={"partnerId": new_partner_id(), "name": "x", "contactEmail": "x@x.example"},
        ).status_code
        == 403
    )
    assert client.post(f"/api/resellers/{reseller_a['id']}/relationship-check", headers=headers_a).status_code == 403
    # Its own customers it may invite.
    own = client.post(
        "/api/customer-invitations",
        headers=headers_a,
        json={"resellerId": reseller_a["id"], "name": "Mine", "domain": new_domain(), "contactEmail": "m@m.example"},
    )
    assert own.status_code == 201


def test_a_provider_never_sees_another_providers_data(
    client: TestClient,
    auth: Auth,
    container: Container,
    pc: Sandbox,
    enrolled: dict[str, Any],
    operator: str,
    add_member: AddMember,
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    other = enroll(client, auth(operator), pc.new_provider("Other Distribution")).json()
    other_admin = add_member(OrgRef(OrgType.PROVIDER, other["id"]), Role.PROVIDER_ADMIN)
    headers = auth(other_admin)
    assert client.get(f"/api/providers/{enrolled['provider']['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/resellers/{reseller['id']}", headers=headers).status_code == 404
    assert client.get("/api/resellers", headers=headers).json()["items"] == []
    assert (
        client.get("/api/resellers", params={"providerId": enrolled["provider"]["id"]}, headers=headers).status_code
        == 404
    )


def test_storefront_switch_is_audited(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    headers = auth(enrolled["admin"])
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller["id"], "name": "Shop", "domain": new_domain(), "contactEmail": "s@s.example"},
    ).json()["customerId"]
    patched = client.patch(f"/api/customers/{customer_id}", json={"storefrontEnabled": True}, headers=headers)
    assert patched.status_code == 200 and patched.json()["storefrontEnabled"] is True
    assert (
        client.patch(
            f"/api/customers/{customer_id}", json={"storefrontEnabled": "yes please"}, headers=headers
        ).status_code
        == 422
    )
    trail = client.get("/api/audit", params={"entityId": customer_id}, headers=headers).json()["items"]
    assert trail[0]["action"] == "customer.storefront"
    assert trail[0]["before"]["storefrontEnabled"] is False and trail[0]["after"]["storefrontEnabled"] is True


def test_customer_invitation_needs_a_domain_or_tenant(
    client: TestClient, auth: Auth, container: Container, pc: Sandbox, enrolled: dict[str, Any]
) -> None:
    reseller = active_reseller(client, auth, container, pc, enrolled)
    response = client.post(
        "/api/customer-invitations",
        headers=auth(enrolled["admin"]),
        json={"resellerId": reseller["id"], "name": "Nameless", "contactEmail": "n@n.example"},
    )
    assert response.status_code == 422


def test_partner_centers_webhook_is_registered_under_webhook_base_url_when_it_is_set(
    storage_connection_string: str, sandbox: Any
) -> None:
    """In Azure the console's origin fronts the API, but Partner Center's signed calls go to the Function App."""
    from shared.bootstrap import Container
    from shared.domain.relationships import Provider
    from tests.support.platform import platform_settings

    provider = cast(Provider, SimpleNamespace(id="p-1"))
    fronted = Container(platform_settings(storage_connection_string, sandbox, public_base_url="https://console.example",
                                          webhook_base_url="https://func-api.example"))  # fmt: skip
    assert (
        fronted.event_service.webhook_url(provider)
        == "https://func-api.example/api/webhooks/partner-center?provider=p-1"
    )
    direct = Container(platform_settings(storage_connection_string, sandbox, public_base_url="https://api.example"))
    assert direct.event_service.webhook_url(provider) == "https://api.example/api/webhooks/partner-center?provider=p-1"
