"""Latency of GET /api/catalog for each role on the local stack (provider: cost; reseller and customer: their own
prices), and how long POST /api/catalog/sync takes, first and again."""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from bench.bench_api import percentile
from bench.stack import Stack, local_stack

COUNTRY = "US"


@dataclass(frozen=True)
class CatalogStack:
    stack: Stack
    sandbox: str

    @property
    def api(self) -> str:
        return self.stack.api


@contextmanager
def local_stack_with_sandbox() -> Iterator[CatalogStack]:
    """The local stack, and where the sandbox's control routes are (resellers accept there)."""
    with local_stack() as stack:
        yield CatalogStack(stack=stack, sandbox=stack.sandbox)


def session_for(stack: Stack, user_id: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token(user_id)}"
    return session


def expect(response: requests.Response, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def wait_until(check: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f}s")


def add_member(session: requests.Session, api: str, org_type: str, org_id: str, role: str) -> str:
    user_id = f"bench-{uuid.uuid4()}"
    body = {"userId": user_id, "orgType": org_type, "orgId": org_id, "role": role}
    expect(session.post(f"{api}/members", json=body), 201)
    return user_id


@dataclass(frozen=True)
class Tenants:
    provider_id: str
    provider_admin: str
    reseller_admin: str
    customer_admin: str
    customer_id: str
    reseller_id: str


def onboard(target: CatalogStack) -> Tenants:
    """The sandbox's development provider enrolled, one active reseller and one active customer, an admin each."""
    api, stack = target.api, target.stack
    operator = session_for(stack, stack.operator)
    app = expect(requests.get(f"{target.sandbox}/_sandbox/provider", timeout=10), 200)
    credentials = {key: app[key] for key in ("tenantId", "clientId", "clientSecretRef", "refreshTokenRef")}
    provider = expect(
        operator.post(f"{api}/providers", json={"name": "Bench Distribution", "partnerCenter": credentials}), 201
    )
    provider_admin = add_member(operator, api, "provider", provider["id"], "provider.admin")
    admin = session_for(stack, provider_admin)

    partner_id = str(uuid.uuid4().int % 5_000_000 + 1_000_000)
    invited = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": partner_id, "name": "Bench Reseller", "contactEmail": "it@bench.example"},
    )
    reseller_id = expect(invited, 201)["resellerId"]
    accept = {"providerTenantId": app["tenantId"], "partnerId": partner_id, "name": "Bench Reseller"}
    expect(requests.post(f"{target.sandbox}/_sandbox/resellers/accept", json=accept, timeout=10), 200)
    expect(admin.post(f"{api}/resellers/{reseller_id}/relationship-check"), 202)
    wait_until(lambda: admin.get(f"{api}/resellers/{reseller_id}").json()["status"] == "active", "reseller active")

    domain = f"bench{uuid.uuid4().hex[:10]}.onmicrosoft.com"
    customer = admin.post(
        f"{api}/customer-invitations",
        json={"resellerId": reseller_id, "name": "Bench Customer", "domain": domain, "contactEmail": "it@c.example"},
    )
    customer_id = expect(customer, 201)["customerId"]
    accepted = {"providerTenantId": app["tenantId"], "resellerPartnerId": partner_id, "domain": domain}
    expect(requests.post(f"{target.sandbox}/_sandbox/customers/accept", json=accepted, timeout=10), 200)
    expect(admin.post(f"{api}/customers/{customer_id}/relationship-check"), 202)
    wait_until(lambda: admin.get(f"{api}/customers/{customer_id}").json()["status"] == "active", "customer active")

    return Tenants(
        provider_id=provider["id"],
        provider_admin=provider_admin,
        reseller_admin=add_member(admin, api, "reseller", reseller_id, "reseller.admin"),
        customer_admin=add_member(admin, api, "customer", customer_id, "customer.admin"),
        customer_id=customer_id,
        reseller_id=reseller_id,
    )


def time_sync(admin: requests.Session, api: str, rounds: int) -> None:
    for n in range(rounds):
        started = time.perf_counter()
        result = expect(admin.post(f"{api}/catalog/sync", json={"country": COUNTRY}), 200)
        seconds = time.perf_counter() - started
        label = "first" if n == 0 else "again"
        print(
            f"POST /api/catalog/sync ({label:<5})       {seconds * 1000:8.1f} ms  added={result['added']} "
            f"updated={result['updated']} unchanged={result['unchanged']} priced={result['priced']}",
            flush=True,
        )


def price_the_tiers(admin: requests.Session, api: str, tenants: Tenants) -> None:
    """Margins at both tiers and a few overrides, so every read computes all the tiers it may see."""
    items = expect(admin.get(f"{api}/catalog", params={"country": COUNTRY, "limit": 10}), 200)["items"]
    overrides = [{"catalogItemId": item["catalogItemId"], "price": "9.99"} for item in items[:5]]
    expect(
        admin.put(f"{api}/resellers/{tenants.reseller_id}/pricing", json={"margin": "0.12", "overrides": overrides}),
        200,
    )
    expect(admin.put(f"{api}/customers/{tenants.customer_id}/pricing", json={"margin": "0.20"}), 200)


def measure(name: str, session: requests.Session, url: str, params: dict[str, Any], count: int) -> None:
    for _ in range(5):  # warm up connections, token keys and caches
        expect(session.get(url, params=params), 200)
    samples: list[float] = []
    items = 0
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        response = session.get(url, params=params)
        samples.append((time.perf_counter() - t0) * 1000)
        items = len(expect(response, 200)["items"])
    elapsed = time.perf_counter() - started
    print(
        f"{name:<52} items={items:<4} n={count:<4} p50={percentile(samples, 50):6.1f} ms  "
        f"p99={percentile(samples, 99):6.1f} ms  mean={statistics.fmean(samples):6.1f} ms  "
        f"{count / elapsed:5.0f} req/s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per role and page size")
    parser.add_argument("--syncs", type=int, default=3, help="catalog syncs to time (the first fills the market)")
    args = parser.parse_args(argv)

    with local_stack_with_sandbox() as target:
        api = target.api
        tenants = onboard(target)
        admin = session_for(target.stack, tenants.provider_admin)
        expect(admin.put(f"{api}/catalog/settings", json={"newItemsSellable": True}), 200)
        time_sync(admin, api, args.syncs)
        price_the_tiers(admin, api, tenants)

        url = f"{api}/catalog"
        roles = {
            "provider.admin (cost)": admin,
            "reseller.admin (its price)": session_for(target.stack, tenants.reseller_admin),
            "customer.admin (its price)": session_for(target.stack, tenants.customer_admin),
        }
        for limit in (10, 500):
            for role, session in roles.items():
                measure(
                    f"GET /api/catalog limit={limit} {role}",
                    session,
                    url,
                    {"country": COUNTRY, "limit": limit},
                    args.requests,
                )
        measure(
            "GET /api/catalog q=microsoft reseller",
            roles["reseller.admin (its price)"],
            url,
            {"country": COUNTRY, "q": "microsoft", "limit": 50},
            args.requests,
        )


if __name__ == "__main__":
    main()
