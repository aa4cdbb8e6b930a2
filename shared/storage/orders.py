"""Orders and their outbox rows in one partition per customer: an order is accepted together with the
intent to provision it, in one entity-group transaction, or not at all. The order index says which customer's
partition holds an order."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableTransactionError

from shared.domain.listings import list_partition, list_partitions, order_ranges, order_row_keys
from shared.domain.orders import LinePrices, LineStatus, Order, OrderLine, OrderStatus, Provisioning
from shared.domain.scope import OrgType
from shared.messaging import QueueMessage, QueueNames
from shared.storage.listings import ListedKind, Listings, every_page, is_conflict, version_of
from shared.storage.tables import TableStorage, iter_query, odata_quote, safe_key, unless_changed

TABLE = "orders"
LIST_TABLE = "orderlists"
INDEX = "orderindex"
PROVISION = "order.provision"
_ORDER = "o|"
_OUTBOX = "outbox|"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _coterm_json(line: OrderLine) -> dict[str, Any]:
    """A co-termed line's fields; none on other lines, so their stored form is as before."""
    if line.custom_term_end_date is None:
        return {}
    return {
        "coterminateWith": line.coterminate_with,
        "customTermEndDate": line.custom_term_end_date.isoformat(),
        "firstCycleFraction": _dec(line.first_cycle_fraction),
    }


def _lines_json(lines: tuple[OrderLine, ...]) -> str:
    return orjson.dumps(
        [
            {
                "number": line.number,
                "catalogItemId": line.catalog_item_id,
                "offerId": line.offer_id,
                "title": line.title,
                "quantity": line.quantity,
                "termDuration": line.term_duration,
                "billingCycle": line.billing_cycle,
                "status": line.status.value,
                "subscriptionId": line.subscription_id,
                "error": line.error,
                "partnerCenterOrderId": line.partner_center_order_id,
                "promotionId": line.promotion_id,
                **_coterm_json(line),
                "prices": {
                    "currency": line.prices.currency,
                    "providerCost": _dec(line.prices.provider_cost),
                    "resellerPrice": _dec(line.prices.reseller_price),
                    "customerPrice": _dec(line.prices.customer_price),
                },
            }
            for line in lines
        ]
    ).decode()


def _lines(text: str) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(
            number=int(raw["number"]),
            catalog_item_id=raw["catalogItemId"],
            offer_id=raw["offerId"],
            title=raw["title"],
            quantity=int(raw["quantity"]),
            term_duration=raw["termDuration"],
            billing_cycle=raw["billingCycle"],
            status=LineStatus(raw["status"]),
            subscription_id=raw.get("subscriptionId"),
            error=raw.get("error"),
            partner_center_order_id=raw.get("partnerCenterOrderId"),
            promotion_id=raw.get("promotionId"),
            coterminate_with=raw.get("coterminateWith"),
            custom_term_end_date=date.fromisoformat(raw["customTermEndDate"]) if raw.get("customTermEndDate") else None,
            first_cycle_fraction=_undec(raw.get("firstCycleFraction")),
            prices=LinePrices(
                currency=raw["prices"]["currency"],
                provider_cost=_undec(raw["prices"]["providerCost"]),
                reseller_price=_undec(raw["prices"]["resellerPrice"]),
                customer_price=_undec(raw["prices"]["customerPrice"]),
            ),
        )
        for raw in orjson.loads(text)
    )


def _to_row(order: Order) -> dict[str, Any]:
    p = order.provisioning
    row = {
        "PartitionKey": safe_key(order.customer_id),
        "RowKey": _ORDER + safe_key(order.id),
        "id": order.id,
        "providerId": order.provider_id,
        "resellerId": order.reseller_id,
        "customerId": order.customer_id,
        "customerTenantId": order.customer_tenant_id,
        "resellerPartnerId": order.reseller_partner_id,
        "lines": _lines_json(order.lines),
        "status": order.status.value,
        "source": order.source,
        "createdBy": order.created_by,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
        "failureReason": order.failure_reason,
        "rejectionReason": order.rejection_reason,
        "decidedBy": order.decided_by,
        "pAttempt": p.attempt,
        "pCartId": p.cart_id,
        "pCartRequestId": p.cart_request_id,
        "pCheckoutRequestId": p.checkout_request_id,
        "pCheckedOut": p.checked_out,
        "pOrderIds": ",".join(p.partner_center_order_ids),
        "pNextAt": p.next_at,
        "pLastError": p.last_error,
    }
    return {k: v for k, v in row.items() if v is not None}


