"""The local stack (`python -m local.run`) as a subprocess on free ports, and a client for its API."""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from local.azurite import free_port
from local.processes import die_with_parent
from local.settings import REPO_ROOT

PORT_NAMES = ("api", "sandbox", "sandbox-tls", "blob", "queue", "table")
# A free port can be taken by another process between the check and the bind (other test workers start stacks too):
# such a start is tried again on new ports.
PORT_TAKEN = ("EADDRINUSE", "already in use")
START_ATTEMPTS = 3


class RunningStack:
    def __init__(self, data_dir: Path, environment: dict[str, str]) -> None:
        self.data_dir, self.environment = data_dir, environment
        self.attempts_left = START_ATTEMPTS
        self._launch()

    def _launch(self) -> None:
        self.attempts_left -= 1
        self.ports = {name: free_port() for name in PORT_NAMES}
        args = [sys.executable, "-m", "local.run", "--data-dir", str(self.data_dir)]
        for name, port in self.ports.items():
            args += [f"--{name}-port", str(port)]
        self.process = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.environment},
            preexec_fn=die_with_parent(),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        process, lines = self.process, self.lines

        def pump() -> None:
            for line in process.stdout:  # type: ignore[union-attr]
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        self.api = f"http://127.0.0.1:{self.ports['api']}/api"
        self.sandbox = f"http://127.0.0.1:{self.ports['sandbox']}"
        self.seen: list[str] = []

    def _lost_a_port(self) -> bool:
        return any(taken in line for line in self.seen for taken in PORT_TAKEN)

    def wait_for(self, prefix: str, timeout: float = 120) -> str:
        for line in self.seen:
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    if self.attempts_left > 0 and self._lost_a_port():
                        self._launch()
                        continue
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        raise AssertionError(f"no line starting {prefix!r}; output so far: {self.seen}")

    def token(self, oid: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "local.token", "--user", oid, "--data-dir", str(self.data_dir)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.strip()

    def session(self, oid: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(oid)}"
        return session

    @property
    def ca(self) -> str:
        return str(self.data_dir / "sandbox" / "dev-ca.pem")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_stack(data_dir: Path, **environment: str) -> RunningStack:
    return RunningStack(data_dir, environment)


@pytest.fixture(scope="session")
def onboarding_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack whose checks are quick, whose sweep runs every 5 s and whose invitations expire after 30 s."""
    stack = start_stack(
        tmp_path_factory.mktemp("onboarding-stack"),
        RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3",
        RELATIONSHIP_INVITATION_EXPIRY_DAYS=str(30 / 86400),
        RELATIONSHIP_SWEEP_SCHEDULE="*/5 * * * * *",
    )
    stack.wait_for("ready: ")
    yield stack
    stack.stop()


def eventually(
    read: Callable[[], Any], accept: Callable[[Any], bool], *, timeout: float = 60, interval: float = 0.5
) -> Any:
    """Polls `read` until `accept` holds (the platform converges asynchronously)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"did not converge; last value: {value}")
        time.sleep(interval)
        value = read()
    return value


def control(stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None, **params: str) -> Any:
    """A call to the sandbox's control routes (the other parties: resellers, customers, Partner Center itself)."""
    answer = requests.request(method, f"{stack.sandbox}/_sandbox/{path}", json=body, params=params, timeout=60)
    answer.raise_for_status()
    return answer.json()


@dataclass(frozen=True)
class Market:
    """A provider that can sell: enrolled, its US catalog synced and sellable, an active reseller and customer."""

    app: dict[str, Any]
    provider_id: str
    operator: requests.Session
    admin: requests.Session
    reseller_id: str
    partner_id: str
    customer_id: str
    tenant_id: str


def switch_on_market(admin: requests.Session, api: str, country: str) -> int:
    """Every item of a market made sellable. Enrolling queued the first catalogs before the test could say
    `newItemsSellable`, so what that first sync brought in is switched on item by item, as an admin would."""
    eventually(lambda: admin.get(f"{api}/catalog", params={"country": country, "limit": 1}).json()["items"],
               lambda items: len(items) > 0, timeout=120)  # fmt: skip
    switched = 0
    while True:
        page = admin.get(f"{api}/catalog", params={"country": country, "sellable": "false", "limit": 500})
        page.raise_for_status()
        items = page.json()["items"]
        if not items:
            return switched
        for item in items:
            admin.put(f"{api}/catalog/items/{item['catalogItemId']}/sellable",
                      json={"sellable": True, "country": country}).raise_for_status()  # fmt: skip
            switched += 1


def ready_to_sell(stack: RunningStack, name: str, *, catalog: bool = True, accept_agreement: bool = True) -> Market:
    """`catalog=False`: the provider, reseller and customer only, for a test that buys nothing;
    `accept_agreement=False`: the customer has not accepted the Microsoft Customer Agreement."""
    api = stack.api
    operator = stack.session(stack.wait_for("operator: "))
    app = control(stack, "POST", "providers", {"name": name})
    provider = operator.post(f"{api}/providers", json={"name": name, "partnerCenter": {
        "tenantId": app["tenantId"], "clientId": app["clientId"], "clientSecretRef": app["clientSecretRef"],
        "refreshTokenRef": app["refreshTokenRef"]}}).json()  # fmt: skip
    admin_id = str(uuid.uuid4())
    operator.post(f"{api}/members", json={"userId": admin_id, "orgType": "provider", "orgId": provider["id"],
                                          "role": "provider.admin"}).raise_for_status()  # fmt: skip
    admin = stack.session(admin_id)
    if catalog:
        admin.put(f"{api}/catalog/settings", json={"newItemsSellable": True}).raise_for_status()
        assert admin.post(f"{api}/catalog/sync", json={"country": "US"}).status_code == 200
        switch_on_market(admin, api, "US")
    partner_id = str(random.randint(1_000_000, 6_999_999))
    reseller_id = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": partner_id, "name": f"{name} Reseller", "contactEmail": "it@reseller.example"},
    ).json()["resellerId"]
    control(stack, "POST", "resellers/accept", {"providerTenantId": app["tenantId"], "partnerId": partner_id})
    eventually(lambda: admin.get(f"{api}/resellers/{reseller_id}").json(), lambda r: r["status"] == "active")
    domain = f"buyer{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    customer_id = admin.post(f"{api}/customer-invitations", json={
        "resellerId": reseller_id, "name": "Buyer", "domain": domain, "contactEmail": "it@buyer.example"}
    ).json()["customerId"]  # fmt: skip
    # A US customer: the catalog synced here is the US market.
    tenant = control(stack, "POST", "customers/accept", {"providerTenantId": app["tenantId"],
                                                        "resellerPartnerId": partner_id, "domain": domain,
                                                        "country": "US", "acceptAgreement": accept_agreement,
                                                        })["tenantId"]  # fmt: skip
    eventually(lambda: admin.get(f"{api}/customers/{customer_id}").json(), lambda c: c["status"] == "active")
    return Market(app, provider["id"], operator, admin, reseller_id, partner_id, customer_id, tenant)
