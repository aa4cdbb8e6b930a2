"""The sandbox clock: real time plus an offset that tests move, so windows and expiries can be crossed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import threading

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class SandboxClock:
    """Wall-clock time shifted by an offset; thread-safe because two servers share it."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self._offset = dt.timedelta(seconds=offset_seconds)
        self._lock = threading.Lock()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    def now(self) -> dt.datetime:
        with self._lock:
            return dt.datetime.now(dt.UTC) + self._offset

    def advance(self, duration: str) -> dt.datetime:
        """Moves the clock forward (or back, with a leading '-') by an ISO 8601 duration."""
        with self._lock:
            current = dt.datetime.now(dt.UTC) + self._offset
            target = add_duration(current, duration)
            self._offset = target - dt.datetime.now(dt.UTC)
            return target

    def set(self, moment: dt.datetime) -> dt.datetime:
        with self._lock:
            self._offset = moment - dt.datetime.now(dt.UTC)
            return moment


def add_duration(start: dt.datetime, duration: str) -> dt.datetime:
    """start + an ISO 8601 duration, with calendar months and years (P1M from Jan 31 is Feb 28/29)."""
    match = _DURATION.match(duration.strip().upper())
    if not match or duration.strip().upper() in ("P", "PT", "-P"):
        raise ValueError(f"not an ISO 8601 duration: {duration!r}")
    parts = {name: match.group(name) for name in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")}
    sign = -1 if match.group("sign") else 1
    months = sign * (int(parts["years"] or 0) * 12 + int(parts["months"] or 0))
    result = add_months(start, months)
    delta = dt.timedelta(
        weeks=int(parts["weeks"] or 0),
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=float(parts["seconds"] or 0),
    )
    return result + sign * delta


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def format_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with seven fractional digits and a 'Z', as Partner Center writes timestamps."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


def format_date_midnight(moment: dt.datetime) -> str:
    """A day boundary as Partner Center writes effectiveStartDate and commitmentEndDate."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT00:00:00Z")


def parse_timestamp(value: str) -> dt.datetime:
    """Reads the timestamps this sandbox writes and the ones clients send (up to 7 fractional digits)."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$", text)
    if match and match.group(2):
        text = f"{match.group(1)}.{match.group(2)[:6].ljust(6, '0')}{match.group(3)}"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
