"""Money: exact `Decimal` amounts in a named currency, rounded half up to the currency's minor unit only when shown.

Rounding policy (the one place it is decided): amounts are carried unrounded through every computation (costs,
margins, tier prices, monthly equivalents); `Money.rounded()` quantizes half up (ties away from zero, so a credit of
-0.005 becomes -0.01, the mirror of a charge) to the currency's ISO 4217 minor unit, and is applied only where a price
is shown or billed. Floats are refused everywhere: a float cannot hold 0.10 exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any

# Enough digits that multiplying a cost by a few margins is exact; division (monthly equivalents) is the only
# operation that can be inexact, and at 50 significant digits that never shows after rounding to a minor unit.
EXACT = Context(prec=50, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])

# ISO 4217 minor units: every active code whose exponent is not 2, then the codes with exponent 2.
_MINOR_UNIT_EXCEPTIONS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
         "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip
_TWO_DECIMAL_CODES = frozenset((
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND",
    "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK",
    "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK",
    "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN",
    "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON",
    "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VED", "VES",
    "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
))  # fmt: skip
MINOR_UNITS: dict[str, int] = {**dict.fromkeys(_TWO_DECIMAL_CODES, 2), **_MINOR_UNIT_EXCEPTIONS}

_MONEY_TEXT = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_DURATION = re.compile(r"^P(?P<count>[1-9][0-9]*)(?P<unit>[MY])\Z", re.IGNORECASE)
_CYCLE_MONTHS = {"monthly": 1, "annual": 12, "biennial": 24, "triennial": 36}
_WHOLE_TERM_CYCLES = frozenset({"none", "one_time", "onetime"})


class MoneyError(ValueError):
    """An amount or currency the money rules refuse."""


class UnknownCurrency(MoneyError):
    """Not an ISO 4217 code we know the minor unit of (rounding would be a guess)."""


class CurrencyMismatch(MoneyError):
    """Two amounts in different currencies were combined."""


def minor_unit(currency: str) -> int:
    """The currency's ISO 4217 exponent (digits after the decimal point)."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {currency!r}") from None


def is_known_currency(currency: str) -> bool:
    return currency in MINOR_UNITS


def check_decimal(value: Any, what: str = "amount") -> Decimal:
    """A finite Decimal, or a MoneyError; ints are taken exactly, floats and bools never."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise MoneyError(f"{what} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise MoneyError(f"{what} must be finite, not {result}")
    return result


def parse_money_string(text: Any) -> Decimal:
    """A plain decimal string as money travels in JSON and tables ("12.50", "-3", "0.0051"): no exponent, no
    spaces, no thousands separators, no NaN or infinity; an already-parsed Decimal is accepted as it is."""
    if isinstance(text, Decimal):
        return check_decimal(text)
    if not isinstance(text, str):
        raise MoneyError(f'an amount must be a decimal string such as "12.50", not {type(text).__name__}')
    if not _MONEY_TEXT.match(text):
        raise MoneyError(f"not a decimal amount: {text!r}")
    return Decimal(text)


def format_decimal(value: Decimal) -> str:
    """Plain notation, never an exponent (Decimal("1E+1") is written "10"), exactly as precise as the value."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency; arithmetic only with the same currency, never with float."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_decimal(self.amount))
        if not isinstance(self.currency, str) or not is_known_currency(self.currency):
            raise UnknownCurrency(f"unknown currency {self.currency!r}")

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str) -> Money:
        """From a decimal string (as in JSON), a Decimal or an int."""
        value = parse_money_string(amount) if isinstance(amount, str) else check_decimal(amount)
        return cls(value, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(EXACT.add(self.amount, self._same(other).amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(EXACT.subtract(self.amount, self._same(other).amount), self.currency)

    def __neg__(self) -> Money:
        return Money(EXACT.minus(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(EXACT.multiply(self.amount, check_decimal(factor, "factor")), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        return Money(EXACT.divide(self.amount, check_decimal(divisor, "divisor")), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def rounded(self) -> Money:
        """Half up (ties away from zero) to the currency's minor unit: what is shown and billed."""
        exponent = Decimal(1).scaleb(-minor_unit(self.currency))
        return Money(self.amount.quantize(exponent, rounding=ROUND_HALF_UP, context=EXACT), self.currency)

    def shown(self) -> str:
        """The amount as shown and billed: a decimal string rounded to the minor unit ("12.50")."""
        return format_decimal(self.rounded().amount)

    def exact_str(self) -> str:
        """The unrounded amount as a string, for storage between computations."""
        return format_decimal(self.amount)

    def __str__(self) -> str:
        return f"{self.shown()} {self.currency}"


def term_months(term_duration: str) -> int:
    """Months in an ISO 8601 term duration such as P1M, P1Y or P3Y."""
    match = _DURATION.match(term_duration or "")
    if not match:
        raise MoneyError(f"not a term duration in months or years: {term_duration!r}")
    count = int(match.group("count"))
    return count * 12 if match.group("unit").upper() == "Y" else count


TERM_DURATIONS = ("P1M", "P1Y", "P3Y")  # the terms licenses are sold for
TERM_MONTHS: dict[str, int] = {term: term_months(term) for term in TERM_DURATIONS}


def billing_period_months(term_duration: str, billing_cycle: str) -> int:
    """Months one charge covers: the billing cycle's, or the whole term when it is paid once."""
    months_in_term = term_months(term_duration)
    cycle = (billing_cycle or "").strip().lower()
    if cycle in _WHOLE_TERM_CYCLES:
        return months_in_term
    if cycle not in _CYCLE_MONTHS:
        raise MoneyError(f"unknown billing cycle {billing_cycle!r}")
    months = _CYCLE_MONTHS[cycle]
    if months > months_in_term or months_in_term % months:
        raise MoneyError(f"a {term_duration} term cannot be billed {cycle}")
    return months


def monthly_equivalent(price: Money, term_duration: str, billing_cycle: str) -> Money:
    """A per-billing-period price as a price per month (unrounded), so terms and cycles compare like for like."""
    return price / billing_period_months(term_duration, billing_cycle)
