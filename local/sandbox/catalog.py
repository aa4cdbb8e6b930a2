"""A realistic slice of the new-commerce license catalog, with a price table per market."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Term:
    """One commitment the availability offers; a purchase must name one of these pairs."""

    duration: str
    billing_cycle: str

    @property
    def id(self) -> str:
        return f"{self.duration.lower()}-{self.billing_cycle.lower()}"

    @property
    def description(self) -> str:
        length = {"P1M": "One-Month", "P1Y": "One-Year", "P3Y": "Three-Year"}[self.duration]
        if self.billing_cycle == "None":
            return f"{length} trial"
        cycle = {"Monthly": "monthly", "Annual": "yearly", "Triennial": "triennial"}[self.billing_cycle]
        return f"{length} commitment for {cycle} billing"


@dataclass(frozen=True)
class Sku:
    """A product's SKU with its single new-commerce availability."""

    product_id: str
    product_title: str
    product_description: str
    sku_id: str
    availability_id: str
    minimum_quantity: int
    maximum_quantity: int
    terms: tuple[Term, ...]
    usd_price: Decimal
    eur_price: Decimal
    is_addon: bool = False
    prerequisite_skus: tuple[str, ...] = ()
    trial_of: str | None = None  # a trial's paid offer ("product:sku"): the one it converts to
    upgrades_to: tuple[str, ...] = ()  # "product:sku" of the offers a subscription may transition to

    @property
    def is_trial(self) -> bool:
        return self.trial_of is not None

    @property
    def key(self) -> str:
        """ "product:sku", as prerequisites, upgrade paths and trials name SKUs."""
        return f"{self.product_id}:{self.sku_id}"

    @property
    def catalog_item_id(self) -> str:
        """The SKU's identity in this sandbox (the euro markets' id); keys price changes and retirements."""
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    def availability_in(self, country: str) -> str:
        """The availability id in one market: availabilities are per market, so an offer of one market is not
        a valid catalog item in another (the sandbox's choice, so that a wrong-market purchase is refused;
        whether Microsoft reuses availability ids across markets is (unconfirmed))."""
        zone = MARKETS[country.upper()].zone if country.upper() in MARKETS else ""
        if zone == "EU":
            return self.availability_id
        digest = hashlib.sha256(f"{self.availability_id}|{zone}".encode()).hexdigest().upper()
        return f"{self.availability_id[:8]}{digest[:4]}"

    def catalog_item_in(self, country: str) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_in(country)}"


@dataclass(frozen=True)
class Market:
    country: str
    currency: str
    symbol: str
    zone: str  # markets of one zone share availability ids
    culture: str
    language: str
    city: str
    address_line1: str
    postal_code: str
    state: str | None = None


MARKETS: dict[str, Market] = {
    "US": Market("US", "USD", "$", "US", "en-US", "en", "Redmond", "1 Microsoft Way", "98052", "WA"),
    "NL": Market("NL", "EUR", "€", "EU", "nl-NL", "nl", "Utrecht", "Oudegracht 100", "3511 AX"),
    "DE": Market("DE", "EUR", "€", "EU", "de-DE", "de", "München", "Walter-Gropius-Straße 5", "80807"),
    "JP": Market("JP", "JPY", "¥", "JP", "ja-JP", "ja", "Tokyo", "2-16-3 Konan, Minato-ku", "108-0075"),
}
_YEN_PER_DOLLAR = Decimal(150)  # the sandbox's JPY price list follows its USD one

_STANDARD = (Term("P1M", "Monthly"), Term("P1Y", "Monthly"), Term("P1Y", "Annual"))
_WITH_THREE_YEARS = (*_STANDARD, Term("P3Y", "Annual"), Term("P3Y", "Triennial"))
_TRIAL = (Term("P1M", "None"),)  # a one-month trial, free, billing cycle `none`

# Upgrade paths (immediate and scheduled transitions): Business Basic -> Standard -> Premium; the Business plans
# -> Microsoft 365 E3 -> E5; Office 365 E1 -> E3 -> Microsoft 365 E5. (unconfirmed) Microsoft publishes its upgrade
# matrix per offer; these follow its common paths.
_BASIC, _STANDARD_PLAN, _PREMIUM = "CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002"
_O365_E1, _O365_E3, _M365_E3, _M365_E5 = (
    "CFQ7TTC0LF8Q:0001",
    "CFQ7TTC0LF8R:0001",
    "CFQ7TTC0LFLZ:0001",
    ("CFQ7TTC0LFLX:0001"),
)


