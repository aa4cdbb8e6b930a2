"""Co-terming and add-ons through the API (docs/business.md#co-terming-and-add-ons): a line that ends with one of
the customer's subscriptions is bought with Partner Center's allowed end date and a prorated first cycle; an add-on
without its base is refused before any Partner Center call."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.coterm import first_cycle_fraction
from tests.integration.test_orders import item, line, place, purchases, settle
from tests.support.commerce import ready_shop
from tests.support.onboarding import Sandbox

ARCHIVING, EXCHANGE = "CFQ7TTC0LH0R:0001:", "CFQ7TTC0LH16:0001:"  # an add-on and its base


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, pc, sandbox)


def _of(shop: dict[str, Any], offer_prefix: str) -> Any:
    return next(i for i in shop["items"] if i.catalog_item_id.startswith(offer_prefix)
                and (i.term_duration, i.billing_cycle) == ("P1Y", "monthly"))  # fmt: skip


def _bought(client: TestClient, container: Container, shop: dict[str, Any], lines: list[dict[str, Any]]) -> dict:
    response = place(client, shop, lines)
    assert response.status_code == 202, response.text
    done = settle(client, container, shop, response.json()["id"])
    assert done["status"] == "completed", done
    return done


def test_a_line_ending_with_a_subscription_of_the_customer_is_bought_with_its_end_date_and_prorated(
    client: TestClient,
    container: Container,
    shop: dict[str, Any],
    pc: Sandbox,
) -> None:
    base = _bought(client, container, shop, [line(item(shop, "P1M", "monthly"), 2)])["lines"][0]["subscriptionId"]
    headers = shop["auth"](shop["resellerStaff"])
    base_end = client.get(f"/api/subscriptions/{base}", headers=headers).json()["termEndDate"]
    annual = item(shop, "P1Y", "annual")
    response = place(client, shop, [{**line(annual, 3), "coterminateWith": base}])
    assert response.status_code == 202, response.text
    [placed] = response.json()["lines"]
    ends = date.fromisoformat(base_end[:10])
    fraction = first_cycle_fraction(datetime.now(UTC).date(), ends, "annual")
    assert fraction < 1
    assert (placed["coterminateWith"], placed["customTermEndDate"]) == (base, ends.isoformat())
    customer_price = Decimal(placed["customerPrice"])
    assert Decimal(placed["customerPriceFirstCycle"]) == (Decimal(placed["customerPrice"]) * fraction).quantize(
        Decimal("0.01"), ROUND_HALF_UP) or customer_price == 0  # fmt: skip
    assert Decimal(placed["customerPriceTotal"]) == (customer_price * 3 * fraction).quantize(
        Decimal("0.01"), ROUND_HALF_UP)  # fmt: skip
    assert "providerCostFirstCycle" not in placed or placed["providerCostFirstCycle"] is None
    done = settle(client, container, shop, response.json()["id"])
    assert done["status"] == "completed", done
    [cart_line] = [p for p in purchases(pc, shop["tenantId"]) if p["orderId"]][-1:]
    assert cart_line["lineItems"][0]["subscriptionId"] == done["lines"][0]["subscriptionId"]
    bought = client.get(f"/api/subscriptions/{done['lines'][0]['subscriptionId']}", headers=headers).json()
    assert bought["termEndDate"][:10] == ends.isoformat()


@pytest.mark.parametrize("target", ["00000000-0000-0000-0000-000000000000", "not-ours"])
def test_a_line_ending_with_a_subscription_the_customer_does_not_hold_is_422(
    client: TestClient,
    shop: dict[str, Any],
    target: str,
) -> None:
    response = place(client, shop, [{**line(item(shop), 1), "coterminateWith": target}])
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "lines[0].coterminateWith" and "not a subscription of this customer" in error["message"]


def test_a_line_that_cannot_align_with_its_target_is_422(
    client: TestClient,
    container: Container,
    shop: dict[str, Any],
) -> None:
    yearly = _bought(client, container, shop, [line(item(shop, "P1Y", "monthly"), 1)])["lines"][0]["subscriptionId"]
    response = place(client, shop, [{**line(item(shop, "P1M", "monthly"), 1), "coterminateWith": yearly}])
    assert response.status_code == 422, response.text
    assert "no end date aligns" in response.json()["errors"][0]["message"]


def test_an_add_on_without_its_base_is_422_naming_the_base_and_is_sold_with_it(
    client: TestClient,
    container: Container,
    shop: dict[str, Any],
    pc: Sandbox,
) -> None:
    before = len(purchases(pc, shop["tenantId"]))
    addon, base = _of(shop, ARCHIVING), _of(shop, EXCHANGE)
    catalog = client.get("/api/catalog", params={"customerId": shop["customerId"], "productId": addon.product_id},
                         headers=shop["auth"](shop["resellerStaff"]))  # fmt: skip
    assert catalog.status_code == 200, catalog.text
    listed = [i for i in catalog.json()["items"] if i["catalogItemId"] == addon.catalog_item_id]
    assert listed and listed[0]["isAddon"] and listed[0]["prerequisiteSkus"] == ["CFQ7TTC0LH16:0001"]
    refused = place(client, shop, [line(addon, 1)])
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "lines[0].catalogItemId"
    assert "Exchange Online (Plan 1)" in error["message"] and "CFQ7TTC0LH16:0001" in error["message"]
    assert len(purchases(pc, shop["tenantId"])) == before
    together = _bought(client, container, shop, [line(addon, 1), line(base, 1)])
    assert [x["status"] for x in together["lines"]] == ["provisioned", "provisioned"]
