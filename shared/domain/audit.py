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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "at": self.at.isoformat(),
            "actorId": self.actor_id,
            "actorOrg": self.actor_org,
            "action": self.action,
            "entityType": self.entity_type,
            "entityId": self.entity_id,
            "orgType": self.org.org_type.value,
            "orgId": self.org.org_id,
            "before": self.before,
            "after": self.after,
        }
