"""Lists across customers (docs/business.md#work-across-customers): staff see the orders and subscriptions of every
customer in their scope, by status, reseller, date, product and renewal, paged; a reseller sees its own customers'
only; a list reads one list partition and never scans every customer's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.orders import LinePrices, Order, OrderLine, OrderStatus
from shared.domain.scope import OrgRef, OrgType, Role
from shared.domain.subscriptions import Subscription
from shared.services.sweeps import repair_lists
from shared.storage.orders import OrderIndex
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox, new_domain, new_partner_id, work_queue
from tests.support.platform import new_id

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def world(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """A provider with two resellers: the first with two customers, the second with one."""
    shop = ready_shop(client, container, pc, sandbox)
    provider_id = shop["provider"]["id"]
    admin = shop["auth"](shop["providerAdmin"])
    second_customer = _customer(client, container, pc, shop, shop["resellerId"], shop["resellerPartnerId"])
    other_partner = new_partner_id()
    invitation = {"partnerId": other_partner, "name": "Contoso Partners", "contactEmail": "it@contoso.example"}
    other_reseller = client.post("/api/reseller-invitations", headers=admin, json=invitation).json()["resellerId"]
    pc.reseller_accepts(shop["app"]["tenantId"], other_partner, name="Contoso Partners")
    reseller_status = lambda: client.get(f"/api/resellers/{other_reseller}", headers=admin).json()["status"]  # noqa: E731
    work_queue(container, lambda: reseller_status() == "active")
    other_customer = _customer(client, container, pc, shop, other_reseller, other_partner)
    people = {
        "providerStaff": shop["addMember"](OrgRef(OrgType.PROVIDER, provider_id), Role.PROVIDER_STAFF),
        "resellerStaff": shop["resellerStaff"],
        "otherResellerStaff": shop["addMember"](
            OrgRef(OrgType.RESELLER, other_reseller, provider_id=provider_id), Role.RESELLER_STAFF
        ),
        "customerAdmin": shop["addMember"](
            OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=provider_id, reseller_id=shop["resellerId"]),
            Role.CUSTOMER_ADMIN,
        ),
        "operator": shop["addMember"](OrgRef.operator(), Role.OPERATOR),
    }
    return {
        **shop,
        "people": people,
        "customers": {
            shop["customerId"]: shop["resellerId"],
            second_customer: shop["resellerId"],
            other_customer: other_reseller,
        },
        "firstCustomer": shop["customerId"],
        "secondCustomer": second_customer,
        "otherReseller": other_reseller,
        "otherCustomer": other_customer,
    }


def _customer(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any], reseller_id: str, partner_id: str
) -> str:
    admin = shop["auth"](shop["providerAdmin"])
    domain = new_domain()
    invitation = {"resellerId": reseller_id, "name": "Tailspin", "domain": domain, "contactEmail": "it@t.example"}
    customer_id = str(client.post("/api/customer-invitations", headers=admin, json=invitation).json()["customerId"])
    pc.customer_accepts(shop["app"]["tenantId"], partner_id, domain=domain, country="US")
    status = lambda: client.get(f"/api/customers/{customer_id}", headers=admin).json()["status"]  # noqa: E731
    work_queue(container, lambda: status() == "active")
    return customer_id


def an_order(world: dict[str, Any], customer_id: str, status: OrderStatus, created_at: datetime) -> Order:
    line = OrderLine(number=1, catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0K59S:P1Y:monthly",
                     offer_id="CFQ7TTC0LH18:0001:CFQ7TTC0K59S", title="Microsoft 365 Business Basic", quantity=3,
                     term_duration="P1Y", billing_cycle="monthly",
                     prices=LinePrices("USD", None, None, None))  # fmt: skip
    return Order(id=new_id("ord-"), provider_id=world["provider"]["id"], reseller_id=world["customers"][customer_id],
                 customer_id=customer_id, customer_tenant_id="t", reseller_partner_id="p", lines=(line,),
                 status=status, source="staff", created_by="u", created_at=created_at,
                 updated_at=created_at)  # fmt: skip


def a_subscription(
    world: dict[str, Any], customer_id: str, *, status: str, term_end: datetime | None, offer: str, renews: bool
) -> Subscription:
    return Subscription(id=new_id("sub-"), provider_id=world["provider"]["id"],
                        reseller_id=world["customers"][customer_id], customer_id=customer_id, customer_tenant_id="t",
                        catalog_item_id=None, offer_id=offer, name="Seats", quantity=2, status=status,
                        auto_renew=renews, term_duration="P1Y", billing_cycle="monthly",
                        term_start_date=None if term_end is None else term_end - timedelta(days=365),
                        term_end_date=term_end, cancellation_window_ends_at=None, partner_id="p",
                        order_id=None)  # fmt: skip


@pytest.fixture(scope="module")
def orders(container: Container, world: dict[str, Any]) -> list[Order]:
    """Nine orders across the three customers, an hour apart, in every kind of state."""
    states = [OrderStatus.PENDING_APPROVAL, OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.PROVISIONING,
              OrderStatus.PENDING_APPROVAL, OrderStatus.PARTIALLY_COMPLETED, OrderStatus.ACCEPTED,
              OrderStatus.PENDING_APPROVAL, OrderStatus.REJECTED]  # fmt: skip
    customers = [world["firstCustomer"], world["secondCustomer"], world["otherCustomer"]]
    placed = []
    for n, status in enumerate(states):
        order = an_order(world, customers[n % 3], status, NOW - timedelta(days=3) + timedelta(hours=n))
        container.orders.add(order, outbox=None)
        placed.append(order)
    return placed


@pytest.fixture(scope="module")
def subscriptions(container: Container, world: dict[str, Any]) -> list[Subscription]:
    """Subscriptions of two products across the customers, with terms ending from next week to next year."""
    plans = [
        (world["firstCustomer"], "active", 5, "CFQ7TTC0LH18:0001:A", False),
        (world["secondCustomer"], "suspended", 20, "CFQ7TTC0LH18:0001:A", True),
        (world["otherCustomer"], "active", 12, "CFQ7TTC0LF8Q:0002:B", True),
        (world["firstCustomer"], "active", 200, "CFQ7TTC0LF8Q:0002:B", True),
        (world["secondCustomer"], "active", 40, "CFQ7TTC0LF8Q:0002:B", False),
        (world["otherCustomer"], "suspended", 3, "CFQ7TTC0LH18:0001:A", True),
    ]
    made = []
    for customer_id, status, days, offer, renews in plans:
        sub = a_subscription(world, customer_id, status=status, term_end=NOW + timedelta(days=days), offer=offer,
                             renews=renews)  # fmt: skip
        container.subscriptions.write(customer_id, sub.id, lambda _, s=sub: s)
        made.append(sub)
    return made


def listed(client: TestClient, world: dict[str, Any], who: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a list, followed to its end with small pages."""
    headers = world["auth"](world["people"].get(who) or world[who])
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(50):
        answer = client.get(path, headers=headers, params={**params, "limit": 2, "continuationToken": token})
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        token = answer.json()["continuationToken"]
        if token is None:
            return items
    raise AssertionError("the list never ended")


