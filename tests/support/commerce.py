"""Helpers for order and subscription tests: a provider with a synced catalog, an active reseller and
customer, and the queues worked the way the local worker works them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from shared.messaging import QueueNames
from shared.messaging.storage_queues import StorageQueueReceiver
from shared.services.handlers import dispatcher
from tests.support.onboarding import Sandbox, enroll, new_domain, new_partner_id, work_queue


def drain_queues(
    container: Container,
    queues: tuple[str, ...],
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Handles every message waiting on the queues until they are empty, and answers the messages handled (so a
    test can say what was, or was not, queued: `work_queues(..., lambda: True)` would handle nothing)."""
    handled: list[Any] = []
    receivers = {
        q: StorageQueueReceiver(
            container.settings.storage_connection_string, q, max_attempts=8, visibility_timeout=timedelta(seconds=2)
        )
        for q in queues
    }

    def handle(name: str, delivery: Any) -> None:
        dispatcher.dispatch(container, name, delivery)
        handled.append(delivery.message)

    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            taken = sum(
                receiver.receive_batch(lambda delivery, n=name: handle(n, delivery), 16)
                for name, receiver in receivers.items()
            )
            if not taken:
                return handled
        raise AssertionError("the queues were not drained in time")
    finally:
        for receiver in receivers.values():
            receiver.close()


def work_queues(
    container: Container,
    until: Callable[[], bool],
    *,
    timeout: float = 60.0,
    queues: tuple[str, ...] = (
        QueueNames.PROVISIONING,
        QueueNames.SUBSCRIPTION_CHANGES,
        QueueNames.RELATIONSHIP_CHECKS,
    ),
) -> None:
    receivers = {
        q: StorageQueueReceiver(
            container.settings.storage_connection_string, q, max_attempts=8, visibility_timeout=timedelta(seconds=2)
        )
        for q in queues
    }
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if until():
                return
            handled = 0
            for name, receiver in receivers.items():
                handled += receiver.receive_batch(
                    lambda delivery, n=name: dispatcher.dispatch(container, n, delivery), 16
                )
            if not handled:
                time.sleep(0.3)
        raise AssertionError("the queues did not converge in time")
    finally:
        for receiver in receivers.values():
            receiver.close()


def commerce_setup(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    container: Container,
    pc: Sandbox,
    add_member: Callable[[OrgRef, Role], str],
    *,
    country: str = "US",
    accept_agreement: bool = True,
) -> dict[str, Any]:
    """An enrolled provider with its catalog synced, an active reseller with a staff member, an active customer
    (that accepted the Microsoft Customer Agreement with the relationship, unless `accept_agreement` is False)."""
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    app = pc.new_provider("Commerce Distribution")
    provider = enroll(client, auth(operator), app).json()
    provider_admin = add_member(OrgRef(OrgType.PROVIDER, provider["id"]), Role.PROVIDER_ADMIN)
    stored = container.providers.get(provider["id"])
    container.catalog.save_settings(provider["id"], new_items_sellable=True)
    container.catalog_sync_for(stored).sync(provider["id"], country, now=datetime.now(UTC))
    headers = auth(provider_admin)
    partner_id = new_partner_id()
    reseller_id = client.post(
        "/api/reseller-invitations",
        headers=headers,
        json={"partnerId": partner_id, "name": "Fabrikam IT", "contactEmail": "it@fabrikam.example"},
    ).json()["resellerId"]
    pc.reseller_accepts(app["tenantId"], partner_id)
    work_queue(
        container, lambda: client.get(f"/api/resellers/{reseller_id}", headers=headers).json()["status"] == "active"
    )
    domain = new_domain()
    customer_id = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={"resellerId": reseller_id, "name": "Wingtip", "domain": domain, "contactEmail": "it@w.example"},
    ).json()["customerId"]
    tenant = pc.customer_accepts(
        app["tenantId"], partner_id, domain=domain, country=country, acceptAgreement=accept_agreement
    )
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=headers).json()["status"] == "active"
    )
    reseller_staff = add_member(OrgRef(OrgType.RESELLER, reseller_id, provider_id=provider["id"]), Role.RESELLER_STAFF)
    items = container.catalog.iter_market(provider["id"], country)
    return {
        "app": app,
        "provider": provider,
        "providerAdmin": provider_admin,
        "resellerId": reseller_id,
        "resellerPartnerId": partner_id,
        "resellerStaff": reseller_staff,
        "customerId": customer_id,
        "tenantId": tenant,
        "items": [i for i in items if i.cost is not None and i.sellable],
    }


def ready_shop(
    client: TestClient,
    container: Container,
    pc: Sandbox,
    sandbox: Any,
    *,
    country: str = "US",
    accept_agreement: bool = True,
) -> dict[str, Any]:
    """`commerce_setup` with members added straight to storage and an `auth` helper (integration tests)."""
    from tests.support.platform import member, new_id, user_token

    def auth(oid: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {user_token(sandbox, oid)}"}

    def add_member(org: OrgRef, role: Role) -> str:
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name="test")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    shop = commerce_setup(client, auth, container, pc, add_member, country=country, accept_agreement=accept_agreement)
    return {**shop, "auth": auth, "addMember": add_member}


def priced_shop_next_month(client: TestClient, container: Container, pc: Sandbox, sandbox: Any, *, country: str
                           ) -> dict[str, Any]:  # fmt: skip
    """A shop of `country` with a reseller margin of 15% and a customer margin of 25%, the sandbox clock set to the
    10th of next month at 10:00 (so purchases, seat changes and that month's invoice fall in one period)."""
    import datetime as dt

    import requests

    from local.sandbox.clock import add_months, parse_timestamp

    shop = ready_shop(client, container, pc, sandbox, country=country)
    admin, staff = shop["auth"](shop["providerAdmin"]), shop["auth"](shop["resellerStaff"])
    assert client.put(f"/api/resellers/{shop['resellerId']}/pricing", headers=admin,
                      json={"margin": "0.15", "overrides": []}).status_code == 200  # fmt: skip
    assert client.put(f"/api/customers/{shop['customerId']}/pricing", headers=staff,
                      json={"margin": "0.25", "overrides": []}).status_code == 200  # fmt: skip
    now = parse_timestamp(requests.get(f"{pc.url}/_sandbox/clock", timeout=10).json()["now"])
    moment = add_months(dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC), 1) + dt.timedelta(days=9, hours=10)
    requests.post(f"{pc.url}/_sandbox/clock", json={"set": moment.strftime("%Y-%m-%dT%H:%M:%SZ")},
                  timeout=10).raise_for_status()  # fmt: skip
    return {**shop, "admin": admin, "staff": staff, "moment": moment}
