"""Money rules: exact decimals, one rounding policy (half up to the minor unit), monthly equivalents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.money import (
    CurrencyMismatch,
    Money,
    MoneyError,
    UnknownCurrency,
    billing_period_months,
    format_decimal,
    minor_unit,
    monthly_equivalent,
    parse_money_string,
)

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("0.005", "EUR", "0.01"),
        ("0.004999", "EUR", "0.00"),
        ("0.015", "USD", "0.02"),  # half up, not half even (which would give 0.02 here but 0.02 for 0.025 too)
        ("0.025", "USD", "0.03"),  # half even would give 0.02
        ("2.675", "GBP", "2.68"),  # the float 2.675 is 2.67499999...: only an exact decimal rounds up
        ("-0.005", "EUR", "-0.01"),  # a credit rounds away from zero, mirroring the charge
        ("-2.675", "EUR", "-2.68"),
        ("1234.5", "JPY", "1235"),
        ("1234.49", "JPY", "1234"),
        ("1.2345", "KWD", "1.235"),
        ("1.2344", "BHD", "1.234"),
        ("7", "CHF", "7.00"),
        ("12.5", "SEK", "12.50"),
    ],
)
def test_rounding_is_half_up_to_the_currency_minor_unit(amount: str, currency: str, shown: str) -> None:
    assert Money.of(amount, currency).shown() == shown


def test_minor_units_follow_iso_4217() -> None:
    expected = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "AUD": 2, "CAD": 2,
                "NZD": 2, "KWD": 3, "BHD": 3, "KRW": 0, "ISK": 0, "OMR": 3, "CLF": 4}  # fmt: skip
    assert {code: minor_unit(code) for code in expected} == expected


def test_an_unknown_currency_is_refused_rather_than_rounded_by_guess() -> None:
    with pytest.raises(UnknownCurrency):
        Money(D("1"), "XYZ")
    with pytest.raises(UnknownCurrency):
        Money(D("1"), "eur")


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan"), True])
def test_money_refuses_floats_and_bools(value: object) -> None:
    with pytest.raises(MoneyError):
        Money(value, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")])
def test_money_refuses_nan_and_infinity(value: Decimal) -> None:
    with pytest.raises(MoneyError):
        Money(value, "EUR")


def test_money_is_frozen() -> None:
    money = Money.of("1.00", "EUR")
    with pytest.raises(AttributeError):
        money.amount = D("2")  # type: ignore[misc]


def test_arithmetic_across_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") < Money.of("2", "USD")


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(MoneyError):
        _ = Money.of("1", "EUR") * 1.1  # type: ignore[operator]


def test_arithmetic_stays_unrounded_until_rounded_is_asked_for() -> None:
    total = Money.of("0.004", "EUR") + Money.of("0.004", "EUR")
    assert total.amount == D("0.008")
    assert total.shown() == "0.01"
    assert (Money.of("10", "EUR") / 3).exact_str().startswith("3.3333333333")


@pytest.mark.parametrize(
    "text",
    ["1e3", "1E-2", " 1.00", "1.00 ", "1,00", "NaN", "Infinity", "", "+1", "--1", "1.2.3", "0x10", "١٢", "1.00\n"],
)
def test_parse_money_string_accepts_plain_decimals_only(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money_string(text)


@pytest.mark.parametrize(("text", "value"), [("12.50", D("12.50")), ("-3", D("-3")), ("0.0051", D("0.0051")),
                                              (".5", D("0.5")), ("7.", D("7"))])  # fmt: skip
def test_parse_money_string_reads_decimal_strings_exactly(text: str, value: Decimal) -> None:
    assert parse_money_string(text) == value


def test_parse_money_string_refuses_json_numbers_read_as_floats() -> None:
    with pytest.raises(MoneyError):
        parse_money_string(12.5)


def test_format_decimal_never_writes_an_exponent() -> None:
    assert format_decimal(D("1E+3")) == "1000"
    assert format_decimal(D("1E-7")) == "0.0000001"


@pytest.mark.parametrize(
    ("price", "term", "cycle", "monthly"),
    [
        ("120.00", "P1Y", "annual", "10"),
        ("120.00", "P1Y", "Annual", "10"),
        ("10.00", "P1Y", "monthly", "10"),
        ("12.00", "P1M", "monthly", "12"),
        ("360.00", "P3Y", "triennial", "10"),
        ("120.00", "P3Y", "annual", "10"),
        ("360.00", "P3Y", "none", "10"),
    ],
)
def test_monthly_equivalent_divides_by_the_months_one_charge_covers(
    price: str, term: str, cycle: str, monthly: str
) -> None:
    assert monthly_equivalent(Money.of(price, "EUR"), term, cycle).amount == D(monthly)


def test_monthly_equivalent_is_not_rounded_in_between() -> None:
    equivalent = monthly_equivalent(Money.of("100.00", "EUR"), "P1Y", "annual")
    assert equivalent.amount != equivalent.rounded().amount
    assert equivalent.shown() == "8.33"


@pytest.mark.parametrize(
    ("term", "cycle"), [("P1M", "annual"), ("P1Y", "triennial"), ("P1Y", "weekly"), ("1Y", "annual")]
)
def test_a_billing_cycle_longer_than_its_term_is_refused(term: str, cycle: str) -> None:
    with pytest.raises(MoneyError):
        billing_period_months(term, cycle)


amounts = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=6, allow_nan=False, allow_infinity=False)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP", "CHF"])


@given(amounts, currencies)
def test_rounded_is_the_half_up_quantization_and_idempotent(amount: Decimal, currency: str) -> None:
    money = Money(amount, currency)
    exponent = D(1).scaleb(-minor_unit(currency))
    assert money.rounded().amount == amount.quantize(exponent, rounding=ROUND_HALF_UP)
    assert money.rounded().rounded() == money.rounded()
    assert abs(money.rounded().amount - amount) <= exponent / 2


@given(amounts, currencies)
def test_a_credit_rounds_to_the_negation_of_its_charge(amount: Decimal, currency: str) -> None:
    assert (-Money(amount, currency)).rounded() == -(Money(amount, currency).rounded())


@given(amounts, currencies)
def test_to_json_round_trips_through_parse_money_string(amount: Decimal, currency: str) -> None:
    shown = Money(amount, currency).rounded()
    assert Money(parse_money_string(shown.shown()), currency) == shown
