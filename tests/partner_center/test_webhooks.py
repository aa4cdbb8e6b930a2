"""Webhook registration and signed deliveries from the sandbox, verified by a receiver on a free loopback port."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.partner_center.webhooks import InvalidSignature, WebhookVerifier
from tests.partner_center.conftest import Control, ProviderClient

CUSTOMER = "f81d98dd-c2f4-499e-a194-5619e260344e"
SUBSCRIPTION = "a4c1340d-6911-4758-bba3-0c4c6007d161"


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    """What a platform's webhook endpoint would see: every request, raw, answered 200."""

    url: str
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"only {len(self.received)} of {count} deliveries arrived"
                self.arrived.wait(remaining)
            return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server: ThreadingHTTPServer | None = None
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = holder[0]
            with target.arrived:
                target.received.append(Received(body, dict(self.headers.items())))
                target.arrived.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}/api/webhooks/partner-center"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sandbox_trust(control: Control) -> dict[str, Any]:
    return control.call("GET", "/_sandbox/webhooks/certificate")


def verifier_for(
    trust: dict[str, Any], sandbox: Any, *, hosts: set[str] | None = None, root: bytes | None = None
) -> WebhookVerifier:
    return WebhookVerifier(
        hosts if hosts is not None else {trust["certificateHost"]},
        [root or trust["rootCertificatePem"].encode()],
        ca_bundle=str(sandbox.ca_cert_path),
    )


def send(control: Control, provider: dict[str, Any], tamper: str | None = None) -> None:
    uri = f"https://api.partnercenter.microsoft.com/webhooks/v1/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}"
    body: dict[str, Any] = {
        "eventName": "subscription-updated",
        "resourceUri": uri,
        "providerTenantId": provider["tenantId"],
    }
    if tamper:
        body["tamper"] = tamper
    control.call("POST", "/_sandbox/webhooks/send", body)


@pytest.fixture
def registered(fresh_client: ProviderClient, receiver: Receiver) -> ProviderClient:
    fresh_client.client.register_webhook(receiver.url, ["subscription-updated", "test-created"])
    return fresh_client


def other_root() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, "Microsoft Corporation")])
    now = time.time()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(dt.datetime.fromtimestamp(now - 60, dt.UTC))
        .not_valid_after(dt.datetime.fromtimestamp(now + 3600, dt.UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM)


def test_sandbox_delivery_verifies_with_the_sandbox_root(
    registered: ProviderClient, receiver: Receiver, control: Control, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    send(control, registered.provider)
    [delivery] = receiver.wait_for(1)
    event = verifier_for(sandbox_trust, sandbox).verify(delivery.body, delivery.headers)
    assert event.event_name == "subscription-updated"
    assert (event.customer_id, event.subscription_id) == (CUSTOMER, SUBSCRIPTION)
    assert event.resource_change_utc is not None and len(event.dedupe_key) == 64


@pytest.mark.parametrize("tamper", ["body", "signature"])
def test_tampered_delivery_is_refused(
    tamper: str, registered: ProviderClient, receiver: Receiver, control: Control, sandbox: Any,
    sandbox_trust: dict[str, Any],
) -> None:  # fmt: skip
    send(control, registered.provider, tamper)
    [delivery] = receiver.wait_for(1)
    with pytest.raises(InvalidSignature) as refused:
        verifier_for(sandbox_trust, sandbox).verify(delivery.body, delivery.headers)
    assert refused.value.reason == "bad_signature"


def test_certificate_from_an_untrusted_host_is_refused(
    registered: ProviderClient, receiver: Receiver, control: Control, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    send(control, registered.provider, "certificateUrl")
    [delivery] = receiver.wait_for(1)
    with pytest.raises(InvalidSignature) as refused:
        verifier_for(sandbox_trust, sandbox).verify(delivery.body, delivery.headers)
    assert refused.value.reason == "untrusted_certificate_url"


def test_self_signed_certificate_is_refused_even_from_an_allowed_host(
    registered: ProviderClient, receiver: Receiver, control: Control, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    send(control, registered.provider, "certificateUrl")
    [delivery] = receiver.wait_for(1)
    port = sandbox_trust["certificateHost"].rsplit(":", 1)[1]
    verifier = verifier_for(sandbox_trust, sandbox, hosts={sandbox_trust["certificateHost"], f"localhost:{port}"})
    with pytest.raises(InvalidSignature) as refused:
        verifier.verify(delivery.body, delivery.headers)
    assert refused.value.reason == "untrusted_certificate"


def test_genuine_delivery_is_refused_under_an_untrusted_root(
    registered: ProviderClient, receiver: Receiver, control: Control, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    send(control, registered.provider)
    [delivery] = receiver.wait_for(1)
    with pytest.raises(InvalidSignature) as refused:
        verifier_for(sandbox_trust, sandbox, root=other_root()).verify(delivery.body, delivery.headers)
    assert refused.value.reason == "untrusted_certificate"


def test_second_registration_replaces_the_first_with_put(fresh_client: ProviderClient, receiver: Receiver) -> None:
    client = fresh_client.client
    assert client.get_webhook_registration() is None
    first = client.register_webhook(receiver.url, ["subscription-updated"])
    second = client.register_webhook(
        receiver.url + "/v2", ["invoice-ready", "test-created"], signature_in_ms_header=True
    )
    assert second.subscriber_id == first.subscriber_id
    current = client.get_webhook_registration()
    assert current is not None
    assert current.webhook_url == receiver.url + "/v2"
    assert set(current.webhook_events) == {"invoice-ready", "test-created"}
    assert current.signature_in_ms_header
    assert client.delete_webhook_registration() is True
    assert client.get_webhook_registration() is None
    assert client.delete_webhook_registration() is False


def test_signature_in_ms_header_is_verified_too(
    fresh_client: ProviderClient, receiver: Receiver, control: Control, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    fresh_client.client.register_webhook(receiver.url, ["subscription-updated"], signature_in_ms_header=True)
    send(control, fresh_client.provider)
    [delivery] = receiver.wait_for(1)
    assert "Authorization" not in delivery.headers
    assert verifier_for(sandbox_trust, sandbox).verify(delivery.body, delivery.headers).subscription_id == SUBSCRIPTION


def test_validation_event_is_delivered_and_its_attempts_are_readable(
    registered: ProviderClient, receiver: Receiver, sandbox: Any, sandbox_trust: dict[str, Any]
) -> None:
    client = registered.client
    assert "test-created" in client.list_webhook_events()
    correlation = client.send_validation_event()
    [delivery] = receiver.wait_for(1)
    event = verifier_for(sandbox_trust, sandbox).verify(delivery.body, delivery.headers)
    assert event.event_name == "test-created"
    assert event.validation_correlation_id == correlation
    deadline = time.monotonic() + 10
    while not (status := client.get_validation_event(correlation)).delivered:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status.correlation_id == correlation
