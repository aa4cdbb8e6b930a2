"""The pricing routes: reseller and customer pricing read and replaced whole with ETags, validated before
anything changes, scoped, audited; default margins; and PATCH /api/customers/{id} carrying pricing fields."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from tests.integration.test_catalog_routes import World, build_world, priced_costs, rounded


@pytest.fixture(scope="module")
def world(client: TestClient, container: Container, sandbox: Any) -> World:
    return build_world(client, container, sandbox)


@pytest.fixture
def fresh(world: World) -> World:
    world.reset_pricing()
    return world


def reseller_pricing(world: World) -> str:
    return f"/api/resellers/{world.reseller_id}/pricing"


def customer_pricing(world: World, customer_id: str | None = None) -> str:
    return f"/api/customers/{customer_id or world.customer_id}/pricing"


def an_item(world: World) -> dict[str, Any]:
    return next(item for item in world.catalog(world.provider_staff) if item["cost"])


# -- reading and replacing ---------------------------------------------------------------------------------------------


def test_replacing_a_resellers_pricing_answers_what_was_stored_with_its_etag(fresh: World) -> None:
    world = fresh
    item = an_item(world)
    body = {"margin": "0.12", "overrides": [{"catalogItemId": item["catalogItemId"], "price": "7.50"}]}
    answer = world.put(world.provider_staff, reseller_pricing(world), body)
    assert answer.status_code == 200, answer.text
    stored = answer.json()
    assert stored["margin"] == "0.12"
    assert stored["overrides"] == [
        {"catalogItemId": item["catalogItemId"], "currency": item["currency"], "price": "7.50"}
    ]
    assert stored["updatedBy"] == world.provider_staff and stored["updatedAt"]
    read = world.get(world.provider_admin, reseller_pricing(world))
    assert read.status_code == 200 and read.json() == stored
    assert read.headers["ETag"] == answer.headers["ETag"]


def test_pricing_never_written_has_an_etag_from_its_first_read_and_the_first_write_can_be_conditional(
    fresh: World,
) -> None:
    world = fresh
    for path in (reseller_pricing(world), customer_pricing(world)):
        first = world.get(world.provider_admin, path)
        assert first.status_code == 200 and first.headers["ETag"], first.headers
        written = world.put(world.provider_admin, path, {"margin": "0.03"}, **{"If-Match": first.headers["ETag"]})
        assert written.status_code == 200, written.text
        assert written.headers["ETag"] != first.headers["ETag"]
        again = world.put(world.provider_admin, path, {"margin": "0.04"}, **{"If-Match": first.headers["ETag"]})
        assert again.status_code == 412  # the never-written version is gone once something is stored
        assert world.get(world.provider_admin, path).json()["margin"] == "0.03"


def test_a_stale_if_match_is_412_and_changes_nothing(fresh: World) -> None:
    world = fresh
    first = world.put(world.provider_admin, reseller_pricing(world), {"margin": "0.05"})
    etag = first.headers["ETag"]
    second = world.put(world.provider_admin, reseller_pricing(world), {"margin": "0.06"}, **{"If-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    stale = world.put(world.provider_admin, reseller_pricing(world), {"margin": "0.07"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert world.get(world.provider_admin, reseller_pricing(world)).json()["margin"] == "0.06"


def test_if_match_star_replaces_whatever_is_there(fresh: World) -> None:
    world = fresh
    answer = world.put(world.provider_admin, customer_pricing(world), {"margin": "0.30"}, **{"If-Match": "*"})
    assert answer.status_code == 200 and answer.json()["margin"] == "0.30"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"margin": "-0.9"}, "margin"),
        ({"margin": "11"}, "margin"),
        ({"margin": "twelve"}, "margin"),
        ({"margin": 0.12}, "margin"),
        ({"overrides": [{"catalogItemId": "{item}", "price": "-1.00"}]}, "overrides[0].price"),
        ({"overrides": [{"catalogItemId": "{item}", "price": "1.005"}]}, "overrides[0].price"),
        ({"overrides": [{"catalogItemId": "{item}", "price": 7.5}]}, "overrides[0].price"),
        ({"overrides": [{"catalogItemId": "no:such:item:P1M:monthly", "price": "1.00"}]}, "overrides[0].catalogItemId"),
        ({"overrides": [{"catalogItemId": "{item}", "price": "1.00", "currency": "EUR"}]}, "overrides[0].currency"),
        ({"margin": "0.1", "surprise": True}, "surprise"),
    ],
)
def test_bad_pricing_is_422_with_the_field_and_changes_nothing(fresh: World, body: dict[str, Any], field: str) -> None:
    world = fresh
    item_id = an_item(world)["catalogItemId"]
    body = {
        **body,
        "overrides": [
            {**o, "catalogItemId": o["catalogItemId"].replace("{item}", item_id)} for o in body.get("overrides", [])
        ],
    }
    world.put(world.provider_admin, reseller_pricing(world), {"margin": "0.02"})
    before = world.get(world.provider_admin, reseller_pricing(world))
    prices_before = world.prices(world.reseller_staff)
    for path in (reseller_pricing(world), customer_pricing(world)):
        answer = world.put(world.provider_admin, path, body)
        assert answer.status_code == 422, answer.text
        assert field in {error["field"] for error in answer.json()["errors"]}
    after = world.get(world.provider_admin, reseller_pricing(world))
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    assert world.prices(world.reseller_staff) == prices_before


def test_every_problem_in_a_body_is_reported_at_once(fresh: World) -> None:
    world = fresh
    item_id = an_item(world)["catalogItemId"]
    body = {
        "margin": "99",
        "overrides": [
            {"catalogItemId": item_id, "price": "-2"},
            {"catalogItemId": "no:such:item:P1M:monthly", "price": "1"},
        ],
    }
    errors = world.put(world.provider_admin, customer_pricing(world), body).json()["errors"]
    assert {e["field"] for e in errors} == {"margin", "overrides[0].price", "overrides[1].catalogItemId"}


# -- scope -------------------------------------------------------------------------------------------------------------


def test_another_resellers_customer_pricing_is_404(world: World) -> None:
    path = customer_pricing(world, world.other_customer_id)
    assert world.get(world.reseller_staff, path).status_code == 404
    assert world.put(world.reseller_staff, path, {"margin": "0.5"}).status_code == 404
    assert world.get(world.other_provider_admin, customer_pricing(world)).status_code == 404
    assert world.put(world.other_reseller_staff, customer_pricing(world), {"margin": "0.5"}).status_code == 404


def test_a_reseller_neither_reads_nor_sets_what_it_pays(world: World) -> None:
    assert world.get(world.reseller_admin, reseller_pricing(world)).status_code == 403
    assert world.put(world.reseller_admin, reseller_pricing(world), {"margin": "-0.4"}).status_code == 403
    assert world.get(world.reseller_staff, f"/api/resellers/{world.other_reseller_id}/pricing").status_code == 404
    assert world.get(world.customer_admin, reseller_pricing(world)).status_code == 404


def test_a_customer_admin_cannot_set_its_own_prices(world: World) -> None:
    assert world.get(world.customer_admin, customer_pricing(world)).status_code == 403
    assert world.put(world.customer_admin, customer_pricing(world), {"margin": "-0.4"}).status_code == 403
    assert world.put(world.operator, customer_pricing(world), {"margin": "0.1"}).status_code == 403


def test_the_customers_reseller_staff_set_its_prices(fresh: World) -> None:
    world = fresh
    answer = world.put(world.reseller_staff, customer_pricing(world), {"margin": "0.15"})
    assert answer.status_code == 200 and answer.json()["margin"] == "0.15"
    assert world.get(world.reseller_admin, customer_pricing(world)).json()["margin"] == "0.15"


def test_pricing_changes_are_audited_with_before_and_after(fresh: World) -> None:
    world = fresh
    world.put(world.reseller_staff, customer_pricing(world), {"margin": "0.15"})
    world.put(world.reseller_staff, customer_pricing(world), {"margin": "0.16"})
    entries = world.get(world.provider_admin, "/api/audit", entityId=world.customer_id).json()["items"]
    latest = next(e for e in entries if e["action"] == "customerPricing.replaced")
    assert latest["before"]["margin"] == "0.15" and latest["after"]["margin"] == "0.16"
    assert latest["actorId"] == world.reseller_staff


# -- default margins ---------------------------------------------------------------------------------------------------


def test_default_margins_apply_until_a_buyer_has_its_own(fresh: World) -> None:
    world = fresh
    costs = priced_costs(world)
    item_id, cost = next(iter(costs.items()))
    set_provider = world.put(
        world.provider_admin, f"/api/providers/{world.provider_id}/default-margin", {"margin": "0.20"}
    )
    assert set_provider.status_code == 200 and set_provider.json()["margin"] == "0.20"
    assert (
        world.put(
            world.reseller_admin, f"/api/resellers/{world.reseller_id}/default-margin", {"margin": "0.10"}
        ).status_code
        == 200
    )
    assert world.prices(world.reseller_staff)[item_id] == rounded(cost * Decimal("1.20"))
    assert world.prices(world.other_reseller_staff)[item_id] == rounded(cost * Decimal("1.20"))
    assert world.prices(world.customer_admin)[item_id] == rounded(cost * Decimal("1.20") * Decimal("1.10"))

    world.put(world.provider_admin, reseller_pricing(world), {"margin": "0.05"})
    world.put(world.reseller_admin, customer_pricing(world), {"margin": "0"})
    assert world.prices(world.reseller_staff)[item_id] == rounded(cost * Decimal("1.05"))
    assert world.prices(world.customer_admin)[item_id] == rounded(cost * Decimal("1.05"))
    assert world.prices(world.other_reseller_staff)[item_id] == rounded(cost * Decimal("1.20"))


def test_default_margins_are_set_by_the_right_roles_only(fresh: World) -> None:
    world = fresh
    provider_path = f"/api/providers/{world.provider_id}/default-margin"
    reseller_path = f"/api/resellers/{world.reseller_id}/default-margin"
    assert world.put(world.provider_staff, provider_path, {"margin": "0.3"}).status_code == 403
    assert world.put(world.reseller_admin, provider_path, {"margin": "0.3"}).status_code == 404
    assert world.put(world.other_provider_admin, provider_path, {"margin": "0.3"}).status_code == 404
    assert world.put(world.reseller_staff, reseller_path, {"margin": "0.3"}).status_code == 403
    assert world.put(world.other_reseller_staff, reseller_path, {"margin": "0.3"}).status_code == 404
    assert world.put(world.customer_admin, reseller_path, {"margin": "0.3"}).status_code == 404
    assert world.put(world.provider_admin, provider_path, {"margin": "50"}).status_code == 422
    assert world.get(world.provider_staff, provider_path).json()["margin"] is None
    assert world.put(world.provider_staff, reseller_path, {"margin": "0.3"}).status_code == 200
    assert world.get(world.reseller_staff, reseller_path).json()["margin"] == "0.3"
    entries = world.get(world.provider_admin, "/api/audit", entityId=world.reseller_id).json()["items"]
    assert any(e["action"] == "resellerDefaultMargin.replaced" for e in entries)


# -- PATCH /api/customers/{id} -----------------------------------------------------------------------------------------


def test_patching_a_customers_margin_keeps_its_overrides(fresh: World) -> None:
    world = fresh
    item_id = an_item(world)["catalogItemId"]
    world.put(
        world.reseller_staff,
        customer_pricing(world),
        {"margin": "0.10", "overrides": [{"catalogItemId": item_id, "price": "3.00"}]},
    )
    patched = world.client.patch(
        f"/api/customers/{world.customer_id}", headers=world.headers(world.reseller_staff), json={"margin": "0.40"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["id"] == world.customer_id
    stored = world.get(world.reseller_staff, customer_pricing(world)).json()
    assert stored["margin"] == "0.40" and [o["price"] for o in stored["overrides"]] == ["3.00"]
    assert world.prices(world.customer_admin)[item_id] == "3.00"


def test_a_patch_with_bad_pricing_changes_nothing_at_all(fresh: World) -> None:
    world = fresh
    before = world.get(world.provider_admin, f"/api/customers/{world.customer_id}").json()
    patched = world.client.patch(
        f"/api/customers/{world.customer_id}",
        headers=world.headers(world.provider_admin),
        json={"storefrontEnabled": not before["storefrontEnabled"], "margin": "-3"},
    )
    assert patched.status_code == 422
    assert world.get(world.provider_admin, f"/api/customers/{world.customer_id}").json() == before
    assert world.get(world.provider_admin, customer_pricing(world)).json()["margin"] is None


def test_a_patch_without_pricing_fields_leaves_pricing_alone(fresh: World) -> None:
    world = fresh
    world.put(world.provider_admin, customer_pricing(world), {"margin": "0.22"})
    patched = world.client.patch(
        f"/api/customers/{world.customer_id}",
        headers=world.headers(world.provider_admin),
        json={"storefrontEnabled": False},
    )
    assert patched.status_code == 200
    assert world.get(world.provider_admin, customer_pricing(world)).json()["margin"] == "0.22"


def test_a_patch_of_another_resellers_customer_is_404(world: World) -> None:
    answer = world.client.patch(
        f"/api/customers/{world.other_customer_id}", headers=world.headers(world.reseller_staff), json={"margin": "0.1"}
    )
    assert answer.status_code == 404


def test_the_pricing_routes_are_in_the_openapi_document(world: World) -> None:
    paths = world.client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/resellers/{reseller_id}/pricing", "/api/customers/{customer_id}/pricing"):
        assert {"get", "put"} <= set(paths[path])
        assert "412" in paths[path]["put"]["responses"]
    assert "put" in paths["/api/providers/{provider_id}/default-margin"]


def test_of_two_writers_holding_the_same_etag_only_one_wins(fresh: World) -> None:
    world = fresh
    etag = world.put(world.provider_admin, customer_pricing(world), {"margin": "0.01"}).headers["ETag"]

    def write(margin: str) -> int:
        answer = world.put(world.provider_admin, customer_pricing(world), {"margin": margin}, **{"If-Match": etag})
        return int(answer.status_code)

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(write, ["0.02", "0.03", "0.04", "0.05"]))
    assert statuses == [200, 412, 412, 412]
    stored = world.get(world.provider_admin, customer_pricing(world)).json()["margin"]
    assert stored in {"0.02", "0.03", "0.04", "0.05"}


def test_the_audit_trail_keeps_prices_from_the_organisation_they_were_set_for(fresh: World) -> None:
    """docs/api-guide.md#answers: what the provider charges a reseller is not in the reseller's audit trail, nor
    what the reseller charges a customer in the customer's; both stay readable above them."""
    world = fresh
    assert world.put(world.provider_staff, reseller_pricing(world), {"margin": "0.07"}).status_code == 200
    assert world.put(world.reseller_staff, customer_pricing(world), {"margin": "0.15"}).status_code == 200

    def actions(who: str, entity_id: str) -> list[str]:
        answer = world.get(who, "/api/audit", entityId=entity_id)
        return [e["action"] for e in answer.json()["items"]] if answer.status_code == 200 else [str(answer.status_code)]

    assert "resellerPricing.replaced" in actions(world.provider_admin, world.reseller_id)
    assert "resellerPricing.replaced" not in actions(world.reseller_admin, world.reseller_id)
    assert "customerPricing.replaced" in actions(world.reseller_admin, world.customer_id)
    assert "customerPricing.replaced" not in actions(world.customer_admin, world.customer_id)
    feed = world.get(world.reseller_admin, "/api/audit").json()["items"]
    assert all(e["entityType"] != "resellerPricing" for e in feed)
