"""Webhook registration, signed deliveries and retries (docs/partner-center.md#webhooks)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.sandbox.billing import generate, start_fresh_month
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import buy, customer_with_reseller


@dataclass
class Receiver:
    """A tiny HTTP receiver on a free port: records every request, answers the statuses it is told to."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def wait_for(self, count: int, timeout: float = 20) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.05)
        assert len(self.received) >= count, f"received {len(self.received)} of {count}"
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/webhooks/partner-center"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def register(provider: Provider, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
    body = {"WebhookUrl": url, "WebhookEvents": events, **extra}
    response = provider.session.post(f"{provider.sandbox.https_url}/webhooks/v1/registration", json=body,
                                     headers={"Authorization": f"Bearer {provider.app_token}"}, timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    return dict(response.json())


def webhooks_call(provider: Provider, method: str, path: str, **kwargs: Any) -> Any:
    return provider.session.request(
        method,
        f"{provider.sandbox.https_url}/webhooks/v1{path}",
        headers={"Authorization": f"Bearer {provider.app_token}"},
        timeout=30,
        **kwargs,
    )


def verifier(provider: Provider) -> Callable[[bytes, dict[str, str]], bool]:
    """The receiver's check (docs/partner-center.md#webhooks), trusting exactly the sandbox's webhook root and
    certificate host."""
    trust = provider.control("GET", "/webhooks/certificate").json()
    root = x509.load_pem_x509_certificate(trust["rootCertificatePem"].encode())
    trusted_hosts = {trust["certificateHost"]}

    def fetch_cert(url: str) -> bytes:
        return bytes(provider.session.get(url, timeout=30).content)

    def check_chain(cert: x509.Certificate) -> bool:
        try:
            cert.verify_directly_issued_by(root)
            return True
        except (ValueError, TypeError, InvalidSignature):
            return False

    def verify(raw_body: bytes, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization") or headers.get("x-ms-signature") or ""
        scheme, _, b64sig = auth.partition(" ")
        if scheme.lower() != "signature" or not b64sig:
            return False
        url = headers.get("x-ms-certificate-url", "")
        alg = headers.get("x-ms-signature-algorithm", "").lower()
        if alg != "rsa-sha256" or not url.startswith("https://") or urlparse(url).netloc not in trusted_hosts:
            return False
        cert = x509.load_der_x509_certificate(fetch_cert(url))
        if not check_chain(cert) or "Microsoft Corporation" not in cert.issuer.rfc4514_string():
            return False
        try:
            cert.public_key().verify(base64.b64decode(b64sig), raw_body, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
            return True
        except InvalidSignature:
            return False

    return verify


def deliveries(provider: Provider, **query: str) -> list[dict[str, Any]]:
    params = "&".join(f"{k}={v}" for k, v in {"providerTenantId": provider.tenant_id, **query}.items())
    return list(provider.control("GET", f"/webhooks/deliveries?{params}").json()["items"])


def test_registration_lifecycle(provider: Provider, receiver: Receiver) -> None:
    events = webhooks_call(provider, "GET", "/registration/events").json()
    assert {"subscription-updated", "test-created", "invoice-ready"} <= set(events)
    assert webhooks_call(provider, "GET", "/registration").status_code == 404
    created = register(provider, receiver.url, ["subscription-updated"])
    assert created["WebhookUrl"] == receiver.url and created["SubscriberId"]
    again = webhooks_call(provider, "POST", "/registration", json={"WebhookUrl": receiver.url,
                                                                    "WebhookEvents": ["invoice-ready"]})  # fmt: skip
    assert again.status_code == 409 and again.json()["code"]
    replaced = webhooks_call(provider, "PUT", "/registration", json={"webhookUrl": receiver.url + "?v=2",
                                                                      "webhookEvents": ["invoice-ready"]})  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["WebhookEvents"] == ["invoice-ready"]
    assert replaced.json()["SubscriberId"] == created["SubscriberId"]
    assert webhooks_call(provider, "GET", "/registration").json()["WebhookUrl"].endswith("?v=2")
    assert webhooks_call(provider, "DELETE", "/registration").status_code == 204
    assert webhooks_call(provider, "GET", "/registration").status_code == 404


def test_subscription_change_is_delivered_signed_and_verifiable(provider: Provider, receiver: Receiver) -> None:
    customer_id, reseller = customer_with_reseller(provider)
    subscription = buy(provider, customer_id, reseller=reseller["partnerId"])
    register(provider, receiver.url, ["subscription-updated"])
    changed = provider.control("POST", f"/subscriptions/{subscription['id']}/change", json={"quantity": 12})
    assert changed.status_code == 200
    [(headers, body)] = receiver.wait_for(1)
    assert headers["authorization"].startswith("Signature ") and headers["x-ms-signature-algorithm"] == "rsa-sha256"
    assert verifier(provider)(body, headers)
    event = json.loads(body)
    assert set(event) == {"EventName", "ResourceUri", "ResourceName", "AuditUri", "ResourceChangeUtcDate"}
    assert (event["EventName"], event["ResourceName"]) == ("subscription-updated", "subscription")
    assert event["ResourceUri"].endswith(f"/webhooks/v1/customers/{customer_id}/subscriptions/{subscription['id']}")
    certificate = x509.load_der_x509_certificate(provider.session.get(headers["x-ms-certificate-url"]).content)
    assert "O=Microsoft Corporation" in certificate.issuer.rfc4514_string()


def test_ms_signature_header_is_used_when_the_registration_asks(provider: Provider, receiver: Receiver) -> None:
    register(provider, receiver.url, ["invoice-ready"], SignatureTokenToMsSignatureHeader=True)
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    invoice_id = generate(provider, period, extraLines=1)["invoiceId"]
    [(headers, body)] = receiver.wait_for(1)
    assert "authorization" not in headers and headers["x-ms-signature"].startswith("Signature ")
    assert verifier(provider)(body, headers)
    assert json.loads(body)["ResourceUri"].endswith(f"/v1/invoices/{invoice_id}")


def test_relationship_acceptance_is_announced(provider: Provider, receiver: Receiver) -> None:
    register(provider, receiver.url, ["indirect-reseller-relationship-accepted-by-customer",
                                      "reseller-relationship-accepted-by-customer"])  # fmt: skip
    customer_id, _ = customer_with_reseller(provider)
    [(_, body)] = receiver.wait_for(1)
    event = json.loads(body)
    assert event["EventName"] == "indirect-reseller-relationship-accepted-by-customer"
    assert event["ResourceUri"].endswith(f"/v1/customers/{customer_id}")


@pytest.mark.parametrize("tamper", ["signature", "body", "certificateUrl"])
def test_tampered_delivery_fails_verification(provider: Provider, receiver: Receiver, tamper: str) -> None:
    register(provider, receiver.url, ["subscription-updated"])
    uri = f"{provider.sandbox.https_url}/webhooks/v1/customers/c/subscriptions/s"
    body = {"eventName": "subscription-updated", "resourceUri": uri, "providerTenantId": provider.tenant_id}
    # One after the other: deliveries are asynchronous, so two sent together may arrive in either order.
    assert provider.control("POST", "/webhooks/send", json=body).status_code == 200
    [(good_headers, good_body)] = receiver.wait_for(1)[:1]
    assert provider.control("POST", "/webhooks/send", json={**body, "tamper": tamper}).status_code == 200
    bad_headers, bad_body = receiver.wait_for(2)[1]
    verify = verifier(provider)
    assert verify(good_body, good_headers) and not verify(bad_body, bad_headers)


def test_failing_receiver_gets_ten_attempts(provider: Provider, receiver: Receiver) -> None:
    receiver.statuses = [500] * 20
    register(provider, receiver.url, ["subscription-updated"])
    event = {"eventName": "subscription-updated", "resourceUri": "x", "providerTenantId": provider.tenant_id}
    sent = provider.control("POST", "/webhooks/send", json=event).json()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not deliveries(provider, deliveryId=sent["deliveryId"])[0]["finished"]:
        time.sleep(0.2)
    [delivery] = deliveries(provider, deliveryId=sent["deliveryId"])
    assert [a["statusCode"] for a in delivery["attempts"]] == [500] * 10 and not delivery["delivered"]
    assert len(receiver.received) == 10


def test_delivery_stops_at_the_first_2xx(provider: Provider, receiver: Receiver) -> None:
    receiver.statuses = [503, 500, 202]
    register(provider, receiver.url, ["subscription-updated"])
    event = {"eventName": "subscription-updated", "resourceUri": "x", "providerTenantId": provider.tenant_id}
    sent = provider.control("POST", "/webhooks/send", json=event).json()
    receiver.wait_for(3)
    time.sleep(0.5)
    [delivery] = deliveries(provider, deliveryId=sent["deliveryId"])
    assert [a["statusCode"] for a in delivery["attempts"]] == [503, 500, 202] and delivery["delivered"]


def test_validation_events_are_limited_to_two_a_minute(provider: Provider, receiver: Receiver) -> None:
    register(provider, receiver.url, ["test-created"])
    correlation_ids = []
    for _ in range(2):
        sent = webhooks_call(provider, "POST", "/registration/validationEvents")
        assert sent.status_code == 200, sent.text
        correlation_ids.append(sent.json()["correlationId"])
    third = webhooks_call(provider, "POST", "/registration/validationEvents")
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1 and third.json()["statusCode"] == 429
    receiver.wait_for(2)
    time.sleep(0.3)
    status = webhooks_call(provider, "GET", f"/registration/validationEvents/{correlation_ids[0]}").json()
    assert status["status"] == "completed" and status["results"][0]["responseCode"] == "OK"
    assert status["callbackUrl"] == receiver.url
    events = [json.loads(body) for _, body in receiver.received]
    assert {e["EventName"] for e in events} == {"test-created"}
    assert any(e["ResourceUri"].endswith(f"/registration/validationEvents/{correlation_ids[0]}") for e in events)


def test_send_without_registration_is_refused_and_certificate_route_names_root_and_host(provider: Provider) -> None:
    refused = provider.control("POST", "/webhooks/send", json={"eventName": "invoice-ready", "resourceUri": "x",
                                                                "providerTenantId": provider.tenant_id})  # fmt: skip
    assert refused.status_code == 409
    trust = provider.control("GET", "/webhooks/certificate").json()
    assert set(trust) == {"rootCertificatePem", "certificateUrl", "certificateHost"}
    root = x509.load_pem_x509_certificate(trust["rootCertificatePem"].encode())
    assert "O=Microsoft Corporation" in root.subject.rfc4514_string()
    assert (
        root.subject.rfc4514_string()
        != x509.load_pem_x509_certificate(provider.sandbox.ca_cert_path.read_bytes()).subject.rfc4514_string()
    )
    assert urlparse(trust["certificateUrl"]).netloc == trust["certificateHost"]