def _from_row(row: dict[str, Any]) -> Order:
    return Order(
        id=row["id"],
        provider_id=row["providerId"],
        reseller_id=row["resellerId"],
        customer_id=row["customerId"],
        customer_tenant_id=row["customerTenantId"],
        reseller_partner_id=row["resellerPartnerId"],
        lines=_lines(row["lines"]),
        status=OrderStatus(row["status"]),
        source=row["source"],
        created_by=row["createdBy"],
        created_at=row["createdAt"],
        updated_at=row["updatedAt"],
        failure_reason=row.get("failureReason"),
        rejection_reason=row.get("rejectionReason"),
        decided_by=row.get("decidedBy"),
        provisioning=Provisioning(
            attempt=int(row.get("pAttempt", 1)),
            cart_id=row.get("pCartId"),
            cart_request_id=row.get("pCartRequestId"),
            checkout_request_id=row.get("pCheckoutRequestId"),
            checked_out=bool(row.get("pCheckedOut", False)),
            partner_center_order_ids=tuple(x for x in (row.get("pOrderIds") or "").split(",") if x),
            next_at=row.get("pNextAt"),
            last_error=row.get("pLastError"),
        ),
    )


def outbox_row(order: Order, queue: str, message_type: str, attempt: int) -> dict[str, Any]:
    return {
        "PartitionKey": safe_key(order.customer_id),
        "RowKey": _OUTBOX + safe_key(order.id),
        "queue": queue,
        "type": message_type,
        "entityId": order.id,
        "attempt": attempt,
        "payload": orjson.dumps({"customerId": order.customer_id, "providerId": order.provider_id}).decode(),
    }


def provision_message(order: Order) -> QueueMessage:
    """The `order.provision` message of the order's current attempt (its id is the same for a re-send)."""
    return QueueMessage(
        type=PROVISION,
        entity_id=order.id,
        attempt=order.provisioning.attempt,
        payload={"customerId": order.customer_id, "providerId": order.provider_id},
    )


def provision_outbox(order: Order, *, not_before: datetime | None = None) -> dict[str, Any]:
    """The outbox row of the order's `order.provision` message, written with the order (the message waiting)."""
    row = outbox_row(order, QueueNames.PROVISIONING, PROVISION, order.provisioning.attempt)
    return row if not_before is None else {**row, "notBefore": not_before}


def outbox_message(row: dict[str, Any]) -> QueueMessage:
    """The message an outbox row holds, as it is sent."""
    payload = dict(orjson.loads(row.get("payload") or "{}"))
    return QueueMessage(type=row["type"], entity_id=row["entityId"], attempt=int(row["attempt"]), payload=payload)


