"""Markets (docs/business.md#markets-and-currencies): a customer buys in its billing profile's market and is billed in
that market's currency."""

from __future__ import annotations

from shared.domain.markets import item_market_error, market_currency


def test_the_synced_catalog_names_the_markets_currency_before_the_table_does() -> None:
    assert market_currency("NL") == "EUR"
    assert market_currency("JP") == "JPY"
    assert market_currency("us") == "USD"
    assert market_currency("NL", "usd") == "USD"  # what Partner Center's catalog says wins


def test_an_unknown_market_has_no_currency_until_its_catalog_says() -> None:
    assert market_currency("ZZ") is None
    assert market_currency(None) is None
    assert market_currency("ZZ", "EUR") == "EUR"


def test_an_item_is_sold_only_in_its_own_market() -> None:
    assert item_market_error("NL", "nl") is None
    refused = item_market_error("US", "NL")
    assert refused is not None and "US" in refused and "NL" in refused


def test_a_customer_whose_market_is_unknown_cannot_be_sold_to_yet() -> None:
    refused = item_market_error("US", None)
    assert refused is not None and "not known" in refused
