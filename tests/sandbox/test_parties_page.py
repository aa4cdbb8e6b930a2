"""The sandbox's page for a person playing the other parties: the same acceptance as the control routes, from
plain HTML forms on the http port (what the console's invitation links lead a person to do)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import requests

from tests.sandbox.conftest import Provider
from tests.support.sandbox import RunningSandbox


def _post(sandbox: RunningSandbox, path: str, form: dict[str, str]) -> dict[str, list[str]]:
    """Posts the form like a browser and answers the outcome the page is sent back with."""
    answer = requests.post(f"{sandbox.http_url}/_sandbox/parties/{path}", data=form, allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    assert location.path == "/_sandbox/parties"
    return parse_qs(location.query)


def test_the_sandbox_home_leads_to_the_page_listing_each_provider(sandbox: RunningSandbox, provider: Provider) -> None:
    page = requests.get(f"{sandbox.http_url}/", timeout=30)
    assert page.status_code == 200 and page.url.endswith("/_sandbox/parties")
    assert "<h1>The other parties</h1>" in page.text
    assert f'<option value="{provider.tenant_id}">' in page.text


def test_a_reseller_accepts_on_the_page_and_partner_center_lists_it(
    sandbox: RunningSandbox, provider: Provider
) -> None:
    partner_id = str(uuid.uuid4().int % 9_000_000 + 1_000_000)
    outcome = _post(sandbox, "reseller-accepts", {"providerTenantId": provider.tenant_id, "partnerId": partner_id,
                                                  "name": "Fabrikam <b>IT</b>"})  # fmt: skip
    assert "accepted the provider's invitation" in outcome["done"][0]
    listed = provider.call("GET", "/relationships", params={"relationship_type": "IsIndirectCloudSolutionProviderOf"})
    assert partner_id in {r["mpnId"] for r in listed.json()["items"]}
    shown = requests.get(f"{sandbox.http_url}/_sandbox/parties", params=outcome, timeout=30).text
    assert "Fabrikam &lt;b&gt;IT&lt;/b&gt;" in shown and "<b>IT</b>" not in shown  # escaped, never markup


def test_a_customer_accepts_the_link_the_console_shows(sandbox: RunningSandbox, provider: Provider) -> None:
    reseller = provider.accept_reseller()
    link = provider.call("GET", "/customers/relationshiprequests",
                         params={"indirectResellerId": reseller["tenantId"]}).json()["url"]  # fmt: skip
    domain = f"wingtip{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    form = {"providerTenantId": provider.tenant_id, "url": link, "domain": domain, "country": "NL"}
    outcome = _post(sandbox, "customer-accepts", form)
    assert "accepted the relationship request" in outcome["done"][0], outcome
    customers = provider.call("GET", "/customers").json()["items"]
    found = [c for c in customers if c["companyProfile"]["domain"] == domain]
    assert len(found) == 1


def test_a_refused_acceptance_comes_back_with_the_reason_and_changes_nothing(
    sandbox: RunningSandbox, provider: Provider
) -> None:
    before = provider.call("GET", "/customers").json()["items"]
    outcome = _post(sandbox, "customer-accepts", {"providerTenantId": provider.tenant_id,
                    "url": "https://admin.microsoft.com/?invType=ResellerRelationship&partnerId=someone-else",
                    "domain": "x.onmicrosoft.com"})  # fmt: skip
    assert outcome["error"][0].startswith("Not accepted: the link does not name this provider")
    assert provider.call("GET", "/customers").json()["items"] == before
    bad_id = _post(sandbox, "reseller-accepts", {"providerTenantId": provider.tenant_id, "partnerId": "not-digits"})
    assert bad_id["error"][0].startswith("Not accepted: partnerId")
