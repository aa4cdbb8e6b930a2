"""Audit entries: who changed what, when, and the state before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain.scope import OrgRef

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    at: datetime
    actor_id: str
    actor_org: str
    action: str
    entity_type: str
    entity_id: str
    org: OrgRef
    before: Any
    after: Any