def ours(items: list[dict[str, Any]], made: list[Any]) -> list[str]:
    known = {x.id for x in made}
    return [item["id"] for item in items if item["id"] in known]


def ids(made: list[Any], keep: Callable[[Any], bool]) -> list[str]:
    return [x.id for x in made if keep(x)]


# Orders -----------------------------------------------------------------------------------------------------


def test_provider_staff_see_the_approval_queue_across_all_customers_newest_first(
    client: TestClient, world: dict[str, Any], orders: list[Order]
) -> None:
    queue = listed(client, world, "providerStaff", "/api/orders", status="pendingApproval")
    expected = ids(sorted(orders, key=lambda o: o.created_at, reverse=True),
                   lambda o: o.status is OrderStatus.PENDING_APPROVAL)  # fmt: skip
    assert ours(queue, orders) == expected and len(expected) == 3
    assert {o["status"] for o in queue} == {"pendingApproval"}


def test_several_statuses_merge_into_one_list_paged_across_partitions(
    client: TestClient, world: dict[str, Any], orders: list[Order]
) -> None:
    """Failed provisioning (failed or partly completed) and in flight (accepted or provisioning), each one list."""
    newest_first = sorted(orders, key=lambda o: o.created_at, reverse=True)
    failed = listed(client, world, "providerStaff", "/api/orders", status=["failed", "partiallyCompleted"])
    assert ours(failed, orders) == ids(newest_first, lambda o: o.status in ("failed", "partiallyCompleted"))
    in_flight = listed(client, world, "providerAdmin", "/api/orders", status=["accepted", "provisioning"])
    assert ours(in_flight, orders) == ids(newest_first, lambda o: o.status in ("accepted", "provisioning"))
    everything = listed(client, world, "providerAdmin", "/api/orders")
    assert ours(everything, orders) == ids(newest_first, lambda o: True)
    assert len({o["id"] for o in everything}) == len(everything)  # no order twice across pages


