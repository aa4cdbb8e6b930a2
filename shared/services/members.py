"""Adding members and reading who one is."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.members import Member
from shared.domain.scope import ROLES_BY_ORG_TYPE, Decision, OrgType, Principal, Role, may_add_member
from shared.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from shared.storage.audit import AuditLog
from shared.storage.members import MemberAlreadyExists, MemberRepository
from shared.storage.organizations import OrganizationRepository


class MemberService:
    def __init__(self, members: MemberRepository, organizations: OrganizationRepository, audit: AuditLog) -> None:
        self._members = members
        self._organizations = organizations
        self._audit = audit

    def add_member(self, principal: Principal, *, user_id: str, org_type: OrgType, org_id: str, role: Role) -> Member:
        org = self._organizations.get(org_type, org_id)
        if org is None:
            raise NotFound(f"{org_type.value} {org_id} was not found")
        decision = may_add_member(principal, org, role, target_has_admin=self._members.org_has_admin(org))
        if decision is Decision.NOT_FOUND:
            raise NotFound(f"{org_type.value} {org_id} was not found")
        if decision is Decision.INVALID:
            allowed = ", ".join(sorted(r.value for r in ROLES_BY_ORG_TYPE[org_type]))
            raise Invalid(
                f"role {role.value} does not belong to a {org_type.value}",
                [FieldError("role", f"a {org_type.value} member's role is one of {allowed}")],
            )
        if decision is Decision.FORBIDDEN:
            raise Forbidden("you may not add this member to that organisation")
        member = Member(user_id=user_id, org=org, role=role, created_at=datetime.now(UTC), created_by=principal.user_id)
        try:
            self._members.add(member)
        except MemberAlreadyExists as exc:
            raise Conflict(f"user {user_id} is already a member of an organisation") from exc
        self._audit.record(
            actor=principal,
            action="member.added",
            entity_type="member",
            entity_id=user_id,
            org=org,
            before=None,
            after=member.to_json(),
        )
        return member
