"""What a new provider does, through the running local stack's HTTP API and the sandbox's control routes."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
import requests

from tests.e2e.conftest import RunningStack, eventually

pytestmark = pytest.mark.e2e


def partner_id() -> str:
    return str(random.randint(1_000_000, 6_999_999))


def control(stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = requests.request(method, f"{stack.sandbox}/_sandbox/{path}", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_a_new_provider_onboards_resellers_and_customers(onboarding_stack: RunningStack) -> None:
    stack = onboarding_stack
    operator = stack.session(stack.wait_for("operator: "))
    api = stack.api
    dev = control(stack, "GET", "provider")

    # The operator enrolls the development provider (both grants); a second app with a bad secret is refused.
    enrolled = operator.post(
        f"{api}/providers",
        json={
            "name": "Contoso Distribution",
            "partnerCenter": {
                "tenantId": dev["tenantId"],
                "clientId": dev["clientId"],
                "clientSecretRef": dev["clientSecretRef"],
                "refreshTokenRef": dev["refreshTokenRef"],
            },
        },
    )
    assert enrolled.status_code == 201, enrolled.text
    provider = enrolled.json()
    assert provider["status"] == "enrolled" and provider["partnerId"] == dev["partnerId"]
    other = control(stack, "POST", "providers", {"name": "Bad Secret Ltd"})
    refused = operator.post(
        f"{api}/providers",
        json={
            "name": "Bad Secret Ltd",
            "partnerCenter": {
                "tenantId": other["tenantId"],
                "clientId": other["clientId"],
                "clientSecretRef": dev["clientSecretRef"],
            },
        },
    )
    assert refused.status_code == 422
    assert [p["name"] for p in operator.get(f"{api}/providers").json()["items"]] == ["Contoso Distribution"]

    # A provider admin is added and invites a reseller, which accepts in Partner Center.
    admin_id = str(uuid.uuid4())
    assert (
        operator.post(
            f"{api}/members",
            json={"userId": admin_id, "orgType": "provider", "orgId": provider["id"], "role": "provider.admin"},
        ).status_code
        == 201
    )
    admin = stack.session(admin_id)
    reseller_partner = partner_id()
    invited = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": reseller_partner, "name": "Fabrikam IT", "contactEmail": "it@fabrikam.example"},
    )
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    reseller_id = invited.json()["resellerId"]
    control(stack, "POST", "resellers/accept", {"providerTenantId": dev["tenantId"], "partnerId": reseller_partner})
    reseller = eventually(lambda: admin.get(f"{api}/resellers/{reseller_id}").json(), lambda r: r["status"] == "active")
    assert reseller["tenantId"]

    # The provider invites a customer for that reseller; its admin accepts; it turns active.
    domain = f"wingtip{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    customer = admin.post(
        f"{api}/customer-invitations",
        json={
            "resellerId": reseller_id,
            "name": "Wingtip Bikes",
            "domain": domain,
            "contactEmail": "it@wingtip.example",
        },
    )
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["customerId"]
    tenant = control(
        stack,
        "POST",
        "customers/accept",
        {"providerTenantId": dev["tenantId"], "resellerPartnerId": reseller_partner, "domain": domain},
    )["tenantId"]
    eventually(lambda: admin.get(f"{api}/customers/{customer_id}").json(), lambda c: c["status"] == "active")

    # Another customer is created as a new tenant and turns active.
    prefix = f"contoso{uuid.uuid4().hex[:8]}"
    created = admin.post(
        f"{api}/customers",
        json={
            "resellerId": reseller_id,
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
        },
    )
    assert created.status_code == 202 and created.json()["status"] == "creating"
    new_id = created.json()["customerId"]
    eventually(lambda: admin.get(f"{api}/customers/{new_id}").json(), lambda c: c["status"] == "active")

    # A provider enrolled without a refresh token goes through consent and turns enrolled.
    later = control(stack, "POST", "providers", {"name": "Consent Later B.V."})
    pending = operator.post(
        f"{api}/providers",
        json={
            "name": "Consent Later B.V.",
            "partnerCenter": {
                "tenantId": later["tenantId"],
                "clientId": later["clientId"],
                "clientSecretRef": later["clientSecretRef"],
            },
        },
    )
    assert pending.status_code == 201 and pending.json()["status"] == "consentRequired"
    start = operator.get(f"{api}/providers/{pending.json()['id']}/consent", allow_redirects=False)
    assert start.status_code == 302
    back = requests.get(start.headers["Location"], allow_redirects=False, verify=stack.ca, timeout=10)
    done = requests.get(back.headers["Location"], timeout=30)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "enrolled" and done.json()["partnerId"] == later["partnerId"]

    # The customer ends its relationship in Partner Center; the sweep (every 5 s on this stack) marks it ended.
    control(stack, "POST", "relationships/end", {"providerTenantId": dev["tenantId"], "tenantId": tenant})
    eventually(lambda: admin.get(f"{api}/customers/{customer_id}").json(), lambda c: c["status"] == "ended")

    # An invitation left unanswered past its expiry (30 s on this stack) turns expired.
    silent = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": partner_id(), "name": "Silent Partner", "contactEmail": "s@silent.example"},
    ).json()
    eventually(
        lambda: admin.get(f"{api}/resellers/{silent['resellerId']}").json(),
        lambda r: r["status"] == "expired",
        timeout=90,
        interval=1,
    )
