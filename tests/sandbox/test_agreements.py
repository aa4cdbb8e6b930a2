"""The Microsoft Customer Agreement: metadata, attestations and the checkout rule, as Partner Center answers
(docs/partner-center.md#microsoft-customer-agreement)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import checkout, create_cart, line
from tests.sandbox.test_transport import _customer_body

MCA = "MicrosoftCustomerAgreement"


def _template(provider: Provider) -> dict[str, Any]:
    body = provider.call("GET", f"/agreements?agreementType={MCA}").json()
    assert body["totalCount"] == 1 and body["attributes"]["objectType"] == "Collection"
    return dict(body["items"][0])


def _attestation(template_id: str, **contact: Any) -> dict[str, Any]:
    return {
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "tania@wingtip.example", **contact},
        "dateAgreed": (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "type": MCA,
        "templateId": template_id,
    }


def _user_oid(provider: Provider) -> str:
    """The signed-in partner user the app+user token stands for."""
    return str(jwt.decode(provider.user_token, options={"verify_signature": False})["oid"])


def _created_customer(provider: Provider) -> tuple[str, dict[str, Any]]:
    reseller = provider.accept_reseller()
    domain = f"bikes{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    response = provider.call("POST", "/customers", json=_customer_body(domain, reseller["tenantId"]))
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), reseller


def test_agreement_metadata_names_the_template_and_its_link(provider: Provider) -> None:
    template = _template(provider)
    assert template["agreementType"] == MCA and template["agreementLink"].startswith("https://")
    assert uuid.UUID(template["templateId"]) and isinstance(template["versionRank"], int)
    both = provider.call("GET", "/agreements").json()["items"]
    assert {t["agreementType"] for t in both} == {MCA, "MicrosoftCloudAgreement"}
    refused = provider.call("GET", f"/agreements?agreementType={MCA}", user=False)
    assert refused.status_code == 403 and refused.json()["code"] == 900329


def test_a_created_customer_has_no_agreement_and_cannot_check_out(provider: Provider) -> None:
    customer_id, reseller = _created_customer(provider)
    assert provider.call("GET", f"/customers/{customer_id}/agreements").json()["items"] == []
    cart = create_cart(provider, customer_id, line(reseller=reseller["partnerId"]))
    refused = checkout(provider, customer_id, cart["id"])
    assert refused.status_code == 403
    assert refused.json()["code"] == 13605 and "Microsoft Customer Agreement" in refused.json()["description"]


def test_an_attested_acceptance_is_stored_and_lets_checkout_through(provider: Provider) -> None:
    customer_id, reseller = _created_customer(provider)
    template = _template(provider)
    body = _attestation(template["templateId"], phoneNumber="+31 20 123 4567")
    created = provider.call("POST", f"/customers/{customer_id}/agreements", json=body)
    assert created.status_code == 201, created.text
    agreement = created.json()
    assert agreement["primaryContact"] == body["primaryContact"] and agreement["type"] == MCA
    assert agreement["templateId"] == template["templateId"] and agreement["userId"] == _user_oid(provider)
    listed = provider.call("GET", f"/customers/{customer_id}/agreements?agreementType={MCA}").json()
    assert [a["primaryContact"]["email"] for a in listed["items"]] == ["tania@wingtip.example"]
    assert (
        provider.call("GET", f"/customers/{customer_id}/agreements?agreementType=MicrosoftCloudAgreement").json()[
            "items"
        ]
        == []
    )
    cart = create_cart(provider, customer_id, line(reseller=reseller["partnerId"]))
    assert checkout(provider, customer_id, cart["id"]).status_code == 201


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"templateId": str(uuid.uuid4())}, "template id"),
        ({"type": "MicrosoftCloudAgreement"}, "type"),
        ({"primaryContact": {"firstName": "Tania", "email": "tania@wingtip.example"}}, "lastName"),
        ({"primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "not-an-email"}}, "email"),
        ({"dateAgreed": (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")}, "future"),
        ({"dateAgreed": "yesterday"}, "dateAgreed"),
    ],
)
def test_an_invalid_attestation_is_refused_and_stores_nothing(
    provider: Provider, change: dict[str, Any], fragment: str
) -> None:
    customer_id, _ = _created_customer(provider)
    body = {**_attestation(_template(provider)["templateId"]), **change}
    refused = provider.call("POST", f"/customers/{customer_id}/agreements", json=body)
    assert refused.status_code == 400 and refused.json()["code"] == 2000
    assert fragment in refused.json()["description"]
    assert provider.call("GET", f"/customers/{customer_id}/agreements").json()["items"] == []


def test_the_same_contact_twice_is_600061_and_app_only_is_refused(provider: Provider) -> None:
    customer_id, _ = _created_customer(provider)
    body = _attestation(_template(provider)["templateId"])
    assert provider.call("POST", f"/customers/{customer_id}/agreements", json=body, user=False).json()["code"] == 900329
    assert provider.call("POST", f"/customers/{customer_id}/agreements", json=body).status_code == 201
    again = provider.call("POST", f"/customers/{customer_id}/agreements", json=body)
    assert again.status_code == 409 and again.json()["code"] == 600061
    other = _attestation(body["templateId"], email="ops@wingtip.example")
    assert provider.call("POST", f"/customers/{customer_id}/agreements", json=other).status_code == 201
    assert len(provider.call("GET", f"/customers/{customer_id}/agreements").json()["items"]) == 2


def test_an_unrelated_customer_is_20002(provider: Provider, new_provider: Any) -> None:
    customer_id, _ = _created_customer(provider)
    stranger = new_provider("Stranger")
    answer = stranger.call("GET", f"/customers/{customer_id}/agreements")
    assert answer.status_code == 403 and answer.json()["code"] == 20002


def test_accepting_a_relationship_request_accepts_the_agreement_unless_told_not_to(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    accepted = provider.accept_customer(reseller["partnerId"], domain=f"acc{uuid.uuid4().hex[:8]}.onmicrosoft.com")
    items = provider.call("GET", f"/customers/{accepted}/agreements").json()["items"]
    assert len(items) == 1 and items[0]["type"] == MCA and items[0]["primaryContact"]["email"].startswith("admin@")
    declined = provider.accept_customer(reseller["partnerId"], acceptAgreement=False)
    assert provider.call("GET", f"/customers/{declined}/agreements").json()["items"] == []
    cart = create_cart(provider, declined, line(reseller=reseller["partnerId"]))
    assert checkout(provider, declined, cart["id"]).json()["code"] == 13605
