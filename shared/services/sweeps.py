"""Housekeeping the timers run."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.bootstrap import Container

log = logging.getLogger(__name__)


def purge_expired_idempotency_keys(container: Container) -> int:
    """Idempotency records are kept at least IDEMPOTENCY_TTL_HOURS (>= 72), then removed."""
    removed = container.idempotency.purge_expired()
    log.info("purged %d expired idempotency records", removed)
    return removed


def sweep_relationships(container: Container) -> dict[str, int]:
    """Resellers and customers can end relationships in Partner Center at any time: re-check them."""
    counts = container.relationships.sweep()
    log.info("relationship sweep: %s", counts)
    return counts


# Every timer: its name, the setting holding its NCRONTAB schedule, and what it runs.
TIMERS = {
    "idempotency_sweep": ("IDEMPOTENCY_SWEEP_SCHEDULE", purge_expired_idempotency_keys),
    "relationship_sweep": ("RELATIONSHIP_SWEEP_SCHEDULE", sweep_relationships),
}
