"""Markets and currencies through the running local stack: one reseller with customers in the US (USD), the
Netherlands (EUR) and Japan (JPY). Each customer's market is read from Partner Center, the first catalogs arrive
without a manual sync, orders are sold within the market, and a billing run totals every currency against an
independent sum of the sandbox's lines and finds every discrepancy planted in each currency."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import msal
import pytest
import requests

from tests.e2e.conftest import RunningStack, eventually, start_stack
from tests.e2e.test_billing_flow import KINDS, active_reseller, add_member, completed_run, control, ok, order
from tests.support.billing_expected import expected_discrepancies, expected_totals

pytestmark = pytest.mark.e2e

MARKETS = {"US": "USD", "NL": "EUR", "JP": "JPY"}
RESELLER_MARGIN, CUSTOMER_MARGIN = Decimal("0.10"), Decimal("0.20")


@pytest.fixture(scope="module")
def markets_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """CATALOG_MARKETS without Japan: the JP customer's market has to be brought in by the customer itself."""
    stack = start_stack(
        tmp_path_factory.mktemp("markets-stack"),
        CATALOG_MARKETS="US,NL",
        RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3",
        RELATIONSHIP_SWEEP_SCHEDULE="*/5 * * * * *",
    )
    stack.wait_for("ready: ")
    yield stack
    stack.stop()


def customer_in(
    stack: RunningStack, admin: requests.Session, provider: dict[str, Any], reseller: tuple[str, str], country: str
) -> tuple[str, str]:
    """A customer invited by domain whose billing profile (in Partner Center) is in `country`."""
    domain = f"mkt{uuid.uuid4().hex[:10]}.onmicrosoft.com"
    customer_id = ok(admin.post(f"{stack.api}/customer-invitations", json={
        "resellerId": reseller[0], "name": f"Customer {country} {domain[:8]}", "domain": domain,
        "contactEmail": "it@c.example"}))["customerId"]  # fmt: skip
    tenant = control(stack, "POST", "customers/accept", {
        "providerTenantId": provider["tenantId"], "resellerPartnerId": reseller[1], "domain": domain,
        "country": country})["tenantId"]  # fmt: skip
    eventually(lambda: admin.get(f"{stack.api}/customers/{customer_id}").json()["status"], lambda s: s == "active")
    return customer_id, tenant


def sellable_catalog(admin: requests.Session, api: str, country: str) -> list[dict[str, Any]]:
    """The market's monthly items with a cost, switched on for resellers."""
    items = eventually(
        lambda: ok(admin.get(f"{api}/catalog", params={"country": country, "limit": 500}))["items"],
        lambda found: len(found) > 0,
        timeout=120,
    )
    monthly = [i for i in items if i["billingCycle"] == "monthly" and i.get("price") is not None][:4]
    for item in monthly:
        ok(admin.put(f"{api}/catalog/items/{item['catalogItemId']}/sellable",
                     json={"sellable": True, "country": country}))  # fmt: skip
    return monthly


