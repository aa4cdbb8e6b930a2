"""Helpers for onboarding tests: the platform in-process over Azurite and the sandbox, with the queue
worked the way the local worker works it."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.messaging import QueueNames
from shared.messaging.storage_queues import StorageQueueReceiver
from shared.services.handlers import dispatcher


def new_partner_id() -> str:
    return str(random.randint(1_000_000, 6_999_999))


def new_domain(prefix: str = "cust") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}.onmicrosoft.com"


class Sandbox:
    """The sandbox's control routes, as the other parties use them."""

    def __init__(self, running: Any) -> None:
        self.url = running.http_url
        self.https_url = running.https_url
        self.ca = str(running.ca_cert_path)

    def provider(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/_sandbox/provider", timeout=10).json()  # type: ignore[no-any-return]

    def new_provider(self, name: str = "Another Distribution") -> dict[str, Any]:
        answer = requests.post(f"{self.url}/_sandbox/providers", json={"name": name}, timeout=10)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def reseller_accepts(self, provider_tenant: str, partner_id: str, name: str = "Fabrikam IT") -> dict[str, Any]:
        answer = requests.post(
            f"{self.url}/_sandbox/resellers/accept",
            json={"providerTenantId": provider_tenant, "partnerId": partner_id, "name": name},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def customer_accepts(self, provider_tenant: str, reseller_partner_id: str, **identity: Any) -> str:
        """The customer's global admin accepts in the admin center (the agreement too, unless acceptAgreement=False)."""
        answer = requests.post(
            f"{self.url}/_sandbox/customers/accept",
            json={"providerTenantId": provider_tenant, "resellerPartnerId": reseller_partner_id, **identity},
            timeout=10,
        )
        answer.raise_for_status()
        return str(answer.json()["tenantId"])

    def end_relationship(self, provider_tenant: str, **who: str) -> None:
        answer = requests.post(
            f"{self.url}/_sandbox/relationships/end", json={"providerTenantId": provider_tenant, **who}, timeout=10
        )
        answer.raise_for_status()

    def set_partner(self, partner_id: str, **standing: Any) -> dict[str, Any]:
        """How Partner Center knows a partner ID: `known`, `agreementSigned` (both true unless set), `name`."""
        answer = requests.put(f"{self.url}/_sandbox/partners/{partner_id}", json=standing, timeout=10)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def faults(self, **settings: Any) -> None:
        requests.put(f"{self.url}/_sandbox/faults", json=settings, timeout=10).raise_for_status()

    def follow_authorize(self, authorize_url: str) -> str:
        """The partner admin signs in and consents: the authority redirects back with code and state."""
        answer = requests.get(authorize_url, allow_redirects=False, verify=self.ca, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        return str(answer.headers["Location"])


def work_queue(container: Container, until: Callable[[], bool], *, timeout: float = 60.0) -> None:
    """Receives relationship checks and runs them, as the worker does, until `until()` holds."""
    receiver = StorageQueueReceiver(
        container.settings.storage_connection_string,
        QueueNames.RELATIONSHIP_CHECKS,
        max_attempts=8,
        visibility_timeout=timedelta(seconds=2),
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if until():
                return
            handled = receiver.receive_batch(
                lambda delivery: dispatcher.dispatch(container, QueueNames.RELATIONSHIP_CHECKS, delivery), 16
            )
            if not handled:
                time.sleep(0.3)
        raise AssertionError("the relationship checks did not converge in time")
    finally:
        receiver.close()


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def enroll(
    client: TestClient,
    headers: dict[str, str],
    app: dict[str, Any],
    *,
    with_refresh_token: bool = True,
    name: str = "Contoso Distribution",
) -> Any:
    body = {
        "name": name,
        "partnerCenter": {
            "tenantId": app["tenantId"],
            "clientId": app["clientId"],
            "clientSecretRef": app["clientSecretRef"],
        },
    }
    if with_refresh_token:
        body["partnerCenter"]["refreshTokenRef"] = app["refreshTokenRef"]
    return client.post("/api/providers", json=body, headers=headers)