def test_orders_by_reseller_and_by_date(client: TestClient, world: dict[str, Any], orders: list[Order]) -> None:
    newest_first = sorted(orders, key=lambda o: o.created_at, reverse=True)
    of_other = listed(client, world, "providerStaff", "/api/orders", resellerId=world["otherReseller"])
    assert ours(of_other, orders) == ids(newest_first, lambda o: o.reseller_id == world["otherReseller"])
    start, end = orders[2].created_at, orders[6].created_at
    window = listed(client, world, "providerStaff", "/api/orders", createdFrom=start.isoformat(),
                    createdBefore=end.isoformat())  # fmt: skip
    assert ours(window, orders) == ids(newest_first, lambda o: start <= o.created_at < end)
    assert len(ours(window, orders)) == 4
    pending_of_first = listed(client, world, "providerStaff", "/api/orders", customerId=world["firstCustomer"],
                              status="pendingApproval")  # fmt: skip
    assert ours(pending_of_first, orders) == ids(
        newest_first, lambda o: o.customer_id == world["firstCustomer"] and o.status == "pendingApproval"
    )


def test_a_reseller_sees_its_own_customers_orders_only(
    client: TestClient, world: dict[str, Any], orders: list[Order]
) -> None:
    newest_first = sorted(orders, key=lambda o: o.created_at, reverse=True)
    mine = listed(client, world, "resellerStaff", "/api/orders")
    assert ours(mine, orders) == ids(newest_first, lambda o: o.reseller_id == world["resellerId"])
    assert world["otherReseller"] not in {o["resellerId"] for o in mine}
    theirs = listed(client, world, "otherResellerStaff", "/api/orders", status="pendingApproval")
    assert ours(theirs, orders) == ids(
        newest_first, lambda o: o.reseller_id == world["otherReseller"] and o.status == "pendingApproval"
    )
    headers = world["auth"](world["resellerStaff"])
    for params in ({"resellerId": world["otherReseller"]}, {"customerId": world["otherCustomer"]},
                   {"providerId": "another-provider"}):  # fmt: skip
        assert client.get("/api/orders", headers=headers, params=params).status_code == 404


def test_a_customer_admin_sees_its_own_orders_only(
    client: TestClient, world: dict[str, Any], orders: list[Order]
) -> None:
    own = listed(client, world, "customerAdmin", "/api/orders")
    assert set(ours(own, orders)) == set(ids(orders, lambda o: o.customer_id == world["firstCustomer"]))
    headers = world["auth"](world["people"]["customerAdmin"])
    assert client.get("/api/orders", headers=headers, params={"customerId": world["secondCustomer"]}).status_code == 404
    assert client.get("/api/orders", headers=headers, params={"resellerId": world["resellerId"]}).status_code == 404


def test_the_operator_names_the_provider(client: TestClient, world: dict[str, Any], orders: list[Order]) -> None:
    headers = world["auth"](world["people"]["operator"])
    unnamed = client.get("/api/orders", headers=headers)
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "providerId"
    assert client.get("/api/orders", headers=headers, params={"providerId": "no-such-provider"}).status_code == 404
    named = listed(client, world, "operator", "/api/orders", providerId=world["provider"]["id"])
    assert set(ours(named, orders)) == {o.id for o in orders}