def _sku(
    product_id: str, title: str, description: str, availability_id: str, usd: str, eur: str, *,
    sku_id: str = "0001", maximum: int = 10000, terms: tuple[Term, ...] = _STANDARD, is_addon: bool = False,
    prerequisites: tuple[str, ...] = (), upgrades: tuple[str, ...] = (), trial_of: str | None = None,
) -> Sku:  # fmt: skip
    return Sku(
        product_id=product_id, product_title=title, product_description=description, sku_id=sku_id,
        availability_id=availability_id, minimum_quantity=1, maximum_quantity=maximum, terms=terms,
        usd_price=Decimal(usd), eur_price=Decimal(eur), is_addon=is_addon, prerequisite_skus=prerequisites,
        upgrades_to=upgrades, trial_of=trial_of,
    )  # fmt: skip


SKUS: tuple[Sku, ...] = (
    _sku("CFQ7TTC0LH18", "Microsoft 365 Business Basic", "Productivity apps and cloud services.",
         "CFQ7TTC0K971", "6.00", "5.60", maximum=300, upgrades=(_STANDARD_PLAN, _PREMIUM, _M365_E3)),
    _sku("CFQ7TTC0LDPB", "Microsoft 365 Business Standard", "Desktop apps, email and collaboration.",
         "CFQ7TTC0K5QW", "12.50", "11.70", maximum=300, upgrades=(_PREMIUM, _M365_E3)),
    _sku("CFQ7TTC0LCHC", "Microsoft 365 Business Premium", "Business Standard plus advanced security.",
         "CFQ7TTC0K5DR", "22.00", "20.60", sku_id="0002", maximum=300, upgrades=(_M365_E3,)),
    _sku("CFQ7TTC0LF8Q", "Office 365 E1", "Web and mobile Office apps, email and storage.",
         "CFQ7TTC0K8P1", "10.00", "9.40", upgrades=(_O365_E3,)),
    _sku("CFQ7TTC0LF8R", "Office 365 E3", "Office apps, email, storage and compliance.",
         "CFQ7TTC0K8P5", "23.00", "21.60", terms=_WITH_THREE_YEARS, upgrades=(_M365_E5,)),
    _sku("CFQ7TTC0LFLZ", "Microsoft 365 E3", "Office 365 E3 with Windows Enterprise and device management.",
         "CFQ7TTC0K8QD", "36.00", "33.70", terms=_WITH_THREE_YEARS, upgrades=(_M365_E5,)),
    _sku("CFQ7TTC0LFLX", "Microsoft 365 E5", "Microsoft 365 E3 with advanced security, voice and analytics.",
         "CFQ7TTC0K8QF", "57.00", "53.50", terms=_WITH_THREE_YEARS),
    _sku("CFQ7TTC0MBMD", "Microsoft Teams Enterprise", "Meetings, chat and calling for enterprises.",
         "CFQ7TTC0MBKN", "5.25", "5.00"),
    _sku("CFQ7TTC0LH16", "Exchange Online (Plan 1)", "Business email with a 50 GB mailbox.",
         "CFQ7TTC0K97F", "4.00", "3.70"),
    _sku("CFQ7TTC0LHWM", "Dynamics 365 Business Central Essentials", "Finance and operations for small businesses.",
         "CFQ7TTC0K9RB", "80.00", "65.60", terms=_WITH_THREE_YEARS),
    _sku("CFQ7TTC0LH0R", "Exchange Online Archiving for Exchange Online", "Archiving for Exchange Online mailboxes.",
         "CFQ7TTC0K9N8", "3.00", "2.80", is_addon=True, prerequisites=("CFQ7TTC0LH16:0001",)),
    # Trials: free for one month, at most 25 seats; they convert to their paid offer through a transition or
    # expire at the month's end (they never enter Extended Service Term).
    _sku("CFQ7TTC0LCHC", "Microsoft 365 Business Premium Trial", "A one-month trial of Business Premium.",
         "CFQ7TTC0TR5D", "0", "0", sku_id="0T01", maximum=25, terms=_TRIAL, trial_of=_PREMIUM),
    _sku("CFQ7TTC0LFLX", "Microsoft 365 E5 Trial", "A one-month trial of Microsoft 365 E5.",
         "CFQ7TTC0TR8Q", "0", "0", sku_id="0T01", maximum=25, terms=_TRIAL, trial_of=_M365_E5),
)  # fmt: skip

