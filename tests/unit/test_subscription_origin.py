"""Which catalog item a subscription was bought as, and whether an order of ours bought it (pure rules)."""

from __future__ import annotations

from decimal import Decimal

from shared.domain.catalog import catalog_item_id_of_offer, make_catalog_item_id
from shared.domain.orders import LinePrices, LineStatus, OrderLine, line_that_bought

OFFER = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


def test_a_subscriptions_offer_term_and_cycle_name_its_catalog_item() -> None:
    assert catalog_item_id_of_offer(OFFER, "p1y", "Monthly") == make_catalog_item_id(
        "CFQ7TTC0LH18", "0001", "CFQ7TTC0K971", "P1Y", "monthly"
    )
    assert catalog_item_id_of_offer(OFFER, "P1Y", "monthly") == f"{OFFER}:P1Y:monthly"


def test_an_offer_of_another_shape_names_no_catalog_item() -> None:
    assert catalog_item_id_of_offer("legacy-offer-guid", "P1Y", "monthly") is None
    assert catalog_item_id_of_offer("A::B", "P1Y", "monthly") is None
    assert catalog_item_id_of_offer(OFFER, "", "monthly") is None
    assert catalog_item_id_of_offer(OFFER, "P1M", "") is None


def _line(number: int, **fields: object) -> OrderLine:
    base: dict[str, object] = {
        "number": number, "catalog_item_id": f"{OFFER}:P1Y:monthly", "offer_id": OFFER, "title": "M365",
        "quantity": 3, "term_duration": "P1Y", "billing_cycle": "monthly",
        "prices": LinePrices("USD", Decimal("1"), Decimal("2"), Decimal("3")),
    }  # fmt: skip
    base.update(fields)
    return OrderLine(**base)  # type: ignore[arg-type]


def test_the_line_that_names_the_subscription_bought_it() -> None:
    named = _line(1, subscription_id="SUB-1", status=LineStatus.PROVISIONED, catalog_item_id="named")
    other = _line(2, partner_center_order_id="pc-1")
    found = line_that_bought([other, named], subscription_id="sub-1", partner_center_order_id="pc-1",
                             offer_id=OFFER, term_duration="P1Y", billing_cycle="monthly")  # fmt: skip
    assert found is named


def test_before_provisioning_recorded_it_the_partner_center_order_and_offer_find_the_line() -> None:
    monthly = _line(1, partner_center_order_id="PC-1")
    annual = _line(2, partner_center_order_id="PC-1", billing_cycle="annual", catalog_item_id="annual")
    found = line_that_bought([monthly, annual], subscription_id="sub-9", partner_center_order_id="pc-1",
                             offer_id=OFFER.lower(), term_duration="P1Y", billing_cycle="annual")  # fmt: skip
    assert found is annual


def test_a_subscription_no_order_of_ours_bought_has_no_line() -> None:
    lines = [_line(1, partner_center_order_id="pc-1"), _line(2, subscription_id="sub-2")]
    assert line_that_bought(lines, subscription_id="sub-3", partner_center_order_id="pc-2", offer_id=OFFER,
                            term_duration="P1Y", billing_cycle="monthly") is None  # fmt: skip
    assert line_that_bought(lines, subscription_id="sub-3", partner_center_order_id=None, offer_id=OFFER,
                            term_duration="P1Y", billing_cycle="monthly") is None  # fmt: skip