def test_bad_list_queries_are_refused(client: TestClient, world: dict[str, Any]) -> None:
    headers = world["auth"](world["providerAdmin"])
    for params, field in (({"status": "shipped"}, "status[0]"), ({"createdFrom": "yesterday"}, "createdFrom"),
                          ({"status": ["failed", "active"]}, "status[1]")):  # fmt: skip
        refused = client.get("/api/orders", headers=headers, params=params)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]
    forged = client.get("/api/orders", headers=headers, params={"status": "failed", "continuationToken": "abc.def"})
    assert forged.status_code == 400
    first = client.get("/api/orders", headers=headers, params={"status": "pendingApproval", "limit": 1}).json()
    other_query = client.get("/api/orders", headers=headers,
                             params={"status": "failed", "continuationToken": first["continuationToken"]})  # fmt: skip
    assert other_query.status_code == 400  # a token is bound to its query


def test_an_order_moves_between_status_lists_as_it_is_provisioned(
    client: TestClient, container: Container, world: dict[str, Any]
) -> None:
    bought = next(i for i in world["items"] if i.term_duration == "P1M")
    headers = world["auth"](world["resellerStaff"])
    placed = client.post("/api/orders", headers=headers, json={"customerId": world["secondCustomer"], "lines": [
        {"catalogItemId": bought.catalog_item_id, "quantity": 2, "termDuration": "P1M",
         "billingCycle": bought.billing_cycle}]})  # fmt: skip
    assert placed.status_code == 202, placed.text
    placed = placed.json()
    in_flight = listed(client, world, "providerStaff", "/api/orders", status=["accepted", "provisioning"])
    assert placed["id"] in [o["id"] for o in in_flight]
    read = lambda: client.get(f"/api/orders/{placed['id']}", headers=headers).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    assert read()["status"] == "completed"
    in_flight = listed(client, world, "providerStaff", "/api/orders", status=["accepted", "provisioning"])
    completed = listed(client, world, "resellerStaff", "/api/orders", status="completed")
    assert placed["id"] not in [o["id"] for o in in_flight]
    assert next(o for o in completed if o["id"] == placed["id"])["lines"][0]["subscriptionId"]
    assert "providerCost" not in completed[0]["lines"][0]  # the reseller's list hides the provider's cost


# Subscriptions ------------------------------------------------------------------------------------------------


def test_subscriptions_by_renewal_date_soonest_first_across_customers(
    client: TestClient, world: dict[str, Any], subscriptions: list[Subscription]
) -> None:
    soonest_first = sorted(subscriptions, key=lambda s: s.term_end_date or NOW)
    everything = listed(client, world, "providerStaff", "/api/subscriptions")
    assert ours(everything, subscriptions) == ids(soonest_first, lambda s: True)
    month = listed(client, world, "providerStaff", "/api/subscriptions", termEndsFrom=NOW.isoformat(),
                   termEndsBefore=(NOW + timedelta(days=30)).isoformat())  # fmt: skip
    assert ours(month, subscriptions) == ids(soonest_first, lambda s: s.term_end_date < NOW + timedelta(days=30))
    assert len(ours(month, subscriptions)) == 4
    ending = listed(client, world, "providerStaff", "/api/subscriptions", autoRenew="false",
                    termEndsBefore=(NOW + timedelta(days=60)).isoformat())  # fmt: skip
    assert ours(ending, subscriptions) == ids(
        soonest_first, lambda s: not s.auto_renew and s.term_end_date < NOW + timedelta(days=60)
    )


