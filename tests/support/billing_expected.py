"""The billing tests' independent computation of what a run must produce, from the sandbox's own lines (shared by
the integration and end-to-end billing tests), and a check that it follows the rules on a hand-made line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
# Currencies without cents (ISO 4217 minor unit 0); written out here so the check does not trust the code it checks.
WHOLE_UNIT_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "HUF"})


def _round(amount: Decimal, currency: str = "EUR") -> Decimal:
    unit = Decimal(1) if currency in WHOLE_UNIT_CURRENCIES else CENT
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


def expected_totals(
    lines: list[dict[str, Any]],
    subscriptions: Mapping[str, Any],
    cost_of: Callable[[str], Decimal],
    reseller_margin: Decimal,
    customer_margin: Decimal,
) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], Decimal]]:
    """Per reseller and per customer: each of our subscriptions' lines priced at the tier's shown unit price (cost x
    (1 + margin), unrounded between tiers, rounded where shown) x quantity, prorated as Microsoft prorated it,
    rounded per line, then summed."""
    resellers: dict[tuple[str, str], Decimal] = {}
    customers: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        sub = subscriptions.get(line["subscriptionId"])
        if sub is None:
            continue
        factor = Decimal(line["effectiveUnitPrice"]) / Decimal(line["unitPrice"])
        quantity = Decimal(line["quantity"])
        reseller_unit = cost_of(sub.id) * (1 + reseller_margin)
        customer_unit = reseller_unit * (1 + customer_margin)
        currency = line["currency"]
        key = (sub.reseller_id, currency)
        reseller_shown, customer_shown = _round(reseller_unit, currency), _round(customer_unit, currency)
        resellers[key] = resellers.get(key, Decimal(0)) + _round(reseller_shown * quantity * factor, currency)
        ckey = (sub.customer_id, currency)
        customers[ckey] = customers.get(ckey, Decimal(0)) + _round(customer_shown * quantity * factor, currency)
    return resellers, customers


def expected_discrepancies(
    report: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    ours: Callable[[str], tuple[Decimal, int]],
    currency_of: Callable[[str], str] = lambda subscription_id: "EUR",
) -> dict[tuple[str, str], Decimal]:
    """(kind, subscription id) -> money at stake, from what the sandbox says it made wrong on purpose."""
    expected: dict[tuple[str, str], Decimal] = {}
    for entry in report:
        kind = entry["kind"]
        if kind == "missingCharge":
            for sub_id in entry["subscriptionIds"]:
                cost, quantity = ours(sub_id)
                expected[(kind, sub_id)] = _round(cost * quantity, currency_of(sub_id))
            continue
        for index in entry["lineIndexes"]:
            line = lines[index]
            sub_id, quantity = line["subscriptionId"], Decimal(line["quantity"])
            if kind == "quantityMismatch":
                amount = (quantity - ours(sub_id)[1]) * Decimal(line["effectiveUnitPrice"])
            elif kind == "priceMismatch":
                factor = Decimal(line["effectiveUnitPrice"]) / Decimal(line["unitPrice"])
                amount = (Decimal(line["unitPrice"]) - ours(sub_id)[0]) * quantity * factor
            else:
                amount = Decimal(line["subtotal"])
            expected[(kind, sub_id)] = _round(amount, line["currency"])
    return expected
