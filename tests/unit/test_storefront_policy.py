"""A storefront policy names only what the customer could buy in its own market (docs/api-guide.md#customers)."""

from __future__ import annotations

from shared.domain.storefront import StorefrontPolicy

US_ITEMS = frozenset({"A:0001:X:P1M:monthly", "B:0001:Y:P1Y:monthly"})


def test_every_named_item_of_the_market_is_accepted() -> None:
    assert StorefrontPolicy(allowed_catalog_item_ids=tuple(US_ITEMS)).items_outside(US_ITEMS) == []


def test_an_item_the_market_does_not_have_is_named_by_its_position() -> None:
    policy = StorefrontPolicy(allowed_catalog_item_ids=("A:0001:X:P1M:monthly", "NL:0001:Z:P1M:monthly",
                                                        "B:0001:Y:P1Y:monthly", "NOPE"))  # fmt: skip
    assert policy.items_outside(US_ITEMS) == [1, 3]


def test_a_policy_naming_no_items_names_none_outside() -> None:
    assert StorefrontPolicy(allowed_catalog_item_ids=None).items_outside(frozenset()) == []
    assert StorefrontPolicy(allowed_catalog_item_ids=()).items_outside(frozenset()) == []
