"""Who pays what: resellers' and customers' pricing and the default margins, in one partition per provider.

Rows (PartitionKey = the provider):
- `reseller|{resellerId}`: what the provider charges that reseller (margin over cost, overrides);
- `customer|{customerId}`: what its reseller charges that customer (margin over the reseller's price, overrides);
- `default|provider`: the provider's default margin for resellers without their own;
- `default|reseller|{resellerId}`: a reseller's default margin for its customers without their own.
Every write is guarded by the ETag of the row as read (If-Match), or by insert when there was none.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError

from shared.domain.money import format_decimal, parse_money_string
from shared.domain.pricing import PriceRule, rule_from_overrides
from shared.storage.catalog import provider_key
from shared.storage.tables import TableStorage, safe_key, unless_changed

TABLE = "pricing"
_CHUNK_CHARS = 30_000  # a string property holds at most 32K characters
_MAX_CHUNKS = 30  # well inside the 1 MiB entity limit


class PricingChanged(Exception):
    """Someone else wrote the row since it was read (ETag mismatch, or created meanwhile)."""


UNSTORED_ETAG = '"unstored"'


@dataclass(frozen=True)
class StoredPricing:
    """A buyer's pricing as stored; `etag` None means nothing is stored yet (an empty rule applies), which readers
    see as the version UNSTORED_ETAG, so even a first write can be conditional."""

    rule: PriceRule
    etag: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    reseller_id: str | None = None

    @property
    def version(self) -> str:
        """The ETag readers see (UNSTORED_ETAG before the first write)."""
        return self.etag or UNSTORED_ETAG


@dataclass(frozen=True)
class StoredMargin:
    margin: Decimal | None
    etag: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


def reseller_row(reseller_id: str) -> str:
    return f"reseller|{safe_key(reseller_id)}"


def customer_row(customer_id: str) -> str:
    return f"customer|{safe_key(customer_id)}"


PROVIDER_DEFAULT_ROW = "default|provider"


def reseller_default_row(reseller_id: str) -> str:
    return f"default|reseller|{safe_key(reseller_id)}"


def _margin_text(margin: Decimal | None) -> str:
    return "" if margin is None else format_decimal(margin)


def _margin_of(entity: dict[str, Any]) -> Decimal | None:
    text = entity.get("margin") or ""
    return parse_money_string(text) if text else None


def _overrides_fields(rule: PriceRule) -> dict[str, Any]:
    rows = [[key.catalog_item_id, key.currency, format_decimal(price)] for key, price in sorted(rule.overrides.items())]
    text = json.dumps(rows, separators=(",", ":"))
    parts = [text[i : i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS)] or ["[]"]
    if len(parts) > _MAX_CHUNKS:
        raise ValueError(f"too many overrides to store ({len(rule.overrides)})")
    fields: dict[str, Any] = {"overrideChunks": len(parts)}
    fields.update({f"overrides{index}": part for index, part in enumerate(parts)})
    return fields


def _rule_of(entity: dict[str, Any]) -> PriceRule:
    count = int(entity.get("overrideChunks") or 0)
    text = "".join(entity.get(f"overrides{index}") or "" for index in range(count)) or "[]"
    rows = json.loads(text, parse_float=Decimal)  # prices are strings; no JSON number ever becomes a float
    return rule_from_overrides(_margin_of(entity), ((i, c, parse_money_string(p)) for i, c, p in rows))


HISTORY_PREFIX = "history|"


@dataclass(frozen=True)
class PricingHistory:
    """The versions of each pricing row; what was in force at a moment is the last version from before it."""

    versions: dict[str, list[tuple[datetime, dict[str, Any]]]]
    current: dict[str, dict[str, Any]]

    def _at(self, row_key: str, moment: datetime | None) -> dict[str, Any] | None:
        found = self.versions.get(row_key)
        if not found:
            return self.current.get(row_key)  # written before versions were kept: in force all along
        if moment is None:
            return found[-1][1]
        in_force = [row for effective, row in found if effective <= moment]
        return in_force[-1] if in_force else None

    def rule_at(self, row_key: str, moment: datetime | None) -> PriceRule | None:
        row = self._at(row_key, moment)
        return None if row is None else _rule_of(row)

    def margin_at(self, row_key: str, moment: datetime | None) -> Decimal | None:
        row = self._at(row_key, moment)
        return None if row is None else _margin_of(row)

    def changes(self, row_keys: list[str]) -> list[datetime]:
        """When any of these rows changed, in order."""
        return sorted({effective for key in row_keys for effective, _ in self.versions.get(key, [])})


class PricingRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> Any:
        return self._storage.table(TABLE)

    def _read(self, provider_id: str, row_key: str) -> dict[str, Any] | None:
        try:
            entity = self._table.get_entity(provider_key(provider_id), row_key)
        except ResourceNotFoundError:
            return None
        found = dict(entity)
        found["_etag"] = entity.metadata.get("etag")
        return found

    def _write(self, provider_id: str, row_key: str, fields: dict[str, Any], *, etag: str | None) -> str | None:
        """Replaces the row and appends the same values to its history, in one transaction: billing prices a
        charge with the rules in force on its date, so no version is ever lost."""
        entity = {"PartitionKey": provider_key(provider_id), "RowKey": row_key, **fields}
        effective = datetime.now(UTC)
        version = {**entity, "RowKey": f"{HISTORY_PREFIX}{row_key}|{effective.isoformat()}|{uuid.uuid4().hex[:8]}",
                   "subject": row_key, "effectiveFrom": effective}  # fmt: skip
        try:
            results = self._table.submit_transaction([unless_changed(entity, etag), ("create", version)])
        except (ResourceExistsError, ResourceModifiedError, TableTransactionError) as exc:
            raise PricingChanged(f"{row_key} changed since it was read") from exc
        return (results[0] if results else {}).get("etag")

    def history(self, provider_id: str) -> PricingHistory:
        """Every version of the provider's pricing rows, for pricing charges at their dates."""
        versions: dict[str, list[tuple[datetime, dict[str, Any]]]] = {}
        current: dict[str, dict[str, Any]] = {}
        for entity in self._table.query_entities(
            f"PartitionKey eq '{provider_key(provider_id)}'", results_per_page=1000
        ):
            row = dict(entity)
            if row["RowKey"].startswith(HISTORY_PREFIX):
                versions.setdefault(row["subject"], []).append((row["effectiveFrom"], row))
            else:
                current[row["RowKey"]] = row
        for found in versions.values():
            found.sort(key=lambda version: version[0])
        return PricingHistory(versions, current)

    # -- buyers' pricing ---------------------------------------------------------------------------------------

    def _get_pricing(self, provider_id: str, row_key: str) -> StoredPricing:
        entity = self._read(provider_id, row_key)
        if entity is None:
            return StoredPricing(PriceRule())
        return StoredPricing(
            rule=_rule_of(entity),
            etag=entity["_etag"],
            updated_at=entity.get("updatedAt"),
            updated_by=entity.get("updatedBy") or None,
            reseller_id=entity.get("resellerId") or None,
        )

    def _put_pricing(
        self,
        provider_id: str,
        row_key: str,
        rule: PriceRule,
        *,
        etag: str | None,
        actor_id: str,
        now: datetime,
        extra: dict[str, Any] | None = None,
    ) -> StoredPricing:
        fields = {
            "margin": _margin_text(rule.margin),
            **_overrides_fields(rule),
            "updatedAt": now,
            "updatedBy": actor_id,
            **(extra or {}),
        }
        new_etag = self._write(provider_id, row_key, fields, etag=etag)
        reseller_id = (extra or {}).get("resellerId") or None
        return StoredPricing(rule, etag=new_etag, updated_at=now, updated_by=actor_id, reseller_id=reseller_id)

    def get_reseller_pricing(self, provider_id: str, reseller_id: str) -> StoredPricing:
        return self._get_pricing(provider_id, reseller_row(reseller_id))

    def put_reseller_pricing(
        self, provider_id: str, reseller_id: str, rule: PriceRule, *, etag: str | None, actor_id: str, now: datetime
    ) -> StoredPricing:
        """Replaces the reseller's pricing if the row is still as read (`etag` None: if there is none yet)."""
        return self._put_pricing(
            provider_id,
            reseller_row(reseller_id),
            rule,
            etag=etag,
            actor_id=actor_id,
            now=now,
            extra={"resellerId": reseller_id},
        )

    def get_customer_pricing(self, provider_id: str, customer_id: str) -> StoredPricing:
        return self._get_pricing(provider_id, customer_row(customer_id))

    def put_customer_pricing(
        self,
        provider_id: str,
        customer_id: str,
        reseller_id: str,
        rule: PriceRule,
        *,
        etag: str | None,
        actor_id: str,
        now: datetime,
    ) -> StoredPricing:
        return self._put_pricing(
            provider_id,
            customer_row(customer_id),
            rule,
            etag=etag,
            actor_id=actor_id,
            now=now,
            extra={"customerId": customer_id, "resellerId": reseller_id},
        )

    # -- default margins ---------------------------------------------------------------------------------------

    def _get_margin(self, provider_id: str, row_key: str) -> StoredMargin:
        entity = self._read(provider_id, row_key)
        if entity is None:
            return StoredMargin(None)
        return StoredMargin(
            margin=_margin_of(entity),
            etag=entity["_etag"],
            updated_at=entity.get("updatedAt"),
            updated_by=entity.get("updatedBy") or None,
        )

    def _put_margin(
        self, provider_id: str, row_key: str, margin: Decimal | None, *, etag: str | None, actor_id: str, now: datetime
    ) -> StoredMargin:
        fields = {"margin": _margin_text(margin), "updatedAt": now, "updatedBy": actor_id}
        new_etag = self._write(provider_id, row_key, fields, etag=etag)
        return StoredMargin(margin, etag=new_etag, updated_at=now, updated_by=actor_id)

    def get_provider_default(self, provider_id: str) -> StoredMargin:
        """The margin over cost for resellers without a margin of their own."""
        return self._get_margin(provider_id, PROVIDER_DEFAULT_ROW)

    def put_provider_default(
        self, provider_id: str, margin: Decimal | None, *, etag: str | None, actor_id: str, now: datetime
    ) -> StoredMargin:
        return self._put_margin(provider_id, PROVIDER_DEFAULT_ROW, margin, etag=etag, actor_id=actor_id, now=now)

    def get_reseller_default(self, provider_id: str, reseller_id: str) -> StoredMargin:
        """The reseller's margin over its own price for customers without a margin of their own."""
        return self._get_margin(provider_id, reseller_default_row(reseller_id))

    def put_reseller_default(
        self,
        provider_id: str,
        reseller_id: str,
        margin: Decimal | None,
        *,
        etag: str | None,
        actor_id: str,
        now: datetime,
    ) -> StoredMargin:
        return self._put_margin(
            provider_id, reseller_default_row(reseller_id), margin, etag=etag, actor_id=actor_id, now=now
        )
