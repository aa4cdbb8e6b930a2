from __future__ import annotations

import pytest

from shared.domain.money import TERM_DURATIONS, TERM_MONTHS, MoneyError, term_months
from shared.domain.storefront import StorefrontPolicy


def test_the_terms_sold_are_one_month_one_year_and_three_years() -> None:
    assert TERM_MONTHS == {"P1M": 1, "P1Y": 12, "P3Y": 36}
    assert tuple(TERM_MONTHS) == TERM_DURATIONS


@pytest.mark.parametrize(("term", "months"), [("P1M", 1), ("p1y", 12), ("P3Y", 36), ("P2Y", 24), ("P6M", 6)])
def test_term_months_reads_an_iso_duration_in_months_or_years(term: str, months: int) -> None:
    assert term_months(term) == months


@pytest.mark.parametrize("term", ["", "1Y", "P0M", "P1D", "P1Y2M"])
def test_a_term_that_is_not_months_or_years_is_refused(term: str) -> None:
    with pytest.raises(MoneyError):
        term_months(term)


@pytest.mark.parametrize(("term", "months"), [("P1M", 1), ("P1Y", 12), ("P3Y", 36)])
def test_a_storefront_limit_is_its_terms_months(term: str, months: int) -> None:
    assert StorefrontPolicy(max_term_duration=term).max_term_months == months
