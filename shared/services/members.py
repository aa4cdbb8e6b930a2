"""Adding members and reading who one is."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.members import Member
from shared.domain.scope import (
    ADMIN_ROLE_OF,
    ROLES_BY_ORG_TYPE,
    OrgRef,
    OrgType,
    Principal,
    Role,
    may_add_member,
    may_list_members,
    may_manage_members,
)
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, require
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
        require(decision, f"{org_type.value} {org_id} was not found")
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
            after=member,
        )
        return member

    def list_members(self, principal: Principal, org_type: OrgType, org_id: str) -> list[Member]:
        org = self._org(org_type, org_id)
        require(may_list_members(principal, org), f"{org.org_type.value} {org.org_id} was not found")
        return self._members.of_org(org)

    def change_role(self, principal: Principal, user_id: str, role: Role) -> Member:
        member = self._managed(principal, user_id)
        if role not in ROLES_BY_ORG_TYPE[member.org.org_type]:
            allowed = ", ".join(sorted(r.value for r in ROLES_BY_ORG_TYPE[member.org.org_type]))
            raise Invalid(
                f"role {role.value} does not belong to a {member.org.org_type.value}",
                [FieldError("role", f"a {member.org.org_type.value} member's role is one of {allowed}")],
            )
        if role is member.role:
            return member
        self._keep_an_admin(member)
        changed = self._members.change_role(member, role)
        self._audit.record(actor=principal, action="member.roleChanged", entity_type="member", entity_id=user_id,
                           org=member.org, before=member, after=changed)  # fmt: skip
        return changed

    def remove(self, principal: Principal, user_id: str) -> None:
        member = self._managed(principal, user_id)
        self._keep_an_admin(member)
        self._members.remove(member)
        self._audit.record(actor=principal, action="member.removed", entity_type="member", entity_id=user_id,
                           org=member.org, before=member, after=None)  # fmt: skip

    def _managed(self, principal: Principal, user_id: str) -> Member:
        member = self._members.get(user_id)
        if member is None:
            raise NotFound(f"member {user_id} was not found")
        require(may_manage_members(principal, member.org), f"member {user_id} was not found")
        return member

    def _keep_an_admin(self, member: Member) -> None:
        """An organisation never loses its last admin: nobody could manage it any more."""
        if member.role is ADMIN_ROLE_OF[member.org.org_type] and self._members.admins_of(member.org) <= 1:
            raise Conflict(f"{member.user_id} is the last admin of this {member.org.org_type.value}: add another first")

    def _org(self, org_type: OrgType, org_id: str) -> OrgRef:
        org = self._organizations.get(org_type, org_id)
        if org is None:
            raise NotFound(f"{org_type.value} {org_id} was not found")
        return org
