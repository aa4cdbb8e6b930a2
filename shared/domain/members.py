"""Members: a user's one membership in one organisation, with one role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.domain.scope import OrgRef, Principal, Role


@dataclass(frozen=True)
class Member:
    user_id: str
    org: OrgRef
    role: Role
    created_at: datetime
    created_by: str

    def principal(self, tenant_id: str | None) -> Principal:
        return Principal(user_id=self.user_id, tenant_id=tenant_id, org=self.org, role=self.role)