def test_subscriptions_by_status_and_by_product(
    client: TestClient, world: dict[str, Any], subscriptions: list[Subscription]
) -> None:
    soonest_first = sorted(subscriptions, key=lambda s: s.term_end_date or NOW)
    suspended = listed(client, world, "providerStaff", "/api/subscriptions", status="suspended")
    assert ours(suspended, subscriptions) == ids(soonest_first, lambda s: s.status == "suspended")
    both = listed(client, world, "providerStaff", "/api/subscriptions", status=["suspended", "active"])
    assert ours(both, subscriptions) == ids(soonest_first, lambda s: True)
    product = listed(client, world, "providerStaff", "/api/subscriptions", productId="CFQ7TTC0LF8Q")
    assert ours(product, subscriptions) == ids(soonest_first, lambda s: s.offer_id.startswith("CFQ7TTC0LF8Q:"))
    active_product = listed(client, world, "providerStaff", "/api/subscriptions", productId="CFQ7TTC0LH18",
                            status="active")  # fmt: skip
    assert ours(active_product, subscriptions) == ids(
        soonest_first, lambda s: s.offer_id.startswith("CFQ7TTC0LH18:") and s.status == "active"
    )


def test_a_reseller_lists_its_own_customers_subscriptions_only(
    client: TestClient, world: dict[str, Any], subscriptions: list[Subscription]
) -> None:
    soonest_first = sorted(subscriptions, key=lambda s: s.term_end_date or NOW)
    theirs = listed(client, world, "otherResellerStaff", "/api/subscriptions")
    assert ours(theirs, subscriptions) == ids(soonest_first, lambda s: s.reseller_id == world["otherReseller"])
    headers = world["auth"](world["people"]["otherResellerStaff"])
    assert client.get("/api/subscriptions", headers=headers,
                      params={"customerId": world["firstCustomer"]}).status_code == 404  # fmt: skip
    own = listed(client, world, "customerAdmin", "/api/subscriptions")
    assert set(ours(own, subscriptions)) == set(ids(subscriptions, lambda s: s.customer_id == world["firstCustomer"]))


def test_a_change_to_a_subscription_moves_it_between_lists(
    client: TestClient, container: Container, world: dict[str, Any], subscriptions: list[Subscription]
) -> None:
    moved = subscriptions[0]
    container.subscriptions.update(moved.customer_id, moved.id, lambda s: replace(s, status="suspended"))
    suspended = listed(client, world, "providerStaff", "/api/subscriptions", status="suspended")
    active = listed(client, world, "providerStaff", "/api/subscriptions", status="active")
    assert moved.id in [s["id"] for s in suspended] and moved.id not in [s["id"] for s in active]
    assert next(s for s in suspended if s["id"] == moved.id)["status"] == "suspended"
    container.subscriptions.update(moved.customer_id, moved.id, lambda s: replace(s, status="active"))
    active = listed(client, world, "resellerStaff", "/api/subscriptions", status="active")
    assert moved.id in [s["id"] for s in active]


# The projection -----------------------------------------------------------------------------------------------