def test_customers_in_three_markets_buy_in_theirs_and_are_billed_in_their_currency(
    markets_stack: RunningStack,
) -> None:
    stack, api = markets_stack, markets_stack.api
    operator = stack.session(stack.wait_for("operator: "))
    app = control(stack, "GET", "provider")
    provider = ok(operator.post(f"{api}/providers", json={"name": "Contoso Europe", "partnerCenter": {
        "tenantId": app["tenantId"], "clientId": app["clientId"], "clientSecretRef": app["clientSecretRef"],
        "refreshTokenRef": app["refreshTokenRef"]}}), 201)  # fmt: skip
    provider["tenantId"] = app["tenantId"]
    admin = stack.session(add_member(operator, api, "provider", provider["id"], "provider.admin"))

    # The first catalogs: enrolling queued a sync of each market of CATALOG_MARKETS, nobody asked for one.
    catalogs = {country: sellable_catalog(admin, api, country) for country in ("US", "NL")}

    reseller = active_reseller(stack, admin, provider)
    staff = stack.session(add_member(admin, api, "reseller", reseller[0], "reseller.admin"))
    ok(admin.put(f"{api}/resellers/{reseller[0]}/pricing", json={"margin": str(RESELLER_MARGIN), "overrides": []}))
    staying: dict[str, str] = {}
    leaving: dict[str, tuple[str, str]] = {}
    for country, currency in MARKETS.items():
        staying[country] = customer_in(stack, admin, provider, reseller, country)[0]
        leaving[country] = customer_in(stack, admin, provider, reseller, country)
        for customer_id in (staying[country], leaving[country][0]):
            shown = ok(admin.get(f"{api}/customers/{customer_id}"))
            assert (shown["country"], shown["currency"]) == (country, currency), shown
            assert shown["marketReadAt"]
            ok(staff.put(f"{api}/customers/{customer_id}/pricing",
                         json={"margin": str(CUSTOMER_MARGIN), "overrides": []}))  # fmt: skip
    # Japan is not in CATALOG_MARKETS: the JP customers brought its catalog in.
    catalogs["JP"] = sellable_catalog(admin, api, "JP")
    assert {i["currency"] for i in catalogs["JP"]} == {"JPY"}

    # A sync without a market covers every market the provider sells in, and says so.
    synced = ok(admin.post(f"{api}/catalog/sync", json={}))
    assert synced["country"] is None and {m["country"] for m in synced["markets"]} == {"US", "NL", "JP"}

    # The catalog a reseller sees for a customer is that customer's market.
    for country, currency in MARKETS.items():
        seen = ok(staff.get(f"{api}/catalog", params={"customerId": staying[country], "limit": 500}))["items"]
        assert seen and {item["currency"] for item in seen} == {currency}
    other_market = staff.get(f"{api}/catalog", params={"customerId": staying["NL"], "country": "US"})
    assert other_market.status_code == 422, other_market.text

    # Selling within the market: a US item for the Dutch customer is refused with the field, nothing created.
    before = ok(staff.get(f"{api}/orders", params={"customerId": staying["NL"]}))["items"]
    us_item = catalogs["US"][0]
    refused = staff.post(f"{api}/orders", json={"customerId": staying["NL"], "lines": [{
        "catalogItemId": us_item["catalogItemId"], "quantity": 1, "termDuration": us_item["termDuration"],
        "billingCycle": us_item["billingCycle"]}]})  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "lines[0].catalogItemId" for e in refused.json()["errors"]), refused.text
    assert ok(staff.get(f"{api}/orders", params={"customerId": staying["NL"]}))["items"] == before

    # Bypassing the platform, Partner Center itself refuses the US offer in a Dutch customer's cart.
    assert_partner_center_refuses(stack, app, leaving["NL"][1], us_item["catalogItemId"], reseller[1])

    # Orders in each market, each in its own catalog.
    orders = []
    for country in MARKETS:
        items = catalogs[country]
        orders.append(order(stack, staff, staying[country], [(items[n], q) for n, q in enumerate((3, 5, 7, 2))]))
        orders.append(order(stack, staff, leaving[country][0], [(items[0], 4)]))
    for order_id in orders:
        eventually(lambda o=order_id: staff.get(f"{api}/orders/{o}").json()["status"],
                   lambda s: s in ("completed", "failed", "partiallyCompleted"), timeout=180)  # fmt: skip
        assert staff.get(f"{api}/orders/{order_id}").json()["status"] == "completed"
    cost = {(country, i["catalogItemId"]): Decimal(i["price"]) for country, items in catalogs.items() for i in items}
    subscriptions = {}
    for country in MARKETS:
        for customer_id in (staying[country], leaving[country][0]):
            for sub in ok(staff.get(f"{api}/subscriptions", params={"customerId": customer_id, "limit": 500}))["items"]:
                subscriptions[sub["id"]] = SimpleNamespace(
                    id=sub["id"], customer_id=customer_id, reseller_id=reseller[0], country=country,
                    catalog_item_id=sub["catalogItemId"], quantity=sub["quantity"])  # fmt: skip
    assert len(subscriptions) == 15
    for country in MARKETS:
        control(stack, "POST", "relationships/end", {"providerTenantId": app["tenantId"],
                                                     "tenantId": leaving[country][1]})  # fmt: skip
        eventually(lambda c=country: admin.get(f"{api}/customers/{leaving[c][0]}").json()["status"],
                   lambda s: s == "ended", timeout=90)  # fmt: skip

    # A period with every kind of discrepancy planted in every currency.
    period = control(stack, "GET", "clock")["now"][:7]
    generated = control(stack, "POST", "reconciliation", {
        "providerTenantId": app["tenantId"], "period": period, "kind": "billed", "seed": 23,
        "discrepancies": [{"kind": kind, "count": 1, "currency": currency}
                          for kind in KINDS for currency in MARKETS.values()]})  # fmt: skip
    invoices = {entry["currency"]: entry["invoiceId"] for entry in generated["invoices"]}
    assert set(invoices) == set(MARKETS.values()), generated
    lines = control(stack, "GET", "reconciliation/lines", providerTenantId=app["tenantId"], period=period,
                    kind="billed", limit=1000)["items"]  # fmt: skip
    assert {line["currency"] for line in lines} == set(MARKETS.values())

    run = completed_run(stack, admin, period)
    assert run["counts"]["lines"] == generated["count"] == len(lines)
    assert {(i["invoiceId"], i["currency"]) for i in run["invoices"]} == {
        (invoice, currency) for currency, invoice in invoices.items()
    }

    def cost_of(sub_id: str) -> Decimal:
        sub = subscriptions[sub_id]
        return cost[(sub.country, sub.catalog_item_id)]

    resellers, customers = expected_totals(lines, subscriptions, cost_of, RESELLER_MARGIN, CUSTOMER_MARGIN)
    assert {(t["resellerId"], t["currency"]): Decimal(t["amount"]) for t in run["totals"]["resellers"]} == resellers
    assert {(t["customerId"], t["currency"]): Decimal(t["amount"]) for t in run["totals"]["customers"]} == customers
    assert run["totals"]["currency"] is None and run["totals"]["currencies"] == sorted(MARKETS.values())
    for entry in run["totals"]["byCurrency"]:
        currency = entry["currency"]
        assert Decimal(entry["resellers"]) == sum(a for (_, c), a in resellers.items() if c == currency)
        assert Decimal(entry["customers"]) == sum(a for (_, c), a in customers.items() if c == currency)
        assert Decimal(entry["providerCost"]) == sum(
            (Decimal(line["subtotal"]) for line in lines if line["currency"] == currency), Decimal(0)
        )
    for total in run["totals"]["customers"]:
        if total["currency"] == "JPY":
            assert "." not in total["amount"]  # yen has no minor unit

    found = ok(admin.get(f"{api}/billing/runs/{run['id']}/discrepancies", params={"limit": 500}))["items"]
    expected = expected_discrepancies(
        generated["discrepancies"], lines, lambda s: (cost_of(s), subscriptions[s].quantity),
        lambda s: MARKETS[subscriptions[s].country],
    )  # fmt: skip
    assert {(d["kind"], d["subscriptionId"]): Decimal(d["amount"]) for d in found} == expected
    assert {(d["kind"], d["currency"]) for d in found} == {(k, c) for k in KINDS for c in MARKETS.values()}

    # The customer sees its own total, in its own currency only.
    japanese = stack.session(add_member(admin, api, "customer", staying["JP"], "customer.admin"))
    own = ok(japanese.get(f"{api}/billing/runs/{run['id']}"))
    assert {t["currency"] for t in own["totals"]["customers"]} == {"JPY"}
    assert own["totals"]["currency"] == "JPY" and [e["currency"] for e in own["totals"]["byCurrency"]] == ["JPY"]
    lines_out = japanese.get(f"{api}/billing/runs/{run['id']}/lines", params={"format": "csv"})
    header, *rows = lines_out.text.splitlines()
    assert "currency" in header.split(",") and rows


