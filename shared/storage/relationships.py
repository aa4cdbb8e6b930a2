"""Providers, resellers and customers in Table Storage, partitioned by provider (a provider's data
never shares a partition with another's), with uniqueness rows written in the same transaction."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

import orjson
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableTransactionError

from shared.domain.agreements import AgreementContact, CustomerAgreement
from shared.domain.relationships import (
    Customer,
    Offboarding,
    Provider,
    ProviderStatus,
    RelationshipCheck,
    RelationshipStatus,
    Reseller,
)
from shared.domain.scope import OrgType, Principal, can_see
from shared.domain.storefront import StorefrontPolicy
from shared.storage.organizations import OrganizationRepository
from shared.storage.snapshot import snapshot
from shared.storage.tables import Page, TableStorage, iter_query, odata_quote, query_page, safe_key, update_with_etag

PROVIDERS = "providers"
RESELLERS = "resellers"
CUSTOMERS = "customers"
_PROVIDER_ROW = "provider"
_CLAIM_ROW = "claim"  # rows holding which provider owns a tenant or app (partition "tenant|<id>", "app|<id>")
_ENTITY_PREFIX = "e|"  # entity rows; uniqueness rows use other prefixes in the same partition

E = TypeVar("E", Provider, Reseller, Customer)
R = TypeVar("R", Reseller, Customer)  # what a provider's partition holds


class AlreadyExists(Exception):
    """A uniqueness rule refused the insert (same partner ID or domain under one provider)."""


def _to_row(entity: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in dataclasses.fields(entity):
        value = getattr(entity, f.name)
        if isinstance(value, StorefrontPolicy):
            row[f.name] = orjson.dumps(snapshot(value)).decode()
            continue
        if isinstance(value, CustomerAgreement):
            row[f.name] = orjson.dumps(snapshot(value)).decode()
            continue
        if isinstance(value, RelationshipCheck):
            for cf in dataclasses.fields(value):
                row[f"check_{cf.name}"] = getattr(value, cf.name)
            continue
        if isinstance(value, Offboarding):
            # Flat columns; `offboarded` is written only on offboarded rows, so a list filters them server-side.
            row.update(offboarded=True, offboarded_at=value.at, offboarded_by=value.by, offboarding_reason=value.reason)
            continue
        row[f.name] = value.value if isinstance(value, Enum) else value
    return {k: v for k, v in row.items() if v is not None}


def _from_row(cls: type[E], row: dict[str, Any]) -> E:
    values: dict[str, Any] = {}
    check: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(cls)} - {"offboarding"}
    for key, value in row.items():
        if key.startswith("check_"):
            check[key.removeprefix("check_")] = value
        elif key in names:
            values[key] = value
    if "status" in values:
        values["status"] = (ProviderStatus if cls is Provider else RelationshipStatus)(values["status"])
    for f in dataclasses.fields(cls):
        if f.name not in values and f.name != "check":
            if f.default is not dataclasses.MISSING:
                values[f.name] = f.default
            else:
                values[f.name] = None
    if cls is not Provider:
        values["check"] = RelationshipCheck(**check)
    if cls is Customer:
        values["storefront_policy"] = _policy(values.get("storefront_policy"))
        values["agreement"] = _agreement(values.get("agreement"))
    if cls is not Provider:
        values["offboarding"] = _offboarding(row)
    return cls(**values)


def _offboarding(row: dict[str, Any]) -> Offboarding | None:
    at = row.get("offboarded_at")
    if not row.get("offboarded") or at is None:
        return None
    return Offboarding(at=at, by=str(row.get("offboarded_by") or ""), reason=row.get("offboarding_reason") or None)


def _agreement(text: str | None) -> CustomerAgreement | None:
    """A customer's Microsoft Customer Agreement acceptance from its row (written by `snapshot`); none: None."""
    if not text:
        return None
    data = orjson.loads(text)
    contact = data.get("contact") or {}
    confirmed = data.get("confirmedAt")
    return CustomerAgreement(
        accepted_at=datetime.fromisoformat(data["acceptedAt"]),
        contact=AgreementContact(
            first_name=contact.get("firstName") or "",
            last_name=contact.get("lastName") or "",
            email=contact.get("email") or "",
            phone_number=contact.get("phoneNumber") or None,
        ),
        template_id=data.get("templateId"),
        confirmed_at=datetime.fromisoformat(confirmed) if confirmed else None,
    )


def _policy(text: str | None) -> StorefrontPolicy:
    """A customer's storefront policy from its row (written by `snapshot`); none stored: the defaults."""
    if not text:
        return StorefrontPolicy()
    data = orjson.loads(text)
    allowed = data.get("allowedCatalogItemIds")
    threshold = data.get("approvalThreshold")
    return StorefrontPolicy(
        allowed_catalog_item_ids=None if allowed is None else tuple(allowed),
        allow_seat_decrease=bool(data.get("allowSeatDecrease", True)),
        max_term_duration=data.get("maxTermDuration") or "P3Y",
        approval_threshold=None if threshold is None else Decimal(threshold),
        allow_renewal_changes=bool(data.get("allowRenewalChanges", False)),
    )


class ProviderRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def add(self, provider: Provider) -> Provider:
        self._storage.table(PROVIDERS).create_entity(
            {"PartitionKey": safe_key(provider.id), "RowKey": _PROVIDER_ROW, **_to_row(provider)}
        )
        return provider

    def get(self, provider_id: str) -> Provider | None:
        try:
            row = self._storage.table(PROVIDERS).get_entity(safe_key(provider_id), _PROVIDER_ROW)
        except ResourceNotFoundError:
            return None
        return _from_row(Provider, dict(row))

    def update(self, provider_id: str, change: Callable[[Provider], Provider | None]) -> Provider:
        def apply(row: dict[str, Any]) -> dict[str, Any] | None:
            changed = change(_from_row(Provider, row))
            return (
                None
                if changed is None
                else {"PartitionKey": row["PartitionKey"], "RowKey": _PROVIDER_ROW, **_to_row(changed)}
            )

        row = update_with_etag(self._storage.table(PROVIDERS), safe_key(provider_id), _PROVIDER_ROW, apply)
        return _from_row(Provider, row or {})

    def delete(self, provider_id: str) -> None:
        self._storage.table(PROVIDERS).delete_entity(safe_key(provider_id), _PROVIDER_ROW)

    def claim(self, kind: str, value: str, provider_id: str) -> str | None:
        """Makes `provider_id` the one provider holding a Partner Center tenant or app (`kind` "tenant" or "app");
        answers the provider that already holds it, or None once claimed (atomic: two enrollments cannot both win)."""
        from azure.core.exceptions import ResourceExistsError

        table = self._storage.table(PROVIDERS)
        key = safe_key(f"{kind}|{value.lower()}")
        try:
            table.create_entity({"PartitionKey": key, "RowKey": _CLAIM_ROW, "providerId": provider_id})
            return None
        except ResourceExistsError:
            row = table.get_entity(key, _CLAIM_ROW)
            holder = str(row.get("providerId") or "")
            return None if holder == provider_id else holder

    def release(self, kind: str, value: str, provider_id: str) -> None:
        """Frees a claim this provider holds (a disabled provider's app may be enrolled again)."""
        table = self._storage.table(PROVIDERS)
        key = safe_key(f"{kind}|{value.lower()}")
        try:
            row = table.get_entity(key, _CLAIM_ROW)
        except ResourceNotFoundError:
            return
        if row.get("providerId") == provider_id:
            with contextlib.suppress(ResourceNotFoundError):
                table.delete_entity(key, _CLAIM_ROW)

    def all(self) -> Iterator[Provider]:
        for row in iter_query(self._storage.table(PROVIDERS), query_filter=f"RowKey eq '{_PROVIDER_ROW}'"):
            yield _from_row(Provider, row)


