"""The billing tests' independent computation is itself checked: it rounds each line, then sums."""

from __future__ import annotations

from decimal import Decimal

from tests.support.billing_expected import expected_totals


class _Sub:
    id, reseller_id, customer_id = "s1", "r1", "c1"


def test_the_independent_computation_rounds_each_line_then_sums() -> None:
    line = {
        "subscriptionId": "s1",
        "effectiveUnitPrice": Decimal("3"),
        "unitPrice": Decimal("6"),
        "quantity": 1,
        "currency": "USD",
    }
    resellers, customers = expected_totals(
        [line, line], {"s1": _Sub()}, lambda _: Decimal("0.01"), Decimal("0"), Decimal("0")
    )
    assert resellers == {("r1", "USD"): Decimal("0.02")}  # 0.005 rounds up on each line
    assert customers == {("c1", "USD"): Decimal("0.02")}