NCE_PRODUCT_TYPE = {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"}
_MONTHLY_ONLY_PREMIUM = Decimal("1.20")  # one-month terms cost 20% more than annual commitments


def find_sku(product_id: str, sku_id: str | None = None) -> Sku | None:
    for sku in SKUS:
        if sku.product_id.lower() == product_id.lower() and (sku_id is None or sku.sku_id == sku_id):
            return sku
    return None


def find_by_catalog_item_id(catalog_item_id: str, country: str | None = None) -> Sku | None:
    """The SKU a catalog item id names, in the given market only (or in any market when none is given)."""
    parts = catalog_item_id.split(":")
    if len(parts) != 3:
        return None
    sku = find_sku(parts[0], parts[1])
    if sku is None:
        return None
    countries = [country.upper()] if country else list(MARKETS)
    return sku if any(sku.availability_in(c).lower() == parts[2].lower() for c in countries) else None


def country_of_item(catalog_item_id: str) -> str | None:
    """The first market whose availability the id names (euro markets share ids: NL answers for them)."""
    sku = find_by_catalog_item_id(catalog_item_id)
    if sku is None:
        return None
    availability = catalog_item_id.split(":")[2].lower()
    return next(c for c in MARKETS if sku.availability_in(c).lower() == availability)


def find_term(sku: Sku, duration: str, billing_cycle: str) -> Term | None:
    for term in sku.terms:
        if term.duration.lower() == duration.lower() and term.billing_cycle.lower() == billing_cycle.lower():
            return term
    return None


def unit_price(sku: Sku, country: str, term: Term) -> Decimal:
    """The provider's cost for one license for one billing period of the term, in the market's currency."""
    market = MARKETS[country.upper()]
    if market.currency == "USD":
        monthly = sku.usd_price
    elif market.currency == "JPY":
        monthly = (sku.usd_price * _YEN_PER_DOLLAR).quantize(Decimal(1), ROUND_HALF_UP)
    else:
        monthly = sku.eur_price
    if term.duration == "P1M":
        digits = Decimal(1) if market.currency == "JPY" else Decimal("0.01")
        monthly = (monthly * _MONTHLY_ONLY_PREMIUM).quantize(digits, ROUND_HALF_UP)
    periods = {"Monthly": 1, "Annual": 12, "Triennial": 36, "None": 1}[term.billing_cycle]
    return monthly * periods


def find_key(key: str) -> Sku | None:
    """The SKU a "product:sku" key names."""
    product_id, _, sku_id = key.partition(":")
    return find_sku(product_id, sku_id) if sku_id else None


def transition_targets(sku: Sku) -> list[Sku]:
    """Where a subscription of this SKU may move: a trial to its paid offer, others along the upgrade paths."""
    keys = (sku.trial_of,) if sku.trial_of else sku.upgrades_to
    return [target for key in keys if (target := find_key(key)) is not None]


def price_table(country: str) -> list[dict[str, object]]:
    """Every purchasable (catalog item, term, billing cycle) of a market with its price: the price sheet's rows."""
    market = MARKETS[country.upper()]
    return [
        {
            "catalogItemId": sku.catalog_item_in(country),
            "productId": sku.product_id,
            "skuId": sku.sku_id,
            "availabilityId": sku.availability_in(country),
            "productTitle": sku.product_title,
            "termDuration": term.duration,
            "billingCycle": term.billing_cycle,
            "market": market.country,
            "currency": market.currency,
            "unitPrice": unit_price(sku, country, term),
        }
        for sku in SKUS
        for term in sku.terms
    ]


# Catalog changes made through the control route: price changes and retired offers, kept in the sandbox state as
# {"prices": {price_key: "7.50"}, "retired": {retire_key: timestamp}}; an empty mapping means the built-in catalog.
CatalogChanges = dict[str, dict[str, str]]
ANY_MARKET = "*"


def price_key(catalog_item_id: str, country: str, term: Term) -> str:
    return f"{catalog_item_id.upper()}|{country.upper()}|{term.duration}|{term.billing_cycle}"


def retire_key(catalog_item_id: str, country: str = ANY_MARKET) -> str:
    return f"{catalog_item_id.upper()}|{country.upper()}"


def current_unit_price(changes: CatalogChanges, sku: Sku, country: str, term: Term) -> Decimal:
    """The price the sheet lists now: a changed price if one was set for this market and term, else the base."""
    changed = (changes.get("prices") or {}).get(price_key(sku.catalog_item_id, country, term))
    return Decimal(changed) if changed is not None else unit_price(sku, country, term)


def is_offered(changes: CatalogChanges, sku: Sku, country: str) -> bool:
    """False once the SKU's availability was retired in that market (or everywhere)."""
    retired = changes.get("retired") or {}
    return retire_key(sku.catalog_item_id) not in retired and retire_key(sku.catalog_item_id, country) not in retired


def offered_skus(changes: CatalogChanges, country: str) -> list[Sku]:
    return [sku for sku in SKUS if is_offered(changes, sku, country)]


# Promotions ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Promotion:
    """A new-commerce promotion: a percentage off one SKU's listed terms in some markets, within seat limits.

    `first_purchase_only`: a customer may buy under it once (a subscription already bought under it refuses the
    next purchase), as Microsoft's "new customer" promotions do."""

    id: str
    name: str
    description: str
    product_id: str
    sku_id: str
    terms: tuple[Term, ...]
    discount_percent: Decimal
    countries: tuple[str, ...]
    start_date: str
    end_date: str
    minimum_quantity: int = 1
    maximum_quantity: int = 300
    first_purchase_only: bool = False

    def is_active(self, today: str) -> bool:
        """Between its start and end dates (inclusive), compared as ISO dates."""
        return self.start_date[:10] <= today <= self.end_date[:10]

    def applies_to(self, sku: Sku) -> bool:
        return sku.product_id.lower() == self.product_id.lower() and sku.sku_id == self.sku_id

    def covers(self, duration: str, billing_cycle: str) -> bool:
        return any(
            t.duration.lower() == duration.lower() and t.billing_cycle.lower() == billing_cycle.lower()
            for t in self.terms
        )


PROMOTIONS: tuple[Promotion, ...] = (
    Promotion("39NFJQT1Q5KL:0001:39NFJQT1Q5KL", "Microsoft 365 Business Basic annual 15% off",
              "15% off Microsoft 365 Business Basic on one-year terms.", "CFQ7TTC0LH18", "0001",
              (Term("P1Y", "Monthly"), Term("P1Y", "Annual")), Decimal(15), ("US", "NL", "DE", "JP"),
              "2024-01-01T00:00:00Z", "2035-12-31T23:59:59Z", minimum_quantity=1, maximum_quantity=300),
    Promotion("39NFJQT1Q5KL:0002:39NFJQT1Q5KL", "Microsoft 365 E3 three-year 20% off",
              "20% off Microsoft 365 E3 on three-year terms from 10 seats.", "CFQ7TTC0LFLZ", "0001",
              (Term("P3Y", "Annual"), Term("P3Y", "Triennial")), Decimal(20), ("US", "NL", "DE"),
              "2024-01-01T00:00:00Z", "2035-12-31T23:59:59Z", minimum_quantity=10, maximum_quantity=2400),
    Promotion("39NFJQT1Q5KL:0003:39NFJQT1Q5KL", "Microsoft Teams Enterprise first purchase 10% off",
              "10% off a customer's first Microsoft Teams Enterprise one-year subscription.", "CFQ7TTC0MBMD", "0001",
              (Term("P1Y", "Monthly"), Term("P1Y", "Annual")), Decimal(10), ("NL", "DE"),
              "2024-01-01T00:00:00Z", "2035-12-31T23:59:59Z", first_purchase_only=True),
    Promotion("39NFJQT1Q5KL:0004:39NFJQT1Q5KL", "Exchange Online (Plan 1) launch 25% off",
              "25% off Exchange Online (Plan 1); this promotion has ended.", "CFQ7TTC0LH16", "0001",
              (Term("P1Y", "Monthly"), Term("P1Y", "Annual")), Decimal(25), ("US", "NL", "DE", "JP"),
              "2024-01-01T00:00:00Z", "2024-06-30T23:59:59Z"),
)  # fmt: skip


def find_promotion(promotion_id: str) -> Promotion | None:
    return next((p for p in PROMOTIONS if p.id.lower() == (promotion_id or "").lower()), None)


def promotional_price(price: Decimal, promotion: Promotion, country: str) -> Decimal:
    """The provider's cost under the promotion: the listed price less its percentage, at the currency's minor
    unit (whether Microsoft rounds the discounted unit price this way is (unconfirmed))."""
    digits = Decimal(1) if MARKETS[country.upper()].currency == "JPY" else Decimal("0.01")
    return (price * (Decimal(100) - promotion.discount_percent) / Decimal(100)).quantize(digits, ROUND_HALF_UP)
