"""Orders on the local stack: acceptance latency (p50/p99 of POST /api/orders) and provisioning throughput
(orders completed per minute), without and with Partner Center faults (10% 429, 20% 5xx, 5% lost answers)."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import requests

from bench.bench_api import percentile
from bench.stack import Stack, local_stack

ORDERS = 100


def control(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = requests.request(method, f"{stack.sandbox}/_sandbox/{path}", json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def wait(read: Any, accept: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if accept(value):
            return value
        time.sleep(0.5)
    raise RuntimeError("did not converge")


def prepare(stack: Stack) -> tuple[requests.Session, str, list[dict[str, Any]]]:
    """A provider with its catalog, an active reseller and customer, and the reseller's staff session."""
    api = stack.api
    operator = requests.Session()
    operator.headers["Authorization"] = f"Bearer {stack.token(stack.operator)}"
    dev = control(stack, "GET", "provider")
    provider = operator.post(
        f"{api}/providers",
        json={
            "name": "Bench Distribution",
            "partnerCenter": {
                "tenantId": dev["tenantId"],
                "clientId": dev["clientId"],
                "clientSecretRef": dev["clientSecretRef"],
                "refreshTokenRef": dev["refreshTokenRef"],
            },
        },
    ).json()
    admin_id = str(uuid.uuid4())
    operator.post(
        f"{api}/members",
        json={"userId": admin_id, "orgType": "provider", "orgId": provider["id"], "role": "provider.admin"},
    ).raise_for_status()
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {stack.token(admin_id)}"
    admin.put(f"{api}/catalog/settings", json={"newItemsSellable": True}).raise_for_status()
    admin.post(f"{api}/catalog/sync", json={"country": "US"}).raise_for_status()
    partner_id = str(random.randint(1_000_000, 6_999_999))
    reseller_id = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": partner_id, "name": "Bench Reseller", "contactEmail": "b@b.example"},
    ).json()["resellerId"]
    control(stack, "POST", "resellers/accept", {"providerTenantId": dev["tenantId"], "partnerId": partner_id})
    wait(lambda: admin.get(f"{api}/resellers/{reseller_id}").json(), lambda r: r["status"] == "active")
    domain = f"bench{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    customer_id = admin.post(
        f"{api}/customer-invitations",
        json={"resellerId": reseller_id, "name": "Bench Customer", "domain": domain, "contactEmail": "c@c.example"},
    ).json()["customerId"]
    control(
        stack,
        "POST",
        "customers/accept",
        {"providerTenantId": dev["tenantId"], "resellerPartnerId": partner_id, "domain": domain, "country": "US"},
    )
    wait(lambda: admin.get(f"{api}/customers/{customer_id}").json(), lambda c: c["status"] == "active")
    staff_id = str(uuid.uuid4())
    operator.post(
        f"{api}/members",
        json={"userId": staff_id, "orgType": "reseller", "orgId": reseller_id, "role": "reseller.staff"},
    ).raise_for_status()
    staff = requests.Session()
    staff.headers["Authorization"] = f"Bearer {stack.token(staff_id)}"
    items = staff.get(f"{api}/catalog", params={"country": "US", "termDuration": "P1M"}).json()["items"][:5]
    return staff, customer_id, items


def run(stack: Stack, staff: requests.Session, customer_id: str, items: list[dict[str, Any]], label: str) -> None:
    latencies: list[float] = []
    ids: list[str] = []
    started = time.perf_counter()
    for n in range(ORDERS):
        chosen = items[n % len(items)]
        t0 = time.perf_counter()
        response = staff.post(
            f"{stack.api}/orders",
            json={
                "customerId": customer_id,
                "lines": [
                    {
                        "catalogItemId": chosen["catalogItemId"],
                        "quantity": 1 + n % 5,
                        "termDuration": chosen["termDuration"],
                        "billingCycle": chosen["billingCycle"],
                    }
                ],
            },
        )
        latencies.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 202:
            raise RuntimeError(response.text)
        ids.append(response.json()["id"])
    pending = set(ids)
    statuses: dict[str, str] = {}
    while pending and time.perf_counter() - started < 900:
        for order_id in list(pending):
            status = staff.get(f"{stack.api}/orders/{order_id}").json()["status"]
            if status not in ("accepted", "provisioning"):
                statuses[order_id] = status
                pending.discard(order_id)
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    done = sum(1 for s in statuses.values() if s == "completed")
    print(
        f"{label:<22} accept p50={percentile(latencies, 50):6.1f} ms p99={percentile(latencies, 99):6.1f} ms | "
        f"{done}/{ORDERS} completed, {len(pending)} unsettled in {elapsed:5.1f} s "
        f"= {60 * len(statuses) / elapsed:6.1f} orders/min"
    )


def main() -> None:
    with local_stack(PROVISIONING_RETRY_FIRST_DELAY_SECONDS="1") as stack:
        staff, customer_id, items = prepare(stack)
        run(stack, staff, customer_id, items, "without faults")
        control(stack, "PUT", "faults", {"rate429": 0.10, "rate5xx": 0.20, "dropAfterCommit": 0.05, "seed": 7})
        try:
            run(stack, staff, customer_id, items, "with faults")
        finally:
            control(stack, "PUT", "faults", {})


if __name__ == "__main__":
    main()
