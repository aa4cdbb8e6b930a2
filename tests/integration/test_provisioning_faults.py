"""Nothing accepted is lost, nothing is bought twice: 200 orders provisioned while Partner Center throttles,
fails and drops answers after committing, and the worker is killed (SIGKILL) and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from local.processes import die_with_parent
from local.settings import REPO_ROOT
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.orders import TERMINAL, LineStatus
from tests.support.commerce import commerce_setup
from tests.support.onboarding import Sandbox

ORDERS = 200


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as environment variables, the way the Functions host and local.run pass them."""
    values = {name.upper(): value for name, value in settings.model_dump().items() if value is not None}
    return {name: (str(value).lower() if isinstance(value, bool) else str(value)) for name, value in values.items()}


def start_worker(settings: Settings, log: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings_environment(settings), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "local.worker"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=die_with_parent(),
    )


@pytest.mark.slow
def test_orders_survive_faults_and_a_killed_worker(
    client: TestClient, container: Container, sandbox: Any, tmp_path: Any
) -> None:
    from tests.support.platform import member, new_id, user_token

    pc = Sandbox(sandbox)

    def auth(oid: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {user_token(sandbox, oid)}"}

    def add_member(org: Any, role: Any) -> str:
        if org.org_type.value != "operator":
            container.organizations.add(org, name="test")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    shop = commerce_setup(client, auth, container, pc, add_member)
    headers = auth(shop["resellerStaff"])
    items = [i for i in shop["items"] if i.max_quantity is None or i.max_quantity >= 10][:6]
    before = requests.get(
        f"{pc.url}/_sandbox/purchases", params={"customerTenantId": shop["tenantId"]}, timeout=30
    ).json()["items"]
    pc.faults(rate429=0.10, rate5xx=0.20, dropAfterCommit=0.05, seed=20261125)
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115
    worker = start_worker(container.settings, log)
    order_ids: list[str] = []
    kills = 0
    try:
        for n in range(ORDERS):
            chosen = items[n % len(items)]
            response = client.post(
                "/api/orders",
                headers=headers,
                json={
                    "customerId": shop["customerId"],
                    "lines": [
                        {
                            "catalogItemId": chosen.catalog_item_id,
                            "quantity": 1 + n % 7,
                            "termDuration": chosen.term_duration,
                            "billingCycle": chosen.billing_cycle,
                        }
                    ],
                },
            )
            assert response.status_code == 202, response.text
            order_ids.append(response.json()["id"])
            if n in (60, 140):  # killed twice mid-run, then restarted
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = start_worker(container.settings, log)

        def unsettled() -> list[str]:
            return [i for i in order_ids if container.orders.get(shop["customerId"], i).status not in TERMINAL]

        deadline = time.monotonic() + 600
        while unsettled() and time.monotonic() < deadline:
            container.provisioning_service.dispatch_outbox()
            time.sleep(2)
        remaining = unsettled()
    finally:
        pc.faults()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        log.close()
    assert kills == 2
    assert not remaining, f"{len(remaining)} orders never settled"

    orders = [container.orders.get(shop["customerId"], i) for i in order_ids]
    statuses = Counter(o.status.value for o in orders)
    bought = requests.get(
        f"{pc.url}/_sandbox/purchases", params={"customerTenantId": shop["tenantId"]}, timeout=30
    ).json()["items"][len(before) :]
    bought_subscriptions = Counter(li["subscriptionId"] for p in bought for li in p["lineItems"])
    provisioned = [line for o in orders for line in o.lines if line.status is LineStatus.PROVISIONED]
    failed = [line for o in orders for line in o.lines if line.status is LineStatus.FAILED]
    print(
        f"\norders: {len(orders)} {dict(statuses)}; purchases in Partner Center: {len(bought)}; "
        f"lines provisioned: {len(provisioned)}, failed: {len(failed)}; worker kills: {kills}"
    )
    assert all(line.error for line in failed), "every failed line says why"
    # Exactly what was provisioned was bought: nothing lost, nothing twice.
    assert all(count == 1 for count in bought_subscriptions.values())
    assert sorted(bought_subscriptions) == sorted(line.subscription_id for line in provisioned)
    assert len(bought) == len(provisioned)
