"""The audited read-modify-write: a repository's ETag-guarded update and its audit entry, written once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from shared.domain.audit import AuditEntry
from shared.domain.scope import OrgRef, Principal

T = TypeVar("T")
R = TypeVar("R")


class AuditTrail(Protocol):
    """What `audited_update` needs of the trail: `AuditLog.record` (shared/storage/audit.py)."""

    def record(
        self,
        *,
        actor: Principal | str,
        action: str,
        entity_type: str,
        entity_id: str,
        org: OrgRef,
        before: Any,
        after: Any,
        at: datetime | None = None,
    ) -> AuditEntry: ...


def audited_update(
    audit: AuditTrail,
    update: Callable[[Callable[[T], T | None]], R],
    change: Callable[[T], T | None],
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entity_id: str,
    org: OrgRef,
) -> R:
    """`update` is a repository's ETag-guarded update: it reads the entity with its ETag, applies `change`, writes
    under If-Match and reads again on a 412 (precondition failed). The audit entry is appended right after the write,
    once, with the version `change` was last applied to as before and what `update` returns as after. A change that
    returns None writes nothing and is not audited. Returns what `update` returns."""
    applied_to: list[T] = []

    def apply(current: T) -> T | None:
        applied_to.clear()
        changed = change(current)
        if changed is not None:
            applied_to.append(current)
        return changed

    updated = update(apply)
    if applied_to:
        audit.record(actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, org=org,
                     before=applied_to[0], after=updated)  # fmt: skip
    return updated


__all__ = ["AuditTrail", "audited_update"]