@pytest.fixture
def listing_stops(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The writer stops after its commit, before it lists what it wrote (as a worker killed at that moment)."""

    def stopped(*_: Any, **__: Any) -> None:
        raise RuntimeError("the worker stopped")

    monkeypatch.setattr(container.orders.lists, "project", stopped)
    monkeypatch.setattr(container.subscriptions.lists, "project", stopped)
    yield


def test_an_order_committed_but_not_yet_listed_is_listed_by_the_sweep(
    client: TestClient,
    container: Container,
    world: dict[str, Any],
    listing_stops: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = an_order(world, world["secondCustomer"], OrderStatus.PENDING_APPROVAL, NOW)
    container.orders.add(order, outbox=None)
    OrderIndex(container.tables).add(order)
    queue = listed(client, world, "providerStaff", "/api/orders", status="pendingApproval")
    assert order.id not in [o["id"] for o in queue]  # committed (readable by id) but not listed yet
    headers = world["auth"](world["resellerStaff"])
    assert client.get(f"/api/orders/{order.id}", headers=headers).status_code == 200
    monkeypatch.undo()
    assert repair_lists(container.orders, container.subscriptions) >= 1
    for who in ("providerStaff", "resellerStaff"):
        queue = listed(client, world, who, "/api/orders", status="pendingApproval")
        assert order.id in [o["id"] for o in queue]
    assert repair_lists(container.orders, container.subscriptions) == 0  # the marker is gone: nothing left to repair


def test_listing_an_older_version_after_a_newer_one_changes_nothing(
    client: TestClient, container: Container, world: dict[str, Any]
) -> None:
    sub = a_subscription(world, world["firstCustomer"], status="active", term_end=NOW + timedelta(days=9),
                         offer="CFQ7TTC0LH18:0001:A", renews=True)  # fmt: skip
    container.subscriptions.write(sub.customer_id, sub.id, lambda _: sub)
    table = container.tables.table("subscriptions")
    first = dict(table.get_entity(sub.customer_id, sub.id))
    container.subscriptions.update(sub.customer_id, sub.id, lambda s: replace(s, status="suspended", quantity=9))
    container.subscriptions.lists.project(first)  # a slow writer of version 1, arriving after version 2
    suspended = listed(client, world, "providerStaff", "/api/subscriptions", status="suspended")
    active = listed(client, world, "providerStaff", "/api/subscriptions", status="active")
    assert next(s for s in suspended if s["id"] == sub.id)["quantity"] == 9
    assert sub.id not in [s["id"] for s in active]


def test_rows_written_before_lists_existed_are_listed_once(
    client: TestClient, container: Container, world: dict[str, Any]
) -> None:
    """An upgraded deployment: an order row without a version or list copies is listed by the sweep's backfill."""
    from shared.storage.orders import _to_row

    container.orders.lists.backfill()  # whatever this deployment's first sweep does
    legacy = an_order(world, world["firstCustomer"], OrderStatus.FAILED, NOW - timedelta(days=40))
    container.tables.table("orders").create_entity(_to_row(legacy))  # as written before lists existed
    container.tables.table("orderlists").delete_entity("state", "backfilled-1")  # a deployment from before
    assert legacy.id not in [o["id"] for o in listed(client, world, "providerStaff", "/api/orders", status="failed")]
    assert container.orders.lists.backfill() >= 1
    assert legacy.id in [o["id"] for o in listed(client, world, "providerStaff", "/api/orders", status="failed")]
    assert container.orders.lists.backfill() == 0  # done once; later sweeps skip it


def test_lists_read_one_partition(container: Container, world: dict[str, Any], orders: list[Order]) -> None:
    """What makes a list cheap: every copy of an order sits in its organisations' partitions and nowhere else."""
    table = container.tables.table("orderlists")
    partitions = {row["PartitionKey"] for row in table.query_entities("id eq @id", parameters={"id": orders[0].id})}
    assert partitions == {
        f"provider|{world['provider']['id']}",
        f"reseller|{orders[0].reseller_id}",
        f"customer|{orders[0].customer_id}",
    }


def test_the_dashboard_counts_the_orders_waiting_or_in_flight_from_the_providers_list(
    client: TestClient, world: dict[str, Any], orders: list[Order]
) -> None:
    open_orders = listed(client, world, "providerAdmin", "/api/orders",
                         status=["pendingApproval", "accepted", "provisioning"])  # fmt: skip
    assert set(ids(orders, lambda o: o.status in ("pendingApproval", "accepted", "provisioning"))) <= {
        o["id"] for o in open_orders
    }
    summary = client.get(f"/api/providers/{world['provider']['id']}/summary",
                         headers=world["auth"](world["providerAdmin"])).json()  # fmt: skip
    assert summary["ordersInFlight"] == len(open_orders) >= 5


def test_the_subscriptions_ending_without_renewal_are_read_from_the_providers_list(
    container: Container, world: dict[str, Any], subscriptions: list[Subscription]
) -> None:
    ending = list(container.subscriptions.ending_between(world["provider"]["id"], NOW, NOW + timedelta(days=45)))
    expected = ids(subscriptions, lambda s: s.status == "active" and not s.auto_renew
                   and s.term_end_date < NOW + timedelta(days=45))  # fmt: skip
    assert set(expected) <= {s.id for s in ending} and expected
    assert all(not s.auto_renew and s.status == "active" for s in ending)
