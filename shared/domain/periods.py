"""Billing periods: a calendar month written YYYY-MM, and the half-open window of time it covers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Years 2000-2999: every month has a real first day and a real first day of the next month.
PERIOD_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
_PERIOD = re.compile(PERIOD_PATTERN)


def is_period(value: str) -> bool:
    return bool(_PERIOD.match(value or ""))


def period_window(period: str) -> tuple[datetime, datetime]:
    """The month's start and the next month's start (UTC); ValueError for anything that is not a real month."""
    if not is_period(period):
        raise ValueError(f"a period is a month such as 2026-10 (years 2000 to 2999), not {period!r}")
    year, month = int(period[:4]), int(period[5:7])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if month == 12 else datetime(year, month + 1, 1, tzinfo=UTC)
    return start, end


def period_of(moment: datetime, months_back: int = 0) -> str:
    """The period `months_back` months before the one holding `moment`."""
    index = moment.year * 12 + moment.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
