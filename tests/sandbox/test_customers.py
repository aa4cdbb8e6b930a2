"""Resellers, relationship requests and customers behave as Partner Center's do (docs/partner-center.md#customers)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.conftest import Provider
from tests.sandbox.test_transport import _customer_body


def test_resellers_that_accepted_are_listed(provider: Provider) -> None:
    assert (
        provider.call("GET", "/relationships?relationship_type=IsIndirectCloudSolutionProviderOf").json()["items"] == []
    )
    reseller = provider.accept_reseller("4847383", "Fabrikam IT Services")
    body = provider.call("GET", "/relationships?relationship_type=IsIndirectCloudSolutionProviderOf").json()
    assert body["totalCount"] == 1 and body["attributes"]["objectType"] == "Collection"
    item = body["items"][0]
    assert item["id"] == reseller["tenantId"] and item["mpnId"] == "4847383" and item["state"] == "Active"
    assert item["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    assert item["attributes"]["objectType"] == "PartnerRelationship"


def test_ended_reseller_leaves_the_list(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    ended = provider.control(
        "POST", "/relationships/end", json={"providerTenantId": provider.tenant_id, "partnerId": reseller["partnerId"]}
    )
    assert ended.status_code == 200
    body = provider.call("GET", "/relationships?relationship_type=IsIndirectCloudSolutionProviderOf").json()
    assert body["items"] == []


def test_relationship_request_link_names_the_reseller_and_accepting_it_attaches_the_customer(
    provider: Provider,
) -> None:
    reseller = provider.accept_reseller()
    answer = provider.call("GET", f"/customers/relationshiprequests?indirectResellerId={reseller['tenantId']}").json()
    assert answer["attributes"]["objectType"] == "RelationshipRequest"
    query = parse_qs(urlsplit(answer["url"]).query)
    assert query["partnerId"] == [reseller["tenantId"]] and query["indirectCSPId"] == [provider.tenant_id]
    accepted = provider.control(
        "POST", "/customers/accept", json={"providerTenantId": provider.tenant_id, "url": answer["url"]}
    )
    customer_id = accepted.json()["tenantId"]
    relationships = provider.call("GET", f"/customers/{customer_id}/relationships").json()
    assert [r["id"] for r in relationships["items"]] == [reseller["tenantId"]]
    assert relationships["items"][0]["mpnId"] == reseller["partnerId"]
    listed = _list(provider, {"Field": "IndirectReseller", "Value": reseller["tenantId"], "Operator": "starts_with"})
    assert [c["id"] for c in listed] == [customer_id]


def test_relationship_request_for_an_unrelated_reseller_is_refused(provider: Provider) -> None:
    response = provider.call("GET", f"/customers/relationshiprequests?indirectResellerId={uuid.uuid4()}")
    assert response.status_code == 400


def test_customer_accepted_through_the_plain_link_has_no_indirect_partner(provider: Provider) -> None:
    customer_id = provider.accept_customer(None)
    assert provider.call("GET", f"/customers/{customer_id}/relationships").json()["items"] == []


def _list(provider: Provider, condition: dict | None = None, size: int = 50) -> list[dict]:
    params = {"size": size}
    if condition:
        params["filter"] = json.dumps(condition)
    response = provider.call("GET", "/customers", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_customer_list_is_seek_paged(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    created = [provider.accept_customer(reseller["partnerId"]) for _ in range(5)]
    first = provider.call("GET", "/customers?size=2").json()
    assert first["totalCount"] == 2 and first["continuationToken"]
    seen = [c["id"] for c in first["items"]]
    page = first
    while "next" in page.get("links", {}):
        following = page["links"]["next"]
        assert "seekOperation=Next" in following["uri"]
        header = {h["key"]: h["value"] for h in following["headers"]}
        assert header["MS-ContinuationToken"] == page["continuationToken"]
        page = provider.call("GET", following["uri"], headers=header).json()
        assert page["totalCount"] == len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
    assert sorted(seen) == sorted(created) and "continuationToken" not in page


def test_customer_list_items_have_the_short_shape(provider: Provider) -> None:
    provider.accept_customer(provider.accept_reseller()["partnerId"], companyName="Wingtip Bikes")
    item = _list(provider, {"Field": "CompanyName", "Value": "Wingtip", "Operator": "starts_with"})[0]
    assert item["companyProfile"]["companyName"] == "Wingtip Bikes"
    assert item["companyProfile"]["tenantId"] == item["id"]
    assert item["relationshipToPartner"] == "reseller" and item["attributes"]["objectType"] == "Customer"
    assert item["links"]["self"]["uri"] == f"/customers/{item['id']}"


def test_create_customer_for_a_related_reseller(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    domain = f"bikes{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    assert provider.call("HEAD", f"/domains/{domain}").status_code == 404
    response = provider.call("POST", "/customers", json=_customer_body(domain, reseller["tenantId"]))
    assert response.status_code == 201
    created = response.json()
    assert created["id"] == created["companyProfile"]["tenantId"]
    assert created["userCredentials"]["userName"] and created["userCredentials"]["password"]
    assert created["associatedPartnerId"] == reseller["tenantId"]
    assert provider.call("HEAD", f"/domains/{domain}").status_code == 200
    fetched = provider.call("GET", f"/customers/{created['id']}").json()
    assert "userCredentials" not in fetched and fetched["billingProfile"]["companyName"] == "Contoso Bikes B.V."
    listed = _list(provider, {"Field": "Domain", "Value": domain, "Operator": "starts_with"})
    assert [c["id"] for c in listed] == [created["id"]]


def test_create_customer_with_reseller_needs_app_user(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    body = _customer_body(f"app{uuid.uuid4().hex[:8]}.onmicrosoft.com", reseller["tenantId"])
    response = provider.call("POST", "/customers", json=body, user=False)
    assert response.status_code == 403 and response.json()["code"] == 900329


def test_create_customer_for_an_unrelated_reseller_is_refused(provider: Provider) -> None:
    body = _customer_body(f"x{uuid.uuid4().hex[:8]}.onmicrosoft.com", str(uuid.uuid4()))
    response = provider.call("POST", "/customers", json=body)
    assert response.status_code == 400 and {"code", "description"} <= set(response.json())


def test_create_customer_with_a_taken_domain_is_refused(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    domain = f"taken{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    assert provider.call("POST", "/customers", json=_customer_body(domain, reseller["tenantId"])).status_code == 201
    again = provider.call("POST", "/customers", json=_customer_body(domain, reseller["tenantId"]))
    assert again.status_code == 409 and "domain" in again.json()["description"].lower()


def test_ended_customer_vanishes_from_the_list_and_its_get_fails(provider: Provider) -> None:
    customer_id = provider.accept_customer(provider.accept_reseller()["partnerId"])
    assert provider.call("GET", f"/customers/{customer_id}").status_code == 200
    ended = provider.control(
        "POST", "/relationships/end", json={"providerTenantId": provider.tenant_id, "tenantId": customer_id}
    )
    assert ended.status_code == 200
    assert customer_id not in [c["id"] for c in _list(provider)]
    assert provider.call("GET", f"/customers/{customer_id}").status_code in (403, 404)


def test_customers_of_another_provider_are_invisible(provider: Provider, new_provider) -> None:  # noqa: ANN001
    customer_id = provider.accept_customer(provider.accept_reseller()["partnerId"])
    other = new_provider("Other Distribution")
    assert other.call("GET", f"/customers/{customer_id}").status_code == 403
    assert customer_id not in [c["id"] for c in _list(other)]