def assert_partner_center_refuses(
    stack: RunningStack, app: dict[str, Any], customer_tenant: str, catalog_item_id: str, reseller_partner: str
) -> None:
    """A cart for a Dutch customer with a US offer, made straight against the sandbox with the provider's app."""
    ca = stack.data_dir / "partner-center-ca.pem"
    ca.write_text(app["caCertificatePem"])
    session = requests.Session()
    session.trust_env = False
    session.verify = str(ca)
    secret = (stack.data_dir / "secrets" / app["clientSecretRef"]).read_text()
    refresh = (stack.data_dir / "secrets" / app["refreshTokenRef"]).read_text()
    https = app["partnerCenterUrl"]
    msal_app = msal.ConfidentialClientApplication(
        app["clientId"], authority=f"{https}/{app['tenantId']}", client_credential=secret, validate_authority=False,
        instance_discovery=False, http_client=session,
    )  # fmt: skip
    token = msal_app.acquire_token_by_refresh_token(
        refresh, scopes=["https://api.partnercenter.microsoft.com/.default"]
    )
    assert "access_token" in token, token
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
    cart = session.post(f"{https}/v1/customers/{customer_tenant}/carts", headers=headers, timeout=60, json={
        "partnerOnRecordAttestationAccepted": True, "lineItems": [{
            "id": 0, "catalogItemId": catalog_item_id, "quantity": 1, "termDuration": "P1M", "billingCycle": "monthly",
            "participants": [{"key": "transaction_reseller", "value": reseller_partner}]}]})  # fmt: skip
    assert cart.status_code == 201, cart.text
    assert cart.json()["lineItems"][0]["error"]["errorCode"] == "catalog_item_id_is_not_valid"
    result = session.post(f"{https}/v1/customers/{customer_tenant}/carts/{cart.json()['id']}/checkout",
                          headers=headers, timeout=60).json()  # fmt: skip
    assert result["orders"] == [] and result["orderErrors"][0]["code"] == 800009
