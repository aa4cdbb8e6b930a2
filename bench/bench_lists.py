"""Lists across customers on Azurite: the approval queue of a provider with many customers, read from its list
partition (shared/storage/listings.py) next to the query lists replaced (a filter across every customer's
partition), and what listing adds to writing an order.

Prints, for CUSTOMERS customers with ORDERS_EACH orders each (one in twenty waiting for approval): the first page of
the approval queue (median of 20 reads) from the list and by the cross-partition filter, the rows each read, and
the median time to write an order with and without its list copies. OTHERS orders of other providers share the
table, as they do in a deployment: a filter across partitions reads past them, a list partition never does."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from local.azurite import free_port, start_azurite
from shared.domain.listings import list_partition
from shared.domain.orders import LinePrices, Order, OrderLine, OrderStatus
from shared.domain.scope import OrgType
from shared.storage.orders import TABLE, OrderRepository, _to_row
from shared.storage.tables import TableStorage, odata_quote

CUSTOMERS = 400
ORDERS_EACH = 5
OTHERS = 18_000
PAGE = 50


def an_order(provider_id: str, reseller_id: str, customer_id: str, n: int, created: datetime) -> Order:
    status = OrderStatus.PENDING_APPROVAL if n % 20 == 0 else OrderStatus.COMPLETED
    line = OrderLine(1, "P:S:A:P1Y:monthly", "P:S:A", "Seats", 3, "P1Y", "monthly", LinePrices("EUR", None, None, None))
    return Order(id=str(uuid.uuid4()), provider_id=provider_id, reseller_id=reseller_id, customer_id=customer_id,
                 customer_tenant_id="t", reseller_partner_id="p", lines=(line,), status=status, source="staff",
                 created_by="bench", created_at=created, updated_at=created)  # fmt: skip


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(connection: str, customers: int, orders_each: int, others: int) -> None:
    storage = TableStorage(connection_string=connection)
    repository = OrderRepository(storage)
    provider_id, start = str(uuid.uuid4()), datetime.now(UTC) - timedelta(days=30)
    resellers = [str(uuid.uuid4()) for _ in range(10)]
    listed_writes: list[float] = []
    n = 0
    for c in range(customers):
        customer_id = str(uuid.uuid4())
        for _ in range(orders_each):
            order = an_order(provider_id, resellers[c % 10], customer_id, n, start + timedelta(minutes=n))
            began = time.perf_counter()
            repository.add(order, outbox=None)
            listed_writes.append(time.perf_counter() - began)
            n += 1
    table = storage.table(TABLE)
    bare_writes = []
    for i in range(others):  # other providers' orders: a filter across partitions reads them too
        row = _to_row(an_order(f"other-{i % 20}", resellers[0], f"other-{i // 5}", i, start))
        began = time.perf_counter()
        table.create_entity(row)
        bare_writes.append(time.perf_counter() - began)

    partition = list_partition(OrgType.PROVIDER, provider_id)
    from_list, by_scan = [], []
    listed_count = scanned_count = 0
    for _ in range(20):
        began = time.perf_counter()
        page, _ = repository.listed(partition, statuses=("pendingApproval",), created_from=None, created_before=None,
                                    limit=PAGE, position=None)  # fmt: skip
        from_list.append(time.perf_counter() - began)
        listed_count = len(page)
        began = time.perf_counter()
        query = f"RowKey ge 'o|' and RowKey lt 'o}}' and providerId eq {odata_quote(provider_id)}"
        query += " and status eq 'pendingApproval'"
        found = list(table.query_entities(query, results_per_page=1000))
        by_scan.append(time.perf_counter() - began)
        scanned_count = len(found)
    print(f"   {customers} customers x {orders_each} orders ({n} orders, {scanned_count} waiting for approval), "
          f"beside {others} orders of other providers")  # fmt: skip
    print(f"   approval queue, first page of {PAGE}: from the list {median_ms(from_list):.1f} ms "
          f"({listed_count} rows); "
          f"by a filter across every customer's partition {median_ms(by_scan):.1f} ms; "
          f"ratio {statistics.median(by_scan) / statistics.median(from_list):.1f}x")  # fmt: skip
    print(f"   rows the table service examines for it: the list {listed_count + 1} (one range, one look ahead), "
          f"the filter every order in the table ({n + others})")  # fmt: skip
    print(f"   writing an order: with its list copies {median_ms(listed_writes):.1f} ms, "
          f"the row alone {median_ms(bare_writes):.1f} ms (median)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--orders-each", type=int, default=ORDERS_EACH)
    parser.add_argument("--others", type=int, default=OTHERS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        azurite = start_azurite(Path(tmp) / "azurite", blob_port=free_port(), queue_port=free_port(),
                                table_port=free_port())  # fmt: skip
        try:
            run(azurite.connection_string, args.customers, args.orders_each, args.others)
        finally:
            azurite.stop()


if __name__ == "__main__":
    main()
