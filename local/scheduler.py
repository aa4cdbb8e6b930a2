"""Fires the timer handlers on their NCRONTAB schedules (six fields, seconds first, UTC)."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from croniter import croniter

from local.processes import configure_local_logging, stop_on_signals
from shared.bootstrap import get_container
from shared.services.sweeps import TIMERS

log = logging.getLogger("local.scheduler")


def next_fire(schedule: str, after: datetime) -> datetime:
    return croniter(schedule, after, second_at_beginning=True).get_next(datetime)  # type: ignore[no-any-return]


def main() -> int:
    configure_local_logging("scheduler")
    container = get_container()
    stop = stop_on_signals()  # a timer run cut short runs again at its next time (billing runs hold a lease)
    now = datetime.now(UTC)
    due = {
        name: next_fire(os.environ.get(setting) or getattr(container.settings, setting.lower()), now)
        for name, (setting, _) in TIMERS.items()
    }
    while not stop.is_set():
        now = datetime.now(UTC)
        for name, (setting, run) in TIMERS.items():
            if due[name] <= now:
                try:
                    container.call(run)
                except Exception:  # noqa: BLE001 - a failed run is logged; the next one still comes
                    log.exception("timer %s failed", name)
                due[name] = next_fire(os.environ.get(setting) or getattr(container.settings, setting.lower()), now)
        stop.wait(min(max((min(due.values()) - datetime.now(UTC)).total_seconds(), 0.1), 5.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
