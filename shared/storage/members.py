"""Members in Table Storage: one row per user (read on every request) and one per organisation."""

from __future__ import annotations

import contextlib
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.domain.members import Member
from shared.domain.scope import ADMIN_ROLE_OF, OrgRef, OrgType, Role
from shared.storage.tables import TableStorage, odata_quote, safe_key

MEMBERS = "members"
ORG_MEMBERS = "orgmembers"
_MEMBERSHIP = "membership"


class MemberAlreadyExists(Exception):
    """A user belongs to one organisation only."""


def _from_entity(entity: dict[str, Any]) -> Member:
    return Member(
        user_id=entity["userId"],
        org=OrgRef(
            org_type=OrgType(entity["orgType"]),
            org_id=entity["orgId"],
            provider_id=entity.get("providerId") or None,
            reseller_id=entity.get("resellerId") or None,
        ),
        role=Role(entity["role"]),
        created_at=entity["createdAt"],
        created_by=entity["createdBy"],
    )


class MemberRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def get(self, user_id: str) -> Member | None:
        try:
            entity = self._storage.table(MEMBERS).get_entity(safe_key(user_id), _MEMBERSHIP)
        except ResourceNotFoundError:
            return None
        return _from_entity(entity)

    def org_has_admin(self, org: OrgRef) -> bool:
        admin_role = ADMIN_ROLE_OF[org.org_type].value
        rows = self._storage.table(ORG_MEMBERS).query_entities(
            f"PartitionKey eq {odata_quote(safe_key(org.key))} and role eq {odata_quote(admin_role)}",
            results_per_page=1,
            select=["RowKey"],
        )
        return next(iter(rows), None) is not None

    def add(self, member: Member) -> Member:
        """Stores a new member; the org index is written first so an admin is never unseen."""
        index_row = {
            "PartitionKey": safe_key(member.org.key),
            "RowKey": safe_key(member.user_id),
            "role": member.role.value,
        }
        member_row = {
            "PartitionKey": safe_key(member.user_id),
            "RowKey": _MEMBERSHIP,
            "userId": member.user_id,
            "orgType": member.org.org_type.value,
            "orgId": member.org.org_id,
            "providerId": member.org.provider_id or "",
            "resellerId": member.org.reseller_id or "",
            "role": member.role.value,
            "createdAt": member.created_at,
            "createdBy": member.created_by,
        }
        existing = self.get(member.user_id)
        if existing is not None:
            raise MemberAlreadyExists(member.user_id)
        self._storage.table(ORG_MEMBERS).upsert_entity(index_row)
        try:
            self._storage.table(MEMBERS).create_entity(member_row)
        except ResourceExistsError as exc:
            current = self.get(member.user_id)
            if current is None or current.org.key != member.org.key:
                self._storage.table(ORG_MEMBERS).delete_entity(index_row["PartitionKey"], index_row["RowKey"])
            raise MemberAlreadyExists(member.user_id) from exc
        return member

    def everyone(self, limit: int = 200, scan: int = 5000) -> list[Member]:
        """Members of the platform for the local development sign-in: the operator first, then the newest (read
        from at most `scan` rows: a local stack's, not a production directory)."""
        query = f"RowKey eq {odata_quote(_MEMBERSHIP)}"
        rows = self._storage.table(MEMBERS).query_entities(query, results_per_page=1000)
        found: list[Member] = []
        for row in rows:
            found.append(_from_entity(row))
            if len(found) >= scan:
                break
        found.sort(key=lambda m: m.created_at, reverse=True)
        found.sort(key=lambda m: m.org.org_type.value != "operator")
        return found[:limit]

    def of_org(self, org: OrgRef) -> list[Member]:
        """Every member of an organisation (its index partition, then each membership row)."""
        rows = self._storage.table(ORG_MEMBERS).query_entities(
            f"PartitionKey eq {odata_quote(safe_key(org.key))}", select=["RowKey"]
        )
        members = [self._member_of(row["RowKey"], org) for row in rows]
        return sorted((m for m in members if m is not None), key=lambda m: (m.created_at, m.user_id))

    def _member_of(self, row_key: str, org: OrgRef) -> Member | None:
        try:
            entity = self._storage.table(MEMBERS).get_entity(row_key, _MEMBERSHIP)
        except ResourceNotFoundError:
            return None
        member = _from_entity(entity)
        return member if member.org.key == org.key else None

    def admins_of(self, org: OrgRef) -> int:
        admin_role = ADMIN_ROLE_OF[org.org_type].value
        rows = self._storage.table(ORG_MEMBERS).query_entities(
            f"PartitionKey eq {odata_quote(safe_key(org.key))} and role eq {odata_quote(admin_role)}", select=["RowKey"]
        )
        return sum(1 for _ in rows)

    def change_role(self, member: Member, role: Role) -> Member:
        """Both rows take the new role (the index first: an admin is never unseen by the last-admin check)."""
        self._storage.table(ORG_MEMBERS).upsert_entity(
            {"PartitionKey": safe_key(member.org.key), "RowKey": safe_key(member.user_id), "role": role.value}
        )
        self._storage.table(MEMBERS).update_entity(
            {"PartitionKey": safe_key(member.user_id), "RowKey": _MEMBERSHIP, "role": role.value}
        )
        return Member(member.user_id, member.org, role, member.created_at, member.created_by)

    def remove(self, member: Member) -> None:
        """The membership first (the user is refused from the next request on), then the org index."""
        for table, key in ((MEMBERS, (safe_key(member.user_id), _MEMBERSHIP)),
                           (ORG_MEMBERS, (safe_key(member.org.key), safe_key(member.user_id)))):  # fmt: skip
            with contextlib.suppress(ResourceNotFoundError):
                self._storage.table(table).delete_entity(*key)

    def seed(self, member: Member) -> Member:
        """Adds the member unless that user already has a membership (local stack start-up)."""
        try:
            return self.add(member)
        except MemberAlreadyExists:
            return self.get(member.user_id) or member
