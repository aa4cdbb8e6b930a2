"""How long to wait before the next attempt: the one exponential back-off the platform schedules retries with. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    """Doubles from `first_delay` with each attempt, never beyond `max_delay`."""

    first_delay: timedelta
    max_delay: timedelta

    def delay_after(self, attempt: int) -> timedelta:
        """The wait before attempt `attempt` + 1: first_delay after attempt 1 (and before), then twice as long each
        time, capped (the doubling stops at the cap, so a large attempt never overflows)."""
        delay = self.first_delay
        for _ in range(max(attempt - 1, 0)):
            if delay >= self.max_delay:
                break
            delay *= 2
        return min(delay, self.max_delay)


__all__ = ["Backoff"]
