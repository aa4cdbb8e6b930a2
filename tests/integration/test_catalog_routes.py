"""GET /api/catalog and the provider's catalog switches, through the app over a real Azurite and the sandbox's
Partner Center: each role sees its own buy price and nothing above it, paging and filters hold, sync and switches work
and are audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import commerce_setup
from tests.support.onboarding import Sandbox, new_domain, new_partner_id, work_queue
from tests.support.platform import member, new_id, user_token

COUNTRY = "US"
CENT = Decimal("0.01")


@dataclass
class World:
    """One provider with its US catalog synced, two resellers each with a customer, and a member for every role."""

    client: TestClient
    container: Container
    sandbox: Sandbox
    provider_id: str
    provider_tenant: str
    provider_admin: str
    provider_staff: str
    reseller_id: str
    reseller_admin: str
    reseller_staff: str
    customer_id: str
    customer_admin: str
    other_reseller_id: str
    other_reseller_staff: str
    other_customer_id: str
    other_provider_admin: str
    operator: str
    add_member: Callable[[OrgRef, Role], str]

    sandbox_running: Any

    def headers(self, user_id: str) -> dict[str, str]:
        return auth_header(self.sandbox_running, user_id)

    def get(self, user_id: str, path: str, **params: Any) -> Any:
        return self.client.get(path, headers=self.headers(user_id), params=params)

    def put(self, user_id: str, path: str, body: Any, **headers: str) -> Any:
        return self.client.put(path, headers={**self.headers(user_id), **headers}, json=body)

    def catalog(self, user_id: str, **params: Any) -> list[dict[str, Any]]:
        """Every page of the caller's catalog."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"country": COUNTRY, "limit": 500, **params}
        while True:
            answer = self.get(user_id, "/api/catalog", **query)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            items.extend(body["items"])
            if not body["continuationToken"]:
                return items
            query["continuationToken"] = body["continuationToken"]

    def prices(self, user_id: str) -> dict[str, str | None]:
        return {item["catalogItemId"]: item["price"] for item in self.catalog(user_id)}

    def reset_pricing(self) -> None:
        """No margins and no overrides anywhere: every tier pays its supplier's price."""
        for path in (f"/api/resellers/{self.reseller_id}/pricing", f"/api/customers/{self.customer_id}/pricing"):
            assert self.put(self.provider_admin, path, {"margin": None, "overrides": []}).status_code == 200
        assert (
            self.put(
                self.provider_admin, f"/api/providers/{self.provider_id}/default-margin", {"margin": None}
            ).status_code
            == 200
        )
        assert (
            self.put(
                self.provider_admin, f"/api/resellers/{self.reseller_id}/default-margin", {"margin": None}
            ).status_code
            == 200
        )


def auth_header(sandbox: Any, user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(sandbox, user_id)}"}


def member_adder(container: Container) -> Callable[[OrgRef, Role], str]:
    def add(org: OrgRef, role: Role) -> str:
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name=f"Test {org.org_type.value} {org.org_id[:8]}")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    return add


def another_reseller_with_customer(
    client: TestClient, headers: dict[str, str], container: Container, pc: Sandbox, provider_tenant: str
) -> tuple[str, str]:
    partner_id = new_partner_id()
    reseller_id = client.post(
        "/api/reseller-invitations",
        headers=headers,
        json={"partnerId": partner_id, "name": "Northwind IT", "contactEmail": "it@northwind.example"},
    ).json()["resellerId"]
    pc.reseller_accepts(provider_tenant, partner_id, name="Northwind IT")
    work_queue(
        container, lambda: client.get(f"/api/resellers/{reseller_id}", headers=headers).json()["status"] == "active"
    )
    domain = new_domain("other")
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller_id, "name": "Tailspin", "domain": domain, "contactEmail": "it@t.example"},
    ).json()["customerId"]
    pc.customer_accepts(provider_tenant, partner_id, domain=domain)
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] == "active"
    )
    return reseller_id, customer_id


