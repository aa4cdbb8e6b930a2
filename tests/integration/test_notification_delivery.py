"""Outbound events delivered over HTTP to the sandbox's webhook receivers: who gets what, signed as the README says,
retried then dead-lettered after a day (time moved by passing `now`, never slept), replayed once, and never
delivered twice for a redelivered message."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.notifications import EXPIRY_NOTICE, EventType, event_from_document
from shared.domain.orders import OrderStatus
from shared.domain.scope import OrgRef, OrgType, Role
from shared.domain.subscriptions import Subscription
from shared.messaging import Delivery, QueueMessage, QueueNames
from shared.services.handlers import dispatcher
from shared.services.notifications import DELIVER
from shared.services.orders import LineRequest
from tests.support.commerce import drain_queues, ready_shop, work_queues
from tests.support.onboarding import Sandbox, new_domain, work_queue
from tests.support.platform import platform_settings
from tests.unit.test_notifications_domain import readme_recipe

ALL_EVENTS = [t.value for t in EventType if t is not EventType.PING]


@pytest.fixture(scope="module")
def notifying(storage_connection_string: str, sandbox: Any) -> Iterator[tuple[Container, TestClient]]:
    """The platform as the local stack runs it: webhooks may go over http to loopback (the sandbox's receivers)."""
    container = Container(platform_settings(storage_connection_string, sandbox, event_webhooks_allow_loopback=True))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, client


class Receiver:
    """One of the sandbox's webhook receivers (local/sandbox/receivers.py)."""

    def __init__(self, sandbox: Any, name: str) -> None:
        self.url = f"{sandbox.http_url}/_sandbox/receivers/{name}"

    def requests(self) -> list[dict[str, Any]]:
        return requests.get(self.url, timeout=10).json()["items"]  # type: ignore[no-any-return]

    def of(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        import json

        found = []
        for item in self.requests():
            body = json.loads(item["body"])
            if body["type"] == event_type and all(body["data"].get(k) == v for k, v in data.items()):
                found.append({**item, "json": body})
        return found

    def fail(self, status: int, times: int | None = None) -> None:
        requests.post(f"{self.url}/fail", json={"status": status, "times": times}, timeout=10).raise_for_status()


def drain_until(container: Container, until: Callable[[], bool], timeout: float = 90) -> None:
    """The notifications queue worked the way the worker does, until `until` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the deliveries did not arrive in time"
        drain_queues(container, (QueueNames.NOTIFICATIONS,), timeout=30)


@pytest.fixture(scope="module")
def world(notifying: tuple[Container, TestClient], sandbox: Any) -> dict[str, Any]:
    """A shop (provider, reseller, customer) with endpoints of the provider, of its reseller, and of another
    reseller of the same provider, each at its own receiver."""
    container, client = notifying
    shop = ready_shop(client, container, Sandbox(sandbox), sandbox)
    provider_id = shop["provider"]["id"]
    reseller_admin = shop["addMember"](OrgRef(OrgType.RESELLER, shop["resellerId"], provider_id=provider_id),
                                       Role.RESELLER_ADMIN)  # fmt: skip
    other_admin = shop["addMember"](OrgRef(OrgType.RESELLER, f"r-{uuid.uuid4()}", provider_id=provider_id),
                                    Role.RESELLER_ADMIN)  # fmt: skip
    endpoints = {}
    for who, user in (("provider", shop["providerAdmin"]), ("reseller", reseller_admin), ("other", other_admin)):
        receiver = Receiver(sandbox, f"{who}-{uuid.uuid4().hex[:8]}")
        answer = client.post("/api/event-subscriptions", headers=shop["auth"](user),
                             json={"url": receiver.url, "events": ALL_EVENTS})  # fmt: skip
        assert answer.status_code == 201, answer.text
        endpoints[who] = {**answer.json(), "receiver": receiver, "headers": shop["auth"](user)}
    return {**shop, "container": container, "client": client, "endpoints": endpoints}


def test_an_order_waiting_for_approval_reaches_the_provider_and_its_reseller_but_not_another_reseller(
    world: dict[str, Any],
) -> None:
    container: Container = world["container"]
    staff = container.members.get(world["resellerStaff"])
    assert staff is not None
    item = world["items"][0]
    order = container.order_service.place(
        staff.principal(None), world["customerId"],
        [LineRequest(item.catalog_item_id, 1, item.term_duration, item.billing_cycle)],
        source="storefront", approval_threshold=Decimal("0"),
    )  # fmt: skip
    assert order.status is OrderStatus.PENDING_APPROVAL
    provider, reseller, other = (world["endpoints"][k]["receiver"] for k in ("provider", "reseller", "other"))
    drain_until(container, lambda: bool(provider.of("order.pendingApproval", orderId=order.id))
                and bool(reseller.of("order.pendingApproval", orderId=order.id)))  # fmt: skip
    got = provider.of("order.pendingApproval", orderId=order.id)
    assert len(got) == 1
    assert got[0]["json"]["resellerId"] == world["resellerId"]
    assert got[0]["json"]["customerId"] == world["customerId"]
    assert other.of("order.pendingApproval", orderId=order.id) == []


def test_a_delivery_verifies_with_the_documented_signature_recipe(world: dict[str, Any]) -> None:
    verify = readme_recipe()
    for who in ("provider", "reseller"):
        endpoint = world["endpoints"][who]
        for request in endpoint["receiver"].of("order.pendingApproval"):
            headers, body = request["headers"], request["body"].encode()
            signed_at = int(headers["x-signature"].split(",")[0].removeprefix("t="))
            assert verify(endpoint["secret"], headers["x-signature"], body, signed_at + 1)
            assert not verify("whsec_not-the-secret", headers["x-signature"], body, signed_at + 1)
            assert headers["x-event-type"] == "order.pendingApproval"
            assert headers["x-event-id"] == request["json"]["id"]
            assert headers["x-delivery-id"].startswith("dl-")


def ping_and_deliver_first(world: dict[str, Any], who: str) -> dict[str, Any]:
    endpoint = world["endpoints"][who]
    answer = world["client"].post(f"/api/event-subscriptions/{endpoint['id']}/ping", headers=endpoint["headers"])
    assert answer.status_code == 202, answer.text
    delivery_id = answer.json()["id"]
    drain_until(world["container"], lambda: len(deliveries(world, who, delivery_id)["attempts"]) >= 1)
    return deliveries(world, who, delivery_id)


def deliveries(world: dict[str, Any], who: str, delivery_id: str, status: str | None = None) -> dict[str, Any]:
    endpoint = world["endpoints"][who]
    page = world["client"].get(f"/api/event-subscriptions/{endpoint['id']}/deliveries", headers=endpoint["headers"],
                               params={"status": status} if status else {}).json()  # fmt: skip
    return next((d for d in page["items"] if d["id"] == delivery_id), {"attempts": [], "status": None})


def attempt_due(container: Container, delivery_id: str, now: datetime) -> None:
    """What the delivery's own scheduled message does when its time comes (here: at `now`)."""
    for provider_id, reseller_id, endpoint_id, due_id, number in container.notification_service.due(now):
        if due_id == delivery_id:
            container.notification_service.attempt(provider_id, reseller_id, endpoint_id, due_id, number, now=now)


@pytest.fixture(scope="module")
def dead_lettered(world: dict[str, Any]) -> dict[str, Any]:
    """A ping to an endpoint that answers 500 to everything: retried on the schedule for a day, then given up."""
    container: Container = world["container"]
    receiver: Receiver = world["endpoints"]["reseller"]["receiver"]
    receiver.fail(500)
    first = ping_and_deliver_first(world, "reseller")
    delivery_id = first["id"]
    assert first["status"] == "pending" and first["attempts"][0]["statusCode"] == 500
    for _ in range(20):
        current = deliveries(world, "reseller", delivery_id)
        if current["status"] != "pending":
            break
        attempt_due(container, delivery_id, datetime.fromisoformat(current["nextAttemptAt"]))
    return {"id": delivery_id, "receiver": receiver, "delivery": deliveries(world, "reseller", delivery_id)}


def test_a_failing_endpoint_is_retried_on_the_schedule_then_dead_lettered_after_a_day(
    world: dict[str, Any], dead_lettered: dict[str, Any]
) -> None:
    delivery = dead_lettered["delivery"]
    assert delivery["status"] == "failed"
    attempts = sorted(delivery["attempts"], key=lambda a: a["number"])
    assert len(attempts) == 9
    assert {a["statusCode"] for a in attempts} == {500}
    assert all(a["error"] == "answered 500" for a in attempts)
    moments = [datetime.fromisoformat(a["at"]) for a in attempts]
    assert moments[1] - moments[0] == timedelta(minutes=1)
    assert moments[2] - moments[1] == timedelta(minutes=5)
    assert moments[-1] - moments[0] == timedelta(hours=24)
    assert delivery["nextAttemptAt"] is None
    pings = [r for r in dead_lettered["receiver"].of("ping") if r["headers"]["x-delivery-id"] == delivery["id"]]
    assert len(pings) == 9
    assert deliveries(world, "reseller", delivery["id"], status="failed")["id"] == delivery["id"]
    # given up: nothing is due any more, however late it gets
    later = datetime.now(UTC) + timedelta(days=3)
    assert delivery["id"] not in [due[3] for due in world["container"].notification_service.due(later)]


def test_a_replay_is_delivered_once_and_a_second_quick_replay_is_refused(
    world: dict[str, Any], dead_lettered: dict[str, Any]
) -> None:
    endpoint = world["endpoints"]["reseller"]
    receiver: Receiver = dead_lettered["receiver"]
    receiver.fail(200)  # the receiver is fixed
    path = f"/api/event-subscriptions/{endpoint['id']}/deliveries/{dead_lettered['id']}/replay"
    first = world["client"].post(path, headers=endpoint["headers"])
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "pending" and first.json()["round"] == 1
    second = world["client"].post(path, headers=endpoint["headers"])
    assert second.status_code == 409, second.text
    drain_until(world["container"], lambda: deliveries(world, "reseller", dead_lettered["id"])["status"] != "pending")
    drain_queues(world["container"], (QueueNames.NOTIFICATIONS,))
    replayed = deliveries(world, "reseller", dead_lettered["id"])
    assert replayed["status"] == "delivered"
    assert replayed["attempts"][0]["round"] == 1 and replayed["attempts"][0]["statusCode"] == 200
    pings = [r for r in receiver.of("ping") if r["headers"]["x-delivery-id"] == dead_lettered["id"]]
    assert [r["answered"] for r in pings] == [500] * 9 + [200]
    unknown = world["client"].post(
        f"/api/event-subscriptions/{endpoint['id']}/deliveries/dl-0000/replay", headers=endpoint["headers"]
    )
    assert unknown.status_code == 404


def test_a_redelivered_message_or_a_second_fan_out_does_not_deliver_twice(world: dict[str, Any]) -> None:
    container: Container = world["container"]
    endpoint = world["endpoints"]["provider"]
    delivered = ping_and_deliver_first(world, "provider")
    assert delivered["status"] == "delivered"
    receiver: Receiver = endpoint["receiver"]
    count = lambda: len([r for r in receiver.of("ping") if r["headers"]["x-delivery-id"] == delivered["id"]])  # noqa: E731
    assert count() == 1
    again = QueueMessage(type=DELIVER, entity_id=delivered["id"], attempt=1,
                         payload={"endpointId": endpoint["id"], "providerId": world["provider"]["id"],
                                  "resellerId": None})  # fmt: skip
    dispatcher.dispatch(container, QueueNames.NOTIFICATIONS, Delivery(again, delivery_count=2))
    dispatcher.dispatch(container, QueueNames.NOTIFICATIONS, Delivery(again.next_attempt(), delivery_count=1))
    assert count() == 1
    # the pending-approval event fanned out a second time: the same deliveries, nothing sent again
    pending = receiver.of("order.pendingApproval")[0]["json"]

    before = len(receiver.requests())
    container.notification_service.fan_out(event_from_document(pending))
    drain_queues(container, (QueueNames.NOTIFICATIONS,))
    assert len(receiver.requests()) == before


def test_an_expiring_subscription_is_announced_once_per_term_end(world: dict[str, Any]) -> None:
    container: Container = world["container"]
    now = datetime.now(UTC)
    subscription_id = str(uuid.uuid4())
    ending = Subscription(
        id=subscription_id, provider_id=world["provider"]["id"], reseller_id=world["resellerId"],
        customer_id=world["customerId"], customer_tenant_id=world["tenantId"], catalog_item_id=None,
        offer_id="CFQ7TTC0LH18:0001:CFQ7TTC0K971", name="Microsoft 365 Business Basic", quantity=3, status="active",
        auto_renew=False, term_duration="P1Y", billing_cycle="monthly", term_start_date=now - timedelta(days=358),
        term_end_date=now + timedelta(days=3), cancellation_window_ends_at=None, partner_id=world["resellerPartnerId"],
        order_id=None, updated_at=now,
    )  # fmt: skip
    container.subscriptions.write(world["customerId"], subscription_id, lambda _: ending)
    renewing = str(uuid.uuid4())
    container.subscriptions.write(world["customerId"], renewing, lambda _: Subscription(
        **{**ending.__dict__, "id": renewing, "auto_renew": True}))  # fmt: skip
    providers = [world["provider"]["id"]]
    # As the sweep reads them: from the provider's list partition, what ends within the notice.
    ending_soon = lambda pid: container.subscriptions.ending_between(pid, now, now + EXPIRY_NOTICE)  # noqa: E731
    assert container.notification_service.announce_expiring(providers, ending_soon) == 1
    assert container.notification_service.announce_expiring(providers, ending_soon) == 0
    provider, reseller, other = (world["endpoints"][k]["receiver"] for k in ("provider", "reseller", "other"))
    drain_until(container, lambda: bool(reseller.of("subscription.expiring", subscriptionId=subscription_id))
                and bool(provider.of("subscription.expiring", subscriptionId=subscription_id)))  # fmt: skip
    drain_queues(container, (QueueNames.NOTIFICATIONS,))
    assert len(provider.of("subscription.expiring", subscriptionId=subscription_id)) == 1
    assert provider.of("subscription.expiring", subscriptionId=renewing) == []
    assert other.of("subscription.expiring", subscriptionId=subscription_id) == []
    body = provider.of("subscription.expiring", subscriptionId=subscription_id)[0]["json"]
    assert body["data"]["termEndDate"] == ending.term_end_date.isoformat()  # type: ignore[union-attr]


def test_a_completed_billing_run_is_announced_with_its_discrepancy_count(world: dict[str, Any], sandbox: Any) -> None:
    from tests.integration.test_billing import work_billing

    container, client = world["container"], world["client"]
    admin = world["auth"](world["providerAdmin"])
    period = requests.get(f"{sandbox.http_url}/_sandbox/clock", timeout=10).json()["now"][:7]
    generated = requests.post(f"{sandbox.http_url}/_sandbox/reconciliation", timeout=60, json={
        "providerTenantId": world["app"]["tenantId"], "period": period, "kind": "unbilled", "seed": 3,
        "discrepancies": [{"kind": "unknownSubscription", "count": 2}]})  # fmt: skip
    assert generated.status_code == 200, generated.text
    started = client.post("/api/billing/runs", headers=admin, json={"period": period, "kind": "unbilled"})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    read = lambda: client.get(f"/api/billing/runs/{run_id}", headers=admin).json()  # noqa: E731
    work_billing(container, lambda: read()["status"] in ("completed", "failed"))
    run = read()
    assert run["status"] == "completed", run
    provider, reseller = world["endpoints"]["provider"]["receiver"], world["endpoints"]["reseller"]["receiver"]
    drain_until(container, lambda: bool(provider.of("billing.runCompleted", runId=run_id)))
    event = provider.of("billing.runCompleted", runId=run_id)[0]["json"]
    assert event["data"]["discrepancyCount"] == run["counts"]["discrepancies"] >= 2
    assert event["data"]["period"] == period and event["resellerId"] is None
    assert reseller.of("billing.runCompleted", runId=run_id) == []  # the provider's own business


def test_a_delivery_connects_to_the_address_it_checked_not_to_a_fresh_lookup(sandbox: Any) -> None:
    """DNS rebinding: the host name is checked, then the connection goes to the address checked, whatever the name
    resolves to by then. Here the name resolves to nothing at all, and the request still arrives, named."""
    from urllib.parse import urlsplit

    from shared.services.notifications import pinned_post

    receiver = Receiver(sandbox, f"pinned-{uuid.uuid4().hex[:8]}")
    port = urlsplit(sandbox.http_url).port
    url = f"http://receiver.invalid:{port}/_sandbox/receivers/{receiver.url.rsplit('/', 1)[1]}?source=test"
    status = pinned_post(url, "127.0.0.1", body=b'{"id":"evt-1"}', headers={"Content-Type": "application/json"},
                         timeout=10)  # fmt: skip
    assert status == 200
    (arrived,) = receiver.requests()
    assert arrived["headers"]["host"] == f"receiver.invalid:{port}"
    assert arrived["body"] == '{"id":"evt-1"}'


def bought(world: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A one-month subscription bought through the API and provisioned: (the order, its subscription id)."""
    client: TestClient = world["client"]
    headers = world["auth"](world["resellerStaff"])
    item = next(i for i in world["items"] if i.term_duration == "P1M")
    placed = client.post("/api/orders", headers=headers, json={"customerId": world["customerId"], "lines": [
        {"catalogItemId": item.catalog_item_id, "quantity": 3, "termDuration": "P1M",
         "billingCycle": item.billing_cycle}]})  # fmt: skip
    assert placed.status_code == 202, placed.text
    read = lambda: client.get(f"/api/orders/{placed.json()['id']}", headers=headers).json()  # noqa: E731
    work_queues(world["container"], lambda: read()["status"] not in ("accepted", "provisioning"))
    order = read()
    assert order["status"] == "completed", order
    return order, str(order["lines"][0]["subscriptionId"])


def test_a_change_partner_center_refuses_is_announced_to_the_provider_and_the_reseller(
    world: dict[str, Any], sandbox: Any
) -> None:
    client: TestClient = world["client"]
    _, sub_id = bought(world)
    requests.post(f"{sandbox.http_url}/_sandbox/subscriptions/{sub_id}/change", json={"status": "suspended"},
                  timeout=10).raise_for_status()  # suspended in Partner Center: the change will be refused  # fmt: skip
    headers = world["auth"](world["resellerStaff"])
    assert client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 4}, headers=headers).status_code == 202
    read = lambda: client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()  # noqa: E731
    work_queues(world["container"], lambda: (read()["pendingChange"] or {}).get("status") == "failed")
    provider, reseller, other = (world["endpoints"][k]["receiver"] for k in ("provider", "reseller", "other"))
    drain_until(world["container"], lambda: bool(reseller.of("subscription.changeFailed", subscriptionId=sub_id))
                and bool(provider.of("subscription.changeFailed", subscriptionId=sub_id)))  # fmt: skip
    event = reseller.of("subscription.changeFailed", subscriptionId=sub_id)[0]["json"]
    assert "800091" in str(event["data"]) and event["customerId"] == world["customerId"]
    assert other.of("subscription.changeFailed", subscriptionId=sub_id) == []


def test_an_order_partner_center_keeps_failing_is_announced_as_failed(
    world: dict[str, Any], sandbox: Any, storage_connection_string: str
) -> None:
    from shared.services.provisioning import ProvisioningAbandoned

    impatient = Container(platform_settings(storage_connection_string, sandbox, event_webhooks_allow_loopback=True,
                                            provisioning_max_attempts=2,
                                            provisioning_retry_first_delay_seconds=1))  # fmt: skip
    client: TestClient = world["client"]
    headers = world["auth"](world["resellerStaff"])
    item = next(i for i in world["items"] if i.term_duration == "P1M")
    order = client.post("/api/orders", headers=headers, json={"customerId": world["customerId"], "lines": [
        {"catalogItemId": item.catalog_item_id, "quantity": 1, "termDuration": "P1M",
         "billingCycle": item.billing_cycle}]}).json()  # fmt: skip
    Sandbox(sandbox).faults(rate5xx=1.0, seed=5)
    try:
        with pytest.raises(ProvisioningAbandoned):
            for attempt in (1, 2, 3):
                impatient.provisioning_service.provision(world["customerId"], order["id"], attempt)
    finally:
        Sandbox(sandbox).faults()
    assert client.get(f"/api/orders/{order['id']}", headers=headers).json()["status"] == "failed"
    provider, reseller, other = (world["endpoints"][k]["receiver"] for k in ("provider", "reseller", "other"))
    drain_until(world["container"], lambda: bool(provider.of("order.failed", orderId=order["id"]))
                and bool(reseller.of("order.failed", orderId=order["id"])))  # fmt: skip
    assert len(provider.of("order.failed", orderId=order["id"])) == 1
    assert other.of("order.failed", orderId=order["id"]) == []


def test_a_relationship_ended_in_partner_center_is_announced(world: dict[str, Any], sandbox: Any) -> None:
    """A customer's global admin ends the relationship: once the platform sees it, its provider and reseller hear."""
    client: TestClient = world["client"]
    container: Container = world["container"]
    pc = Sandbox(sandbox)
    admin = world["auth"](world["providerAdmin"])
    domain = new_domain()
    customer_id = client.post("/api/customer-invitations", headers=admin, json={
        "resellerId": world["resellerId"], "name": "Leaving Ltd", "domain": domain,
        "contactEmail": "it@leaving.example"}).json()["customerId"]  # fmt: skip
    tenant = pc.customer_accepts(world["app"]["tenantId"], world["resellerPartnerId"], domain=domain, country="US")
    status = lambda: client.get(f"/api/customers/{customer_id}", headers=admin).json()["status"]  # noqa: E731
    work_queue(container, lambda: status() == "active")
    pc.end_relationship(world["app"]["tenantId"], tenantId=tenant)
    assert client.post(f"/api/customers/{customer_id}/relationship-check", headers=admin).status_code == 202
    work_queue(container, lambda: status() == "ended")
    provider, reseller, other = (world["endpoints"][k]["receiver"] for k in ("provider", "reseller", "other"))
    drain_until(container, lambda: bool(provider.of("relationship.ended", orgId=customer_id))
                and bool(reseller.of("relationship.ended", orgId=customer_id)))  # fmt: skip
    assert other.of("relationship.ended", orgId=customer_id) == []


def test_settled_deliveries_are_removed_after_thirty_days_and_pending_ones_are_kept(world: dict[str, Any]) -> None:
    container: Container = world["container"]
    receiver: Receiver = world["endpoints"]["other"]["receiver"]
    delivered = ping_and_deliver_first(world, "other")
    assert delivered["status"] == "delivered"
    receiver.fail(503)
    try:
        pending = ping_and_deliver_first(world, "other")
    finally:
        receiver.fail(200)
    assert pending["status"] == "pending"
    assert container.notification_service.purge_settled(now=datetime.now(UTC) + timedelta(days=29)) == 0
    assert deliveries(world, "other", delivered["id"])["status"] == "delivered"  # not 30 days old yet
    assert container.notification_service.purge_settled(now=datetime.now(UTC) + timedelta(days=31)) >= 1
    listed = world["client"].get(f"/api/event-subscriptions/{world['endpoints']['other']['id']}/deliveries",
                                 headers=world["endpoints"]["other"]["headers"]).json()["items"]  # fmt: skip
    assert delivered["id"] not in [d["id"] for d in listed]
    assert pending["id"] in [d["id"] for d in listed]
