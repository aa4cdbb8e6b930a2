"""The row keys lists are read by (shared/domain/listings.py): their order is the list's order, and a range holds
exactly the moments its bounds say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.listings import (
    newest_first,
    order_ranges,
    order_row_keys,
    product_of,
    soonest_first,
    subscription_ranges,
    subscription_row_keys,
)

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))


@given(moments, moments)
def test_orders_sort_newest_first_and_subscriptions_soonest_first(a: datetime, b: datetime) -> None:
    if a < b:
        assert newest_first(b) < newest_first(a)
        assert soonest_first(a) < soonest_first(b)
    assert len(newest_first(a)) == len(soonest_first(a)) == len(newest_first(b))


def test_a_subscription_without_a_term_end_sorts_last() -> None:
    assert soonest_first(datetime(2199, 12, 31, tzinfo=UTC)) < soonest_first(None)


def in_range(key: str, low: str, high: str) -> bool:
    return low <= key < high


@given(moments, moments, moments)
def test_an_order_is_in_a_date_range_exactly_when_it_was_created_inside_it(
    created: datetime, start: datetime, end: datetime
) -> None:
    """createdFrom is inclusive, createdBefore exclusive."""
    (key_range,) = order_ranges(("failed",), created_from=start, created_before=end)
    key = order_row_keys("o-1", "failed", created)[1]
    assert in_range(key, key_range.low, key_range.high) == (start <= created < end)


def test_an_order_is_listed_among_all_and_among_its_status() -> None:
    keys = order_row_keys("o-1", "pendingApproval", datetime(2026, 12, 7, tzinfo=UTC))
    assert [key.split("|")[0] for key in keys] == ["all", "status"]
    assert keys[1].startswith("status|pendingApproval|")
    assert [r.prefix for r in order_ranges((), created_from=None, created_before=None)] == ["all|"]
    statuses = order_ranges(("provisioning", "accepted", "accepted"), created_from=None, created_before=None)
    assert [r.prefix for r in statuses] == ["status|accepted|", "status|provisioning|"]


@given(moments, moments, moments)
def test_a_subscription_is_in_a_renewal_window_exactly_when_its_term_ends_inside_it(
    term_end: datetime, start: datetime, end: datetime
) -> None:
    ranges, _ = subscription_ranges(("active",), product_id=None, term_ends_from=start, term_ends_before=end)
    key = subscription_row_keys("s-1", "active", "P:S:A", term_end)[1]
    assert in_range(key, ranges[0].low, ranges[0].high) == (start <= term_end < end)


def test_a_product_list_reads_the_products_range_and_filters_the_statuses() -> None:
    ranges, filtered = subscription_ranges(
        ("suspended",), product_id="CFQ7TTC0LF8Q", term_ends_from=None, term_ends_before=None
    )
    assert [r.prefix for r in ranges] == ["product|CFQ7TTC0LF8Q|"] and filtered == ("suspended",)
    key = subscription_row_keys("s-1", "suspended", "CFQ7TTC0LF8Q:0002:B", None)[2]
    assert in_range(key, ranges[0].low, ranges[0].high)
    assert product_of("CFQ7TTC0LF8Q:0002:B") == "CFQ7TTC0LF8Q"


def test_a_window_without_an_end_keeps_subscriptions_without_a_term_end() -> None:
    ranges, _ = subscription_ranges((), product_id=None, term_ends_from=None, term_ends_before=None)
    assert in_range(subscription_row_keys("s", "active", "P:S:A", None)[0], ranges[0].low, ranges[0].high)
    bounded, _ = subscription_ranges(
        (), product_id=None, term_ends_from=None, term_ends_before=datetime.now(UTC) + timedelta(days=30)
    )
    assert not in_range(subscription_row_keys("s", "active", "P:S:A", None)[0], bounded[0].low, bounded[0].high)