def build_world(client: TestClient, container: Container, sandbox: Any) -> World:
    pc = Sandbox(sandbox)
    add_member = member_adder(container)
    setup = commerce_setup(client, lambda oid: auth_header(sandbox, oid), container, pc, add_member, country=COUNTRY)
    provider_id = setup["provider"]["id"]
    provider_org = OrgRef(OrgType.PROVIDER, provider_id)
    reseller_org = OrgRef(OrgType.RESELLER, setup["resellerId"], provider_id=provider_id)
    customer_org = OrgRef(
        OrgType.CUSTOMER, setup["customerId"], provider_id=provider_id, reseller_id=setup["resellerId"]
    )
    other_reseller_id, other_customer_id = another_reseller_with_customer(
        client, auth_header(sandbox, setup["providerAdmin"]), container, pc, setup["app"]["tenantId"]
    )
    other_provider = new_id("p-other-")
    return World(
        client=client,
        container=container,
        sandbox=pc,
        sandbox_running=sandbox,
        provider_id=provider_id,
        provider_tenant=setup["app"]["tenantId"],
        provider_admin=setup["providerAdmin"],
        provider_staff=add_member(provider_org, Role.PROVIDER_STAFF),
        reseller_id=setup["resellerId"],
        reseller_admin=add_member(reseller_org, Role.RESELLER_ADMIN),
        reseller_staff=setup["resellerStaff"],
        customer_id=setup["customerId"],
        customer_admin=add_member(customer_org, Role.CUSTOMER_ADMIN),
        other_reseller_id=other_reseller_id,
        other_reseller_staff=add_member(
            OrgRef(OrgType.RESELLER, other_reseller_id, provider_id=provider_id), Role.RESELLER_STAFF
        ),
        other_customer_id=other_customer_id,
        other_provider_admin=add_member(OrgRef(OrgType.PROVIDER, other_provider), Role.PROVIDER_ADMIN),
        operator=add_member(OrgRef.operator(), Role.OPERATOR),
        add_member=add_member,
    )


@pytest.fixture(scope="module")
def world(client: TestClient, container: Container, sandbox: Any) -> World:
    return build_world(client, container, sandbox)


@pytest.fixture
def fresh(world: World) -> World:
    """The world with every margin and override cleared, and every item sellable again."""
    world.reset_pricing()
    for item in world.catalog(world.provider_admin, sellable="false"):
        path = f"/api/catalog/items/{item['catalogItemId']}/sellable"
        assert world.put(world.provider_admin, path, {"sellable": True}).status_code == 200
    return world