class _PartitionedRepository(Generic[R]):
    """Entities of one kind under their provider's partition."""

    table_name: str
    entity_type: type[R]
    org_type: OrgType

    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def visible_to(self, principal: Principal, entity_id: str) -> R | None:
        """The entity, if it lies in the caller's scope (None: the caller answers 404): the organisations registry
        gives its lineage, which `can_see` decides on, and its provider's partition."""
        org = OrganizationRepository(self._storage).get(self.org_type, entity_id)
        if org is None or org.provider_id is None or not can_see(principal, org):
            return None
        return self.get(org.provider_id, entity_id)

    @property
    def _table(self) -> Any:
        return self._storage.table(self.table_name)

    def _insert(self, entity: Any, unique_keys: list[str]) -> None:
        pk = safe_key(entity.provider_id)
        operations: list[tuple[str, dict[str, Any]]] = [
            ("create", {"PartitionKey": pk, "RowKey": _ENTITY_PREFIX + safe_key(entity.id), **_to_row(entity)})
        ]
        operations += [
            ("create", {"PartitionKey": pk, "RowKey": safe_key(key), "entityId": entity.id}) for key in unique_keys
        ]
        try:
            self._table.submit_transaction(operations)
        except TableTransactionError as exc:
            raise AlreadyExists(str(exc)) from exc

    def _claim_unique(self, provider_id: str, key: str, entity_id: str) -> bool:
        """Adds a uniqueness row after the fact (a tenant id learned later); False when taken by another."""
        from azure.core.exceptions import ResourceExistsError

        try:
            self._table.create_entity(
                {"PartitionKey": safe_key(provider_id), "RowKey": safe_key(key), "entityId": entity_id}
            )
            return True
        except ResourceExistsError:
            row = self._table.get_entity(safe_key(provider_id), safe_key(key))
            return bool(row.get("entityId") == entity_id)

    def get(self, provider_id: str, entity_id: str) -> R | None:
        try:
            row = self._table.get_entity(safe_key(provider_id), _ENTITY_PREFIX + safe_key(entity_id))
        except ResourceNotFoundError:
            return None
        return _from_row(self.entity_type, dict(row))

    def update(self, provider_id: str, entity_id: str, change: Callable[[R], R | None]) -> R:
        def apply(row: dict[str, Any]) -> dict[str, Any] | None:
            changed = change(_from_row(self.entity_type, row))
            if changed is None:
                return None
            return {"PartitionKey": row["PartitionKey"], "RowKey": row["RowKey"], **_to_row(changed)}

        row = update_with_etag(self._table, safe_key(provider_id), _ENTITY_PREFIX + safe_key(entity_id), apply)
        return _from_row(self.entity_type, row or {})

    def page(
        self,
        provider_id: str,
        *,
        limit: int,
        position: dict[str, str] | None,
        equals: dict[str, str] | None = None,
        offboarded: bool | None = None,
    ) -> tuple[list[R], dict[str, str] | None]:
        """One page; `offboarded` True: only offboarded records, False: only the others, None: both."""
        clauses = [
            f"PartitionKey eq {odata_quote(safe_key(provider_id))}",
            f"RowKey ge '{_ENTITY_PREFIX}'",
            "RowKey lt 'e}'",
        ]
        clauses += [f"{name} eq {odata_quote(value)}" for name, value in (equals or {}).items()]
        if offboarded:
            clauses.append("offboarded eq true")
        query_filter = " and ".join(clauses)
        if offboarded is not False:
            result: Page = query_page(self._table, query_filter=query_filter, limit=limit, position=position)
            return [_from_row(self.entity_type, row) for row in result.items], result.next_position
        # Rows that are not offboarded carry no `offboarded` column, which a filter cannot ask for: the offboarded
        # ones are dropped here and the page filled up from the rows after them.
        items: list[R] = []
        while True:
            result = query_page(self._table, query_filter=query_filter, limit=limit - len(items), position=position)
            items += [_from_row(self.entity_type, row) for row in result.items if not row.get("offboarded")]
            position = result.next_position
            if position is None or len(items) >= limit:
                return items, position

    def iter(self, provider_id: str, *, status: str | None = None, equals: dict[str, str] | None = None) -> Iterator[R]:
        clauses = [
            f"PartitionKey eq {odata_quote(safe_key(provider_id))}",
            f"RowKey ge '{_ENTITY_PREFIX}'",
            "RowKey lt 'e}'",
        ]
        if status:
            clauses.append(f"status eq {odata_quote(status)}")
        clauses += [f"{name} eq {odata_quote(value)}" for name, value in (equals or {}).items()]
        for row in iter_query(self._table, query_filter=" and ".join(clauses)):
            yield _from_row(self.entity_type, row)


class ResellerRepository(_PartitionedRepository[Reseller]):
    table_name = RESELLERS
    entity_type = Reseller
    org_type = OrgType.RESELLER

    def add(self, reseller: Reseller) -> Reseller:
        """One reseller per partner ID under a provider."""
        self._insert(reseller, [f"mpn|{reseller.partner_id}"])
        return reseller

    def claim_tenant(self, reseller: Reseller, tenant_id: str) -> bool:
        return self._claim_unique(reseller.provider_id, f"tenant|{tenant_id.lower()}", reseller.id)


class CustomerRepository(_PartitionedRepository[Customer]):
    table_name = CUSTOMERS
    entity_type = Customer
    org_type = OrgType.CUSTOMER

    def add(self, customer: Customer) -> Customer:
        """One customer per domain (and per tenant id) under a provider."""
        keys = []
        if customer.domain:
            keys.append(f"domain|{customer.domain.lower()}")
        if customer.tenant_id:
            keys.append(f"tenant|{customer.tenant_id.lower()}")
        self._insert(customer, keys)
        return customer

    def claim_tenant(self, customer: Customer, tenant_id: str) -> bool:
        return self._claim_unique(customer.provider_id, f"tenant|{tenant_id.lower()}", customer.id)

    def id_of_tenant(self, provider_id: str, tenant_id: str) -> str | None:
        """The id of the provider's customer with this tenant (one point read), or None."""
        try:
            row = self._table.get_entity(safe_key(provider_id), safe_key(f"tenant|{tenant_id.lower()}"))
        except ResourceNotFoundError:
            return None
        return str(row.get("entityId") or "") or None


__all__ = ["AlreadyExists", "CustomerRepository", "ProviderRepository", "ResellerRepository"]