def _outbox_upsert(outbox: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    return [] if outbox is None else [("upsert", outbox)]


ORDER_LISTS = ListedKind(
    entity_table=TABLE,
    list_table=LIST_TABLE,
    marker_prefix="listing|",
    entity_rows="RowKey ge 'o|' and RowKey lt 'o}'",
    partitions=lambda row: list_partitions(row["providerId"], row["resellerId"], row["customerId"]),
    row_keys=lambda row: order_row_keys(row["id"], row["status"], row["createdAt"]),
)


class OrderRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage
        self.lists = Listings(storage, ORDER_LISTS)

    @property
    def _table(self) -> Any:
        return self._storage.table(TABLE)

    def add(self, order: Order, *, outbox: dict[str, Any] | None) -> Order:
        """The order, its list marker and (when it is to be provisioned) its outbox row, atomically."""
        self.lists.commit(("create", {**_to_row(order), "version": 1}), *_outbox_upsert(outbox))
        return order

    def get(self, customer_id: str, order_id: str) -> Order | None:
        try:
            return _from_row(dict(self._table.get_entity(safe_key(customer_id), _ORDER + safe_key(order_id))))
        except ResourceNotFoundError:
            return None

    def update(
        self, order: Order, change: Callable[[Order], Order | None], *, outbox: dict[str, Any] | None = None
    ) -> Order:
        """ETag-guarded, with its list marker (and `outbox`, when given) in the same transaction."""
        for _ in range(10):
            current = self._table.get_entity(safe_key(order.customer_id), _ORDER + safe_key(order.id))
            changed = change(_from_row(dict(current)))
            if changed is None:
                return _from_row(dict(current))
            row = {**_to_row(changed), "version": version_of(current) + 1}
            try:
                self.lists.commit(unless_changed(row, current.metadata["etag"]), *_outbox_upsert(outbox))
            except TableTransactionError as error:
                if is_conflict(error):
                    continue
                raise
            return changed
        raise RuntimeError(f"order {order.id} kept changing under us")

    def listed(
        self,
        partition: str,
        *,
        statuses: tuple[str, ...],
        created_from: datetime | None,
        created_before: datetime | None,
        limit: int,
        position: dict[str, str] | None,
    ) -> tuple[list[Order], dict[str, str] | None]:
        """One page of an organisation's list of orders (shared/domain/listings.py), newest first."""
        ranges = order_ranges(statuses, created_from=created_from, created_before=created_before)
        page = self.lists.page(partition, ranges, limit=limit, position=position)
        return [_from_row(row) for row in page.rows], page.next_position

    def for_customer(self, customer_id: str) -> Iterator[Order]:
        """Every order of one customer (one partition)."""
        query = f"PartitionKey eq {odata_quote(safe_key(customer_id))} and RowKey ge 'o|' and RowKey lt 'o}}'"
        for row in iter_query(self._table, query_filter=query):
            yield _from_row(row)

    def outbox(self) -> Iterator[dict[str, Any]]:
        """Outbox rows left behind (a crash between commit and send), across customers."""
        yield from iter_query(self._table, query_filter="RowKey ge 'outbox|' and RowKey lt 'outbox}'")

    def remove_outbox(self, row: dict[str, Any]) -> None:
        """After its message was sent (deterministic id: sending twice is harmless)."""
        with contextlib.suppress(ResourceNotFoundError):
            self._table.delete_entity(row["PartitionKey"], row["RowKey"])

    def in_progress(self) -> Iterator[Order]:
        """Orders not yet settled, across customers (the sweep makes sure none is forgotten)."""
        for status in (OrderStatus.ACCEPTED, OrderStatus.PROVISIONING):
            for row in iter_query(
                self._table, query_filter=f"RowKey ge 'o|' and RowKey lt 'o}}' and status eq '{status.value}'"
            ):
                yield _from_row(row)

    def in_flight(self, provider_id: str) -> Iterator[Order]:
        """A provider's orders waiting for approval or still provisioning (the dashboard's count), from its list
        partition rather than every customer's."""
        partition = list_partition(OrgType.PROVIDER, provider_id)
        statuses = (OrderStatus.PENDING_APPROVAL.value, OrderStatus.ACCEPTED.value, OrderStatus.PROVISIONING.value)
        yield from every_page(
            lambda position: self.listed(
                partition, statuses=statuses, created_from=None, created_before=None, limit=1000, position=position
            )
        )

    def updated_since(self, since: datetime) -> Iterator[Order]:
        """Orders written since a moment, across customers (the sweep's look for orphans of recent purchases)."""
        for row in iter_query(
            self._table,
            query_filter="RowKey ge 'o|' and RowKey lt 'o}' and updatedAt ge @since",
            parameters={"since": since},
        ):
            yield _from_row(row)


class OrderIndex:
    """Order id → its customer's partition."""

    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def add(self, order: Order) -> None:
        self._storage.table(INDEX).upsert_entity(
            {
                "PartitionKey": safe_key(order.id),
                "RowKey": "o",
                "customerId": order.customer_id,
                "providerId": order.provider_id,
            }
        )

    def customer_of(self, order_id: str) -> str | None:
        try:
            return str(self._storage.table(INDEX).get_entity(safe_key(order_id), "o")["customerId"])
        except ResourceNotFoundError:
            return None


__all__ = [
    "PROVISION",
    "OrderIndex",
    "OrderRepository",
    "outbox_message",
    "outbox_row",
    "provision_message",
    "provision_outbox",
]