def rounded(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def priced_costs(world: World) -> dict[str, Decimal]:
    return {i["catalogItemId"]: Decimal(i["cost"]) for i in world.catalog(world.provider_staff) if i["cost"]}


# -- prices per role ---------------------------------------------------------------------------------------------------


def test_each_role_sees_its_own_buy_price(fresh: World) -> None:
    world = fresh
    costs = priced_costs(world)
    assert costs, "the sandbox's price sheet priced the catalog"
    assert (
        world.put(world.provider_admin, f"/api/resellers/{world.reseller_id}/pricing", {"margin": "0.10"}).status_code
        == 200
    )
    assert (
        world.put(world.reseller_staff, f"/api/customers/{world.customer_id}/pricing", {"margin": "0.25"}).status_code
        == 200
    )

    provider = {i["catalogItemId"]: i for i in world.catalog(world.provider_staff)}
    reseller = world.prices(world.reseller_staff)
    customer = world.prices(world.customer_admin)
    for item_id, cost in costs.items():
        assert provider[item_id]["price"] == rounded(cost)
        assert reseller[item_id] == rounded(cost * Decimal("1.10"))
        assert customer[item_id] == rounded(cost * Decimal("1.10") * Decimal("1.25"))  # from the unrounded tier


def test_an_override_wins_over_the_margin_at_its_tier_only(fresh: World) -> None:
    world = fresh
    costs = priced_costs(world)
    overridden, other = sorted(costs)[:2]
    assert (
        world.put(
            world.provider_admin,
            f"/api/resellers/{world.reseller_id}/pricing",
            {"margin": "0.10", "overrides": [{"catalogItemId": overridden, "price": "7.50"}]},
        ).status_code
        == 200
    )
    assert (
        world.put(world.reseller_admin, f"/api/customers/{world.customer_id}/pricing", {"margin": "0.20"}).status_code
        == 200
    )

    reseller = world.prices(world.reseller_staff)
    customer = world.prices(world.customer_admin)
    assert reseller[overridden] == "7.50"
    assert reseller[other] == rounded(costs[other] * Decimal("1.10"))
    assert customer[overridden] == "9.00"  # the customer's margin applies over the reseller's fixed price


def test_a_reseller_never_sees_the_providers_cost(fresh: World) -> None:
    world = fresh
    world.put(world.provider_admin, f"/api/resellers/{world.reseller_id}/pricing", {"margin": "0.30"})
    costs = priced_costs(world)
    for caller in (world.reseller_staff, world.reseller_admin, world.customer_admin):
        for item in world.catalog(caller):
            assert {"cost", "sellable", "firstSeen", "retiredAt"}.isdisjoint(item), item
            if item["catalogItemId"] in costs:
                assert item["price"] != rounded(costs[item["catalogItemId"]])


def test_a_customer_never_sees_its_resellers_price(fresh: World) -> None:
    world = fresh
    world.put(world.provider_admin, f"/api/resellers/{world.reseller_id}/pricing", {"margin": "0.10"})
    world.put(world.reseller_staff, f"/api/customers/{world.customer_id}/pricing", {"margin": "0.50"})
    reseller = world.prices(world.reseller_staff)
    customer = world.prices(world.customer_admin)
    priced = [item_id for item_id, price in reseller.items() if price and Decimal(price) > 0]
    assert priced and all(customer[item_id] != reseller[item_id] for item_id in priced)


def test_another_resellers_prices_do_not_leak(fresh: World) -> None:
    world = fresh
    world.put(world.provider_admin, f"/api/resellers/{world.reseller_id}/pricing", {"margin": "0.40"})
    world.put(world.provider_admin, f"/api/resellers/{world.other_reseller_id}/pricing", {"margin": None})
    costs = priced_costs(world)
    other = world.prices(world.other_reseller_staff)
    assert all(other[item_id] == rounded(cost) for item_id, cost in costs.items())


# -- who may list ------------------------------------------------------------------------------------------------------


def test_the_operator_names_the_provider_and_sees_its_cost(world: World) -> None:
    missing = world.get(world.operator, "/api/catalog", country=COUNTRY)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["providerId"]
    named = world.get(world.operator, "/api/catalog", country=COUNTRY, providerId=world.provider_id, limit=5)
    assert named.status_code == 200 and all("cost" in item for item in named.json()["items"])
    unknown = world.get(world.operator, "/api/catalog", country=COUNTRY, providerId=new_id("p-none-"))
    assert unknown.status_code == 404


def test_naming_another_provider_is_404(world: World) -> None:
    for caller in (world.provider_staff, world.reseller_staff, world.customer_admin):
        answer = world.get(caller, "/api/catalog", country=COUNTRY, providerId=new_id("p-else-"))
        assert answer.status_code == 404


def test_a_provider_without_a_synced_market_has_an_empty_catalog(world: World) -> None:
    answer = world.get(world.other_provider_admin, "/api/catalog", country=COUNTRY)
    assert answer.status_code == 200 and answer.json() == {"items": [], "continuationToken": None}


def test_without_a_token_it_is_401_and_a_bad_or_missing_country_is_422(world: World) -> None:
    assert world.client.get("/api/catalog", params={"country": COUNTRY}).status_code == 401
    for answer in (world.get(world.provider_staff, "/api/catalog", country="USA"),
                   world.get(world.provider_staff, "/api/catalog")):  # fmt: skip
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["country"]


# -- paging and filters ------------------------------------------------------------------------------------------------


def test_paging_answers_every_item_once(world: World) -> None:
    everything = [item["catalogItemId"] for item in world.catalog(world.reseller_staff)]
    seen: list[str] = []
    query: dict[str, Any] = {"country": COUNTRY, "limit": 3}
    pages = 0
    while True:
        body = world.get(world.reseller_staff, "/api/catalog", **query).json()
        assert len(body["items"]) <= 3
        seen.extend(item["catalogItemId"] for item in body["items"])
        pages += 1
        if not body["continuationToken"]:
            break
        query["continuationToken"] = body["continuationToken"]
    assert pages > 1
    assert seen == everything and len(set(seen)) == len(seen)


def test_a_continuation_token_only_continues_its_own_query(world: World) -> None:
    first = world.get(world.reseller_staff, "/api/catalog", country=COUNTRY, limit=2).json()
    token = first["continuationToken"]
    assert token
    other_query = world.get(
        world.reseller_staff, "/api/catalog", country=COUNTRY, limit=2, termDuration="P1Y", continuationToken=token
    )
    other_caller = world.get(
        world.other_reseller_staff, "/api/catalog", country=COUNTRY, limit=2, continuationToken=token
    )
    assert other_query.status_code == other_caller.status_code == 400


def test_filters_narrow_the_listing(world: World) -> None:
    everything = world.catalog(world.reseller_staff)
    annual = world.catalog(world.reseller_staff, billingCycle="annual")
    yearly = world.catalog(world.reseller_staff, termDuration="P1Y")
    assert annual and all(item["billingCycle"] == "annual" for item in annual)
    assert yearly and all(item["termDuration"] == "P1Y" for item in yearly)
    assert len(annual) < len(everything) and len(yearly) < len(everything)

    family = everything[0]["productFamily"]
    in_family = world.catalog(world.reseller_staff, productFamily=family)
    assert in_family and all(item["productFamily"] == family for item in in_family)

    word = everything[0]["title"].split()[-1]
    found = world.catalog(world.reseller_staff, q=word.upper())
    assert found and all(word.lower() in (i["title"] + " " + i["skuTitle"]).lower() for i in found)
    assert world.catalog(world.reseller_staff, q="no-such-product-anywhere") == []


# -- switches ----------------------------------------------------------------------------------------------------------


def test_a_switched_off_item_is_hidden_below_the_provider(fresh: World) -> None:
    world = fresh
    item_id = world.catalog(world.provider_staff)[0]["catalogItemId"]
    switched = world.put(
        world.provider_admin, f"/api/catalog/items/{item_id}/sellable", {"sellable": False, "country": "us"}
    )
    assert switched.status_code == 200
    assert switched.json()["items"] == [
        {"catalogItemId": item_id, "country": COUNTRY, "sellable": False, "status": "active"}
    ]

    off = world.catalog(world.provider_staff, sellable="false")
    assert [item["catalogItemId"] for item in off] == [item_id] and off[0]["sellable"] is False
    assert item_id not in {i["catalogItemId"] for i in world.catalog(world.provider_staff, sellable="true")}
    assert item_id in {i["catalogItemId"] for i in world.catalog(world.provider_staff)}
    for caller in (world.reseller_staff, world.customer_admin):
        listed = world.catalog(caller, sellable="false", includeRetired="true")  # provider-only filters are ignored
        assert item_id not in {item["catalogItemId"] for item in listed}

    audit = world.get(world.provider_admin, "/api/audit", entityId=item_id).json()["items"]
    assert audit[0]["action"] == "catalogItem.sellableChanged"


def test_only_provider_admins_switch_items(fresh: World) -> None:
    world = fresh
    item_id = world.catalog(world.provider_staff)[0]["catalogItemId"]
    path = f"/api/catalog/items/{item_id}/sellable"
    assert world.put(world.provider_staff, path, {"sellable": False}).status_code == 403
    assert world.put(world.reseller_admin, path, {"sellable": False}).status_code == 403
    assert (
        world.put(
            world.provider_admin, "/api/catalog/items/no:such:item:P1M:monthly/sellable", {"sellable": False}
        ).status_code
        == 404
    )
    assert world.put(world.other_provider_admin, path, {"sellable": False}).status_code == 404
    assert world.put(world.provider_admin, path, {"sellable": "maybe"}).status_code == 422
    assert item_id in {i["catalogItemId"] for i in world.catalog(world.reseller_staff)}


def test_catalog_settings_are_read_by_staff_and_changed_by_admins(world: World) -> None:
    assert world.get(world.provider_staff, "/api/catalog/settings").json() == {
        "newItemsSellable": True,
        "promotionPassThrough": "1",
    }
    assert world.put(world.provider_staff, "/api/catalog/settings", {"newItemsSellable": False}).status_code == 403
    assert world.get(world.reseller_admin, "/api/catalog/settings").status_code == 403
    changed = world.put(world.provider_admin, "/api/catalog/settings", {"newItemsSellable": False})
    assert changed.status_code == 200 and changed.json()["newItemsSellable"] is False
    assert world.get(world.provider_staff, "/api/catalog/settings").json()["newItemsSellable"] is False
    audit = world.get(world.provider_admin, "/api/audit", entityId=world.provider_id).json()["items"]
    assert any(entry["action"] == "catalogSettings.changed" for entry in audit)
    world.put(world.provider_admin, "/api/catalog/settings", {"newItemsSellable": True})


def test_sync_now_answers_the_counts_and_keeps_the_switches(fresh: World) -> None:
    world = fresh
    item_id = world.catalog(world.provider_staff)[0]["catalogItemId"]
    world.put(world.provider_admin, f"/api/catalog/items/{item_id}/sellable", {"sellable": False})
    before = len(world.catalog(world.provider_staff))

    answer = world.client.post(
        "/api/catalog/sync", headers=world.headers(world.provider_staff), json={"country": COUNTRY}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["country"] == COUNTRY and result["priceSheet"] == "loaded"
    assert result["added"] == 0 and result["retired"] == 0
    assert result["unchanged"] + result["updated"] == before
    assert [i["catalogItemId"] for i in world.catalog(world.provider_staff, sellable="false")] == [item_id]
    audit = world.get(world.provider_admin, "/api/audit", entityId=f"{world.provider_id}|{COUNTRY}").json()
    assert audit["items"][0]["action"] == "catalog.synced"


def test_only_provider_staff_sync(world: World) -> None:
    for caller in (world.reseller_admin, world.customer_admin, world.operator):
        answer = world.client.post("/api/catalog/sync", headers=world.headers(caller), json={"country": COUNTRY})
        assert answer.status_code == 403
    bad = world.client.post("/api/catalog/sync", headers=world.headers(world.provider_staff), json={"country": "U1"})
    assert bad.status_code == 422


def test_the_catalog_routes_are_in_the_openapi_document(world: World) -> None:
    paths = world.client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/catalog",
        "/api/catalog/sync",
        "/api/catalog/settings",
        "/api/catalog/items/{catalog_item_id}/sellable",
    } <= set(paths)
    assert {p["name"] for p in paths["/api/catalog"]["get"]["parameters"]} >= {
        "country",
        "limit",
        "continuationToken",
        "productFamily",
        "termDuration",
        "billingCycle",
        "q",
        "includeRetired",
        "sellable",
        "providerId",
    }


def test_retired_items_are_shown_to_provider_staff_on_request_and_a_sync_brings_them_back(fresh: World) -> None:
    world = fresh
    item_id = world.catalog(world.provider_staff)[-1]["catalogItemId"]
    stored = world.container.catalog.get(world.provider_id, COUNTRY, item_id)
    world.container.catalog.retire(world.provider_id, [stored], now=datetime.now(UTC))  # as a sync that missed it

    assert item_id not in {i["catalogItemId"] for i in world.catalog(world.provider_staff)}
    retired = {i["catalogItemId"]: i for i in world.catalog(world.provider_staff, includeRetired="true")}
    assert retired[item_id]["status"] == "retired" and retired[item_id]["retiredAt"]
    for caller in (world.reseller_staff, world.customer_admin):
        assert item_id not in {i["catalogItemId"] for i in world.catalog(caller, includeRetired="true")}

    synced = world.client.post(
        "/api/catalog/sync", headers=world.headers(world.provider_admin), json={"country": COUNTRY.lower()}
    ).json()
    assert synced["reactivated"] == 1 and synced["country"] == COUNTRY
    assert item_id in {i["catalogItemId"] for i in world.catalog(world.reseller_staff)}


def test_the_markets_a_caller_can_read_are_listed(world: World) -> None:
    """The market picker: the provider's markets (CATALOG_MARKETS, then its customers'), a customer admin's own
    market alone; the operator names the provider."""
    expected = world.container.markets_of(world.provider_id)
    assert COUNTRY in expected
    for who in (world.provider_admin, world.provider_staff, world.reseller_staff):
        answer = world.get(who, "/api/catalog/markets")
        assert answer.status_code == 200 and answer.json() == {"items": expected}, answer.text
    own = world.container.customers.get(world.provider_id, world.customer_id).country
    assert world.get(world.customer_admin, "/api/catalog/markets").json() == {"items": [own.upper()]}
    assert world.get(world.operator, "/api/catalog/markets", providerId=world.provider_id).json()["items"] == expected
    assert world.get(world.operator, "/api/catalog/markets").status_code == 422
    assert world.get(world.operator, "/api/catalog/markets", providerId="p-nobody").status_code == 404
    assert world.get(world.reseller_staff, "/api/catalog/markets", providerId="p-nobody").status_code == 404
