"""The organisations registry: each organisation's lineage, which every scope decision needs."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.domain.scope import OrgRef, OrgType
from shared.storage.tables import TableStorage, safe_key

TABLE = "organizations"


def _to_entity(org: OrgRef, name: str) -> dict[str, Any]:
    return {
        "PartitionKey": org.org_type.value,
        "RowKey": safe_key(org.org_id),
        "orgId": org.org_id,
        "name": name,
        "providerId": org.provider_id or "",
        "resellerId": org.reseller_id or "",
        "createdAt": datetime.now(UTC),
    }


def _from_entity(entity: dict[str, Any]) -> OrgRef:
    return OrgRef(
        org_type=OrgType(entity["PartitionKey"]),
        org_id=entity["orgId"],
        provider_id=entity.get("providerId") or None,
        reseller_id=entity.get("resellerId") or None,
    )


class OrganizationRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def get(self, org_type: OrgType, org_id: str) -> OrgRef | None:
        if org_type is OrgType.OPERATOR:
            return OrgRef.operator() if org_id == OrgRef.operator().org_id else None
        try:
            entity = self._storage.table(TABLE).get_entity(org_type.value, safe_key(org_id))
        except ResourceNotFoundError:
            return None
        return _from_entity(entity)

    def name_of(self, org_type: OrgType, org_id: str) -> str | None:
        if org_type is OrgType.OPERATOR:
            return "Platform operator"
        try:
            entity = self._storage.table(TABLE).get_entity(org_type.value, safe_key(org_id))
        except ResourceNotFoundError:
            return None
        return str(entity.get("name") or "") or None

    def add(self, org: OrgRef, *, name: str) -> OrgRef:
        """Registers an organisation; registering the same one again is harmless."""
        try:
            self._storage.table(TABLE).create_entity(_to_entity(org, name))
        except ResourceExistsError:
            existing = self.get(org.org_type, org.org_id)
            if existing != org:
                raise
        return org

    def rename(self, org_type: OrgType, org_id: str, name: str) -> None:
        """Keeps the registry's name (the development sign-in's list, the audit's readers) the one staff edited."""
        if org_type is OrgType.OPERATOR:
            return
        with contextlib.suppress(ResourceNotFoundError):  # not registered (yet): it is written with the name then
            self._storage.table(TABLE).update_entity(
                {"PartitionKey": org_type.value, "RowKey": safe_key(org_id), "name": name}, mode=UpdateMode.MERGE
            )
