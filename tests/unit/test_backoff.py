from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.backoff import Backoff
from shared.domain.relationships import CheckPolicy
from shared.services.provisioning import RetryPolicy

S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(0, 2), (1, 2), (2, 4), (3, 8), (4, 16), (5, 32), (6, 64), (7, 128), (8, 256), (9, 300)]
)
def test_the_delay_doubles_from_the_first_with_each_attempt(attempt: int, seconds: int) -> None:
    assert Backoff(2 * S, 300 * S).delay_after(attempt) == seconds * S


def test_the_delay_never_grows_beyond_the_cap() -> None:
    backoff = Backoff(2 * S, 300 * S)
    assert [backoff.delay_after(attempt) for attempt in (9, 10, 50, 10_000)] == [300 * S] * 4


def test_a_first_delay_above_the_cap_is_the_cap() -> None:
    assert Backoff(10 * S, 5 * S).delay_after(1) == 5 * S


def test_provisioning_retries_wait_2_seconds_doubling_to_5_minutes() -> None:
    policy = RetryPolicy()
    assert [policy.delay_after(n).total_seconds() for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert policy.max_attempts == 10


def test_relationship_checks_wait_30_seconds_doubling_to_an_hour() -> None:
    policy = CheckPolicy()
    assert [policy.delay_after(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


delays = st.integers(min_value=0, max_value=10**9).map(lambda ms: timedelta(milliseconds=ms))


@given(delays, delays, st.integers(min_value=0, max_value=10_000))
def test_the_delay_is_monotonic_and_capped(first: timedelta, cap: timedelta, attempt: int) -> None:
    backoff = Backoff(first, cap)
    assert backoff.delay_after(attempt) <= backoff.delay_after(attempt + 1) <= cap
    as_microseconds = min(
        first // timedelta(microseconds=1) * 2 ** max(attempt - 1, 0), cap // timedelta(microseconds=1)
    )
    assert backoff.delay_after(attempt) == timedelta(microseconds=as_microseconds)
