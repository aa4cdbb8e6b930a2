"""Partner Center's transport rules: bearer checks, app-only refusals, echoed ids, error and 429 shapes, faults."""

from __future__ import annotations

import uuid

import pytest
import requests

from local.sandbox.tokens import issue_service_token
from tests.sandbox.conftest import Provider
from tests.support.sandbox import RunningSandbox

APP_USER_ONLY = [
    "/profiles/mpn",
    "/profiles/organization",
    "/relationships?relationship_type=IsIndirectCloudSolutionProviderOf",
    "/customers/relationshiprequests",
]


def test_missing_token_is_401_with_www_authenticate(provider: Provider) -> None:
    response = provider.session.get(f"{provider.base}/profiles/legalbusiness", timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("OAuth realm=")
    assert {"code", "description", "data", "source"} <= set(response.json())


def test_expired_token_is_401(sandbox: RunningSandbox, provider: Provider) -> None:
    claims = {
        "aud": "https://api.partnercenter.microsoft.com",
        "tid": provider.tenant_id,
        "appid": provider.info["clientId"],
    }
    expired = issue_service_token(sandbox.state_dir, claims, lifetime_seconds=-60)
    response = provider.session.get(
        f"{provider.base}/profiles/legalbusiness", headers={"Authorization": f"Bearer {expired}"}, timeout=10
    )
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert "expired" in response.json()["description"]


def test_token_for_another_audience_is_401(sandbox: RunningSandbox, provider: Provider) -> None:
    claims = {"aud": "https://graph.microsoft.com", "tid": provider.tenant_id, "appid": provider.info["clientId"]}
    token = issue_service_token(sandbox.state_dir, claims)
    response = provider.session.get(
        f"{provider.base}/customers", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401


def test_app_only_token_reads_the_legal_business_profile(provider: Provider) -> None:
    response = provider.call("GET", "/profiles/legalbusiness?vettingVersion=Current", user=False)
    assert response.status_code == 200
    body = response.json()
    assert body["profileType"] == "LegalBusinessProfile" and body["attributes"]["objectType"] == "LegalBusinessProfile"


@pytest.mark.parametrize("path", APP_USER_ONLY)
def test_app_only_token_on_app_user_operation_is_403_900329(provider: Provider, path: str) -> None:
    response = provider.call("GET", path, user=False)
    assert response.status_code == 403
    assert response.json()["code"] == 900329
    assert provider.call("GET", path).status_code == 200


def test_mpn_profile_names_own_partner_id(provider: Provider) -> None:
    body = provider.call("GET", "/profiles/mpn").json()
    assert body["mpnId"] == provider.info["partnerId"] and body["attributes"]["objectType"] == "MpnProfile"
    organization = provider.call("GET", "/profiles/organization").json()
    assert organization["tenantId"] == provider.tenant_id


def test_unknown_mpn_id_is_404_code_3000(provider: Provider) -> None:
    response = provider.call("GET", "/profiles/mpn?mpnId=7777777")
    assert response.status_code == 404 and response.json()["code"] == 3000


def test_request_and_correlation_ids_are_echoed(provider: Provider) -> None:
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = provider.call(
        "GET", "/customers", headers={"MS-RequestId": request_id, "MS-CorrelationId": correlation_id}
    )
    assert response.headers["MS-RequestId"] == request_id
    assert response.headers["MS-CorrelationId"] == correlation_id


def test_throttled_answer_is_429_with_retry_after_and_its_own_body(provider: Provider) -> None:
    assert provider.control("PUT", "/faults", json={"rate429": 1, "seed": 1}).status_code == 200
    response = provider.call("GET", "/customers")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 0
    body = response.json()
    assert body["statusCode"] == 429 and body["message"].startswith("Rate limit is exceeded")
    assert "code" not in body


def test_token_endpoint_is_throttled_too(provider: Provider) -> None:
    provider.control("PUT", "/faults", json={"rate429": 1})
    result = provider.msal_app().acquire_token_for_client(scopes=["https://api.partnercenter.microsoft.com/.default"])
    assert "access_token" not in result


def test_server_error_fault_uses_the_error_shape(provider: Provider) -> None:
    provider.control("PUT", "/faults", json={"rate5xx": 1, "seed": 7})
    response = provider.call("GET", "/customers")
    assert response.status_code in (500, 503)
    assert {"code", "description", "data", "source"} <= set(response.json())


def test_faults_never_touch_control_routes(provider: Provider) -> None:
    provider.control("PUT", "/faults", json={"rate429": 1, "rate5xx": 1})
    assert provider.control("GET", "/clock").status_code == 200
    assert provider.control("PUT", "/faults", json={}).json()["rate429"] == 0
    assert provider.call("GET", "/customers").status_code == 200


def test_fault_rates_outside_zero_to_one_are_refused(provider: Provider) -> None:
    assert provider.control("PUT", "/faults", json={"rate429": 1.5}).status_code == 400


def test_drop_after_commit_makes_the_change_and_loses_the_answer(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    provider.control("PUT", "/faults", json={"dropAfterCommit": True})
    domain = f"drop{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    with pytest.raises(requests.ConnectionError):
        provider.call("POST", "/customers", json=_customer_body(domain, reseller["tenantId"]))
    provider.control("PUT", "/faults", json={})
    assert provider.call("HEAD", f"/domains/{domain}").status_code == 200


def test_pascal_case_bodies_are_accepted(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    domain = f"pascal{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    body = {
        "CompanyProfile": {"Domain": domain},
        "BillingProfile": {
            "Email": "a@b.example",
            "Culture": "nl-NL",
            "Language": "nl",
            "CompanyName": "Pascal B.V.",
            "DefaultAddress": {
                "Country": "NL",
                "City": "Utrecht",
                "AddressLine1": "Oudegracht 1",
                "PostalCode": "3511 AX",
            },
        },
        "AssociatedPartnerId": reseller["tenantId"],
    }
    response = provider.call("POST", "/customers", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["companyProfile"]["domain"] == domain and created["associatedPartnerId"] == reseller["tenantId"]


def _customer_body(domain: str, reseller_tenant_id: str | None) -> dict:
    body = {
        "companyProfile": {"domain": domain},
        "billingProfile": {
            "email": "finance@example.com",
            "culture": "nl-NL",
            "language": "nl",
            "companyName": "Contoso Bikes B.V.",
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
    if reseller_tenant_id:
        body["associatedPartnerId"] = reseller_tenant_id
    return body
