"""Markets: a customer buys in the market of its billing profile's country and is billed in that market's
currency (Partner Center is per market). Pure: no I/O."""

from __future__ import annotations

# The currency Microsoft bills each CSP market in (Partner Center's "supported currencies by market" table, for the
# markets a provider is most likely to sell in; the catalog of a synced market names its currency too, and wins).
MARKET_CURRENCIES: dict[str, str] = {
    "AT": "EUR", "AU": "AUD", "BE": "EUR", "BR": "BRL", "CA": "CAD", "CH": "CHF", "CZ": "CZK", "DE": "EUR",
    "DK": "DKK", "ES": "EUR", "FI": "EUR", "FR": "EUR", "GB": "GBP", "IE": "EUR", "IN": "INR", "IT": "EUR",
    "JP": "JPY", "KR": "KRW", "LU": "EUR", "MX": "USD", "NL": "EUR", "NO": "NOK", "NZ": "NZD", "PL": "EUR",
    "PT": "EUR", "SE": "SEK", "US": "USD", "ZA": "USD",
}  # fmt: skip


def market_currency(country: str | None, catalog_currency: str | None = None) -> str | None:
    """The currency a market bills in: what its synced catalog says, else the known table, else unknown."""
    if catalog_currency:
        return catalog_currency.upper()
    return MARKET_CURRENCIES.get((country or "").upper())


def item_market_error(item_country: str, customer_country: str | None) -> str | None:
    """Why an item may not be sold to a customer of that market, or None when it may."""
    if not customer_country:
        return "the customer's market is not known yet: check its relationship first"
    if item_country.upper() != customer_country.upper():
        return (
            f"this item is sold in the {item_country.upper()} market; the customer buys in its own market "
            f"({customer_country.upper()})"
        )
    return None


__all__ = ["MARKET_CURRENCIES", "item_market_error", "market_currency"]
