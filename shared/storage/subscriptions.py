"""The subscription mirror: one partition per customer, plus an index from subscription id to customer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError

from shared.domain.listings import list_partition, list_partitions, subscription_ranges, subscription_row_keys
from shared.domain.renewals import ExtendedTerm, ScheduledChanges
from shared.domain.scope import OrgType
from shared.domain.subscriptions import ChangeKind, ChangeStatus, PendingChange, SeatLot, Subscription
from shared.storage.listings import ListedKind, Listings, every_page, is_conflict, version_of, without_markers
from shared.storage.snapshot import snapshot
from shared.storage.tables import TableStorage, iter_query, odata_quote, safe_key, unless_changed

TABLE = "subscriptions"
INDEX = "subscriptionindex"
LIST_TABLE = "subscriptionlists"
_MARKER = "~listing|"
_INDEX_ROW = "s"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _to_row(sub: Subscription) -> dict[str, Any]:
    row = {
        "PartitionKey": safe_key(sub.customer_id),
        "RowKey": safe_key(sub.id),
        "id": sub.id,
        "providerId": sub.provider_id,
        "resellerId": sub.reseller_id,
        "customerId": sub.customer_id,
        "customerTenantId": sub.customer_tenant_id,
        "catalogItemId": sub.catalog_item_id,
        "offerId": sub.offer_id,
        "name": sub.name,
        "quantity": sub.quantity,
        "status": sub.status,
        "autoRenew": sub.auto_renew,
        "termDuration": sub.term_duration,
        "billingCycle": sub.billing_cycle,
        "termStartDate": sub.term_start_date,
        "termEndDate": sub.term_end_date,
        "cancellationWindowEndsAt": sub.cancellation_window_ends_at,
        "partnerId": sub.partner_id,
        "orderId": sub.order_id,
        "lots": orjson.dumps(
            [{"quantity": lot.quantity, "allowedUntil": lot.allowed_until.isoformat()} for lot in sub.lots]
        ).decode(),
        "change": orjson.dumps(snapshot(sub.change)).decode() if sub.change else None,
        "updatedAt": sub.updated_at,
        "syncedAt": sub.synced_at,
        "flag": sub.flag,
        "isTrial": sub.is_trial or None,
        "scheduledChanges": orjson.dumps(_scheduled_row(sub.scheduled)).decode() if sub.scheduled else None,
        "cancelAtEndOfTerm": sub.cancel_at_end_of_term or None,
        "extendedTerm": orjson.dumps(_extended_row(sub.extended_term)).decode() if sub.extended_term else None,
        "endOfTerm": sub.end_of_term.value,  # a column, so lists filter on it
        "upgradedFrom": sub.upgraded_from,
        "upgradedTo": sub.upgraded_to,
    }
    return {k: v for k, v in row.items() if v is not None}


def _from_row(row: dict[str, Any]) -> Subscription:
    change = orjson.loads(row["change"]) if row.get("change") else None
    return Subscription(
        id=row["id"],
        provider_id=row["providerId"],
        reseller_id=row["resellerId"],
        customer_id=row["customerId"],
        customer_tenant_id=row["customerTenantId"],
        catalog_item_id=row.get("catalogItemId"),
        offer_id=row["offerId"],
        name=row.get("name", ""),
        quantity=int(row["quantity"]),
        status=row["status"],
        auto_renew=bool(row.get("autoRenew", False)),
        term_duration=row.get("termDuration", ""),
        billing_cycle=row.get("billingCycle", ""),
        term_start_date=row.get("termStartDate"),
        term_end_date=row.get("termEndDate"),
        cancellation_window_ends_at=row.get("cancellationWindowEndsAt"),
        partner_id=row.get("partnerId", ""),
        order_id=row.get("orderId"),
        lots=tuple(
            SeatLot(int(lot["quantity"]), datetime.fromisoformat(lot["allowedUntil"]))
            for lot in orjson.loads(row.get("lots") or "[]")
        ),
        change=None
        if change is None
        else PendingChange(
            id=change["id"],
            kind=ChangeKind(change["kind"]),
            value=change["value"],
            requested_by=change["requestedBy"],
            requested_at=datetime.fromisoformat(change["requestedAt"]),
            status=ChangeStatus(change["status"]),
            error=change.get("error"),
            attempt=int(change.get("attempt", 1)),
        ),
        updated_at=row.get("updatedAt"),
        synced_at=row.get("syncedAt"),
        flag=row.get("flag"),
        is_trial=bool(row.get("isTrial", False)),
        scheduled=_scheduled_of(orjson.loads(row["scheduledChanges"])) if row.get("scheduledChanges") else None,
        cancel_at_end_of_term=bool(row.get("cancelAtEndOfTerm", False)),
        extended_term=_extended_of(orjson.loads(row["extendedTerm"])) if row.get("extendedTerm") else None,
        upgraded_from=row.get("upgradedFrom"),
        upgraded_to=row.get("upgradedTo"),
    )


def _scheduled_row(scheduled: ScheduledChanges) -> dict[str, Any]:
    return {
        "offerId": scheduled.offer_id,
        "quantity": scheduled.quantity,
        "termDuration": scheduled.term_duration,
        "billingCycle": scheduled.billing_cycle,
        "customTermEndDate": scheduled.custom_term_end_date.isoformat() if scheduled.custom_term_end_date else None,
        "promotionId": scheduled.promotion_id,
    }


def _scheduled_of(data: dict[str, Any]) -> ScheduledChanges:
    end = data.get("customTermEndDate")
    return ScheduledChanges(offer_id=data["offerId"], quantity=int(data["quantity"]),
                            term_duration=data["termDuration"], billing_cycle=data["billingCycle"],
                            custom_term_end_date=date.fromisoformat(end) if end else None,
                            promotion_id=data.get("promotionId"))  # fmt: skip


def _extended_row(extended: ExtendedTerm) -> dict[str, Any]:
    return {"start": extended.start.isoformat(), "end": extended.end.isoformat(),
            "premiumRate": str(extended.premium_rate)}  # fmt: skip


def _extended_of(data: dict[str, Any]) -> ExtendedTerm:
    return ExtendedTerm(start=datetime.fromisoformat(data["start"]), end=datetime.fromisoformat(data["end"]),
                        premium_rate=Decimal(data["premiumRate"]))  # fmt: skip


SUBSCRIPTION_LISTS = ListedKind(
    entity_table=TABLE,
    list_table=LIST_TABLE,
    marker_prefix=_MARKER,  # after every subscription id: a scan of a customer's subscriptions stops before it
    entity_rows=f"RowKey lt {odata_quote(_MARKER)}",
    partitions=lambda row: list_partitions(row["providerId"], row["resellerId"], row["customerId"]),
    row_keys=lambda row: subscription_row_keys(row["id"], row["status"], row["offerId"], row.get("termEndDate")),
)


class SubscriptionRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage
        self.lists = Listings(storage, SUBSCRIPTION_LISTS)

    @property
    def _table(self) -> Any:
        return self._storage.table(TABLE)

    def locate(self, subscription_id: str) -> tuple[str, str] | None:
        """(provider id, customer id) of a mirrored subscription."""
        try:
            row = self._storage.table(INDEX).get_entity(safe_key(subscription_id), _INDEX_ROW)
        except ResourceNotFoundError:
            return None
        return str(row["providerId"]), str(row["customerId"])

    def get(self, customer_id: str, subscription_id: str) -> Subscription | None:
        try:
            return _from_row(dict(self._table.get_entity(safe_key(customer_id), safe_key(subscription_id))))
        except ResourceNotFoundError:
            return None

    def write(
        self,
        customer_id: str,
        subscription_id: str,
        build: Callable[[Subscription | None], Subscription | None],
        *,
        attempts: int = 10,
    ) -> tuple[Subscription | None, Subscription | None]:
        """Builds the row from what is stored now (None: nothing yet) and writes it only if nobody wrote in
        between (insert when absent, If-Match otherwise), building again when someone did: concurrent writers of
        one subscription never overwrite each other blindly. Returns (what was there, what is there now);
        `build` returning None leaves the row as it is."""
        pk, rk = safe_key(customer_id), safe_key(subscription_id)
        for _ in range(attempts):
            try:
                entity = self._table.get_entity(pk, rk)
            except ResourceNotFoundError:
                entity = None
            before = _from_row(dict(entity)) if entity is not None else None
            after = build(before)
            if after is None:
                return before, before
            row = {**_to_row(after), "version": version_of(entity) + 1}
            if entity is None:
                self._write_index(after)
            try:
                self.lists.commit(unless_changed(row, None if entity is None else entity.metadata["etag"]))
            except TableTransactionError as error:
                if is_conflict(error):
                    continue
                raise
            return before, after
        raise ResourceModifiedError(f"gave up after {attempts} concurrent writes of subscription {subscription_id}")

    def _write_index(self, sub: Subscription) -> None:
        """The index row first, so a mirrored subscription is always found."""
        self._storage.table(INDEX).upsert_entity(
            {
                "PartitionKey": safe_key(sub.id),
                "RowKey": _INDEX_ROW,
                "providerId": sub.provider_id,
                "customerId": sub.customer_id,
            }
        )

    def update(
        self, customer_id: str, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription:
        """Changes a stored subscription (ResourceNotFoundError when there is none)."""

        def build(before: Subscription | None) -> Subscription | None:
            if before is None:
                raise ResourceNotFoundError(f"subscription {subscription_id} is not mirrored")
            return change(before)

        before, after = self.write(customer_id, subscription_id, build)
        return after or before  # type: ignore[return-value]  # build raised when there was nothing

    def listed(
        self,
        partition: str,
        *,
        statuses: tuple[str, ...],
        product_id: str | None,
        term_ends_from: datetime | None,
        term_ends_before: datetime | None,
        auto_renew: bool | None,
        limit: int,
        position: dict[str, str] | None,
        end_of_term: str | None = None,
    ) -> tuple[list[Subscription], dict[str, str] | None]:
        """One page of an organisation's list of subscriptions (shared/domain/listings.py), by term end."""
        ranges, filtered = subscription_ranges(
            statuses, product_id=product_id, term_ends_from=term_ends_from, term_ends_before=term_ends_before
        )
        where = [" or ".join(f"status eq {odata_quote(status)}" for status in filtered)] if filtered else []
        if auto_renew is not None:
            where.append(f"autoRenew eq {'true' if auto_renew else 'false'}")
        if end_of_term is not None:
            where.append(f"endOfTerm eq {odata_quote(end_of_term)}")
        page = self.lists.page(
            partition,
            ranges,
            limit=limit,
            position=position,
            where=" and ".join(f"({part})" for part in where) or None,
        )
        return [_from_row(row) for row in page.rows], page.next_position

    def ending_between(self, provider_id: str, start: datetime, end: datetime) -> Iterator[Subscription]:
        """A provider's active subscriptions whose term ends in [start, end) and will not renew, from its list
        partition (the 'expiring' notice reads this instead of every subscription)."""
        partition = list_partition(OrgType.PROVIDER, provider_id)
        yield from every_page(lambda position: self.listed(partition, statuses=("active",), product_id=None,
                                                           term_ends_from=start, term_ends_before=end, auto_renew=False,
                                                           limit=1000, position=position))  # fmt: skip

    def for_customer(self, customer_id: str) -> Iterator[Subscription]:
        rows = iter_query(self._table, query_filter=f"PartitionKey eq {odata_quote(safe_key(customer_id))}")
        yield from (_from_row(row) for row in without_markers(rows, self.lists))

    def for_provider(self, provider_id: str) -> Iterator[Subscription]:
        """Every mirrored subscription of a provider (billing and the sync read this)."""
        rows = iter_query(self._table, query_filter=f"providerId eq {odata_quote(provider_id)}")
        yield from (_from_row(row) for row in without_markers(rows, self.lists))

    def with_pending_changes(self) -> Iterator[Subscription]:
        for row in without_markers(iter_query(self._table, query_filter="change ne ''"), self.lists):
            sub = _from_row(row)
            if sub.change and sub.change.status == "pending":
                yield sub


__all__ = ["SubscriptionRepository", "_iso"]
