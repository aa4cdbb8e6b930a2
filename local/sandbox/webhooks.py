"""Partner Center webhooks (docs/partner-center.md#webhooks): registration API, signed deliveries with retries,
validation."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import http
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from local.sandbox import config as cfg
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.context import Sandbox
from local.sandbox.fileio import directory_lock, write_atomically
from local.sandbox.wire import PartnerCenterError, WireResponse, read_json, throttled_response

router = APIRouter(tags=["Partner Center: webhooks"])
control_router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])

EVENTS = (
    "test-created", "subscription-updated", "reseller-relationship-accepted-by-customer",
    "indirect-reseller-relationship-accepted-by-customer", "invoice-ready", "usagerecords-thresholdExceeded",
    "referral-created", "referral-updated", "related-referral-created", "related-referral-updated",
    "granular-admin-relationship-approved", "granular-admin-relationship-activated",
    "granular-admin-relationship-terminated", "granular-admin-relationship-expired",
    "granular-admin-access-assignment-created", "granular-admin-access-assignment-activated",
    "granular-admin-access-assignment-updated", "granular-admin-access-assignment-deleted",
    "dap-admin-relationship-approved", "dap-admin-relationship-terminated",
    "dap-admin-relationship-terminated-by-microsoft", "azure-fraud-event-detected",
)  # fmt: skip
_RESOURCE_NAMES = {
    "test-created": "test", "subscription-updated": "subscription", "invoice-ready": "invoice",
    "reseller-relationship-accepted-by-customer": "customer",
    # (unconfirmed) the resource name of the indirect-reseller variant; the sandbox calls it a customer too
    "indirect-reseller-relationship-accepted-by-customer": "customer", "usagerecords-thresholdExceeded": "usagerecords",
}  # fmt: skip
MAX_ATTEMPTS = 10
VALIDATION_LIMIT_PER_MINUTE = 2
ROOT_CERT_FILE, ROOT_KEY_FILE = "webhook-root-ca.pem", "webhook-root-ca-key.pem"
SIGNING_CERT_FILE, SIGNING_KEY_FILE = "webhook-signing.pem", "webhook-signing-key.pem"
ROGUE_CERT_FILE, ROGUE_KEY_FILE = "webhook-rogue.pem", "webhook-rogue-key.pem"
CERTIFICATE_NAME = "pcnotifications-dispatch.microsoft.com.cer"
ROGUE_CERTIFICATE_NAME = "rogue-dispatch.cer"
TAMPER_KINDS = ("signature", "body", "certificateUrl")


# Signing certificates ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookKeys:
    """The root (trust anchor for receivers), the signing certificate it issued, and a certificate nobody trusts."""

    root_pem: str
    signing_key: rsa.RSAPrivateKey
    signing_der: bytes
    rogue_key: rsa.RSAPrivateKey
    rogue_der: bytes


def _microsoft_name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Washington"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Redmond"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Microsoft Corporation"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])  # fmt: skip


def _certificate(subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey, signer: rsa.RSAPrivateKey, *,
                 ca: bool, days: int) -> x509.Certificate:  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .sign(signer, hashes.SHA256())
    )  # fmt: skip


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())  # fmt: skip


def _load_pair(state_dir: Path, cert_file: str, key_file: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate] | None:
    if not ((state_dir / cert_file).exists() and (state_dir / key_file).exists()):
        return None
    key = serialization.load_pem_private_key((state_dir / key_file).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key, x509.load_pem_x509_certificate((state_dir / cert_file).read_bytes())


def _store_pair(state_dir: Path, cert_file: str, key_file: str, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
    write_atomically(state_dir / key_file, _pem_key(key))
    write_atomically(state_dir / cert_file, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def ensure_webhook_keys(state_dir: Path) -> WebhookKeys:
    """A webhook root CA mimicking Microsoft's (separate from the TLS dev CA), created once per state dir."""
    state_dir = Path(state_dir)
    with directory_lock(state_dir, "webhook-keys"):
        root = _load_pair(state_dir, ROOT_CERT_FILE, ROOT_KEY_FILE)
        if root is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = _microsoft_name("Sandbox Partner Center Webhook Root CA")
            root = key, _certificate(name, name, key, key, ca=True, days=3650)
            _store_pair(state_dir, ROOT_CERT_FILE, ROOT_KEY_FILE, *root)
        signing = _load_pair(state_dir, SIGNING_CERT_FILE, SIGNING_KEY_FILE)
        if signing is None or signing[1].issuer != root[1].subject:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = _microsoft_name("pcnotifications-dispatch.microsoft.com")
            signing = key, _certificate(name, root[1].subject, key, root[0], ca=False, days=825)
            _store_pair(state_dir, SIGNING_CERT_FILE, SIGNING_KEY_FILE, *signing)
        rogue = _load_pair(state_dir, ROGUE_CERT_FILE, ROGUE_KEY_FILE)
        if rogue is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = _microsoft_name("pcnotifications-dispatch.microsoft.com")
            rogue = key, _certificate(name, name, key, key, ca=False, days=825)
            _store_pair(state_dir, ROGUE_CERT_FILE, ROGUE_KEY_FILE, *rogue)
    return WebhookKeys(
        root_pem=root[1].public_bytes(serialization.Encoding.PEM).decode("ascii"),
        signing_key=signing[0], signing_der=signing[1].public_bytes(serialization.Encoding.DER),
        rogue_key=rogue[0], rogue_der=rogue[1].public_bytes(serialization.Encoding.DER),
    )  # fmt: skip


def sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    """RSA PKCS#1 v1.5 with SHA-256 over the raw body, base64: what X-MS-Signature-Algorithm rsa-sha256 names."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


# Deliveries ----------------------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    """One event on its way to a receiver, with every attempt made so far."""

    id: str
    provider_tenant_id: str
    event_name: str
    resource_uri: str
    webhook_url: str
    tamper: str | None
    correlation_id: str | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: bool = False
    finished: bool = False

    def view(self) -> dict[str, Any]:
        return {"deliveryId": self.id, "providerTenantId": self.provider_tenant_id, "eventName": self.event_name,
                "resourceUri": self.resource_uri, "webhookUrl": self.webhook_url, "tamper": self.tamper,
                "correlationId": self.correlation_id, "delivered": self.delivered, "finished": self.finished,
                "attempts": list(self.attempts)}  # fmt: skip


def _utc_text(moment: dt.datetime) -> str:
    """'2026-10-06T10:15:42.5485487+00:00', as ResourceChangeUtcDate is written."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0+00:00"


class WebhookDispatcher:
    """Sends events to registered receivers from a small thread pool: signed, retried with back-off, recorded."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.keys = ensure_webhook_keys(sandbox.config.state_dir)
        self._lock = threading.Lock()
        self._deliveries: collections.OrderedDict[str, Delivery] = collections.OrderedDict()
        self._validations: dict[str, collections.deque[float]] = {}
        self._pool: ThreadPoolExecutor | None = None

    @property
    def certificate_url(self) -> str:
        return f"{self.sandbox.config.https_url}/cert/{CERTIFICATE_NAME}"

    @property
    def rogue_certificate_url(self) -> str:
        # Another host name for the same listener: a receiver's host allow-list refuses it, and its chain is broken.
        return f"https://localhost:{self.sandbox.config.https_port}/cert/{ROGUE_CERTIFICATE_NAME}"

    def registration(self, provider_tenant_id: str) -> dict[str, Any] | None:
        with self.sandbox.state.lock:
            found = self.sandbox.state.data.setdefault("webhookRegistrations", {}).get(provider_tenant_id)
            return dict(found) if found else None

    def on_event(self, event_name: str, resource_uri: str, details: dict[str, Any]) -> None:
        """A Sandbox event listener: delivers the event when the provider's registration asks for it."""
        provider_tenant_id = self._provider_of(details)
        registration = self.registration(provider_tenant_id) if provider_tenant_id else None
        if registration is None:
            return
        wanted = {e.lower() for e in registration["webhookEvents"]}
        if event_name.lower() in wanted:
            self.send(provider_tenant_id, event_name, resource_uri)  # type: ignore[arg-type]

    def _provider_of(self, details: dict[str, Any]) -> str | None:
        data = self.sandbox.state.data
        with self.sandbox.state.lock:
            if details.get("providerTenantId"):
                return str(details["providerTenantId"])
            if details.get("subscriptionId") in data["subscriptions"]:
                return str(data["subscriptions"][details["subscriptionId"]]["providerTenantId"])
            if details.get("customerTenantId") in data["customers"]:
                return str(data["customers"][details["customerTenantId"]]["providerTenantId"])
        return None

    def send(self, provider_tenant_id: str, event_name: str, resource_uri: str, *, tamper: str | None = None,
             correlation_id: str | None = None) -> Delivery:  # fmt: skip
        registration = self.registration(provider_tenant_id)
        if registration is None:
            raise LookupError("no webhook is registered for this provider")
        delivery = Delivery(str(uuid.uuid4()), provider_tenant_id, event_name, resource_uri,
                            registration["webhookUrl"], tamper, correlation_id)  # fmt: skip
        payload = {
            "EventName": event_name, "ResourceUri": resource_uri,
            "ResourceName": _RESOURCE_NAMES.get(event_name, event_name.split("-")[0]), "AuditUri": None,
            "ResourceChangeUtcDate": _utc_text(self.sandbox.state.clock.now()),
        }  # fmt: skip
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        headers = self._signed_headers(body, tamper, bool(registration.get("signatureTokenToMsSignatureHeader")))
        if tamper == "body":
            body = body.replace(b'"ResourceChangeUtcDate":"', b'"ResourceChangeUtcDate":"1', 1)
        with self._lock:
            self._deliveries[delivery.id] = delivery
            while len(self._deliveries) > 10_000:
                self._deliveries.popitem(last=False)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook-delivery")
            pool = self._pool
        pool.submit(self._deliver, delivery, body, headers)
        return delivery

    def _signed_headers(self, body: bytes, tamper: str | None, ms_signature_header: bool) -> dict[str, str]:
        key, url = self.keys.signing_key, self.certificate_url
        if tamper == "certificateUrl":
            key, url = self.keys.rogue_key, self.rogue_certificate_url
        signature = sign(key, body)
        if tamper == "signature":
            raw = bytearray(base64.b64decode(signature))
            raw[len(raw) // 2] ^= 0x01
            signature = base64.b64encode(bytes(raw)).decode("ascii")
        headers = {"Content-Type": "application/json", "X-MS-Certificate-Url": url,
                   "X-MS-Signature-Algorithm": "rsa-sha256"}  # fmt: skip
        headers["x-ms-signature" if ms_signature_header else "Authorization"] = f"Signature {signature}"
        return headers

    def _deliver(self, delivery: Delivery, body: bytes, headers: dict[str, str]) -> None:
        config = self.sandbox.config
        delay = config.webhook_retry_initial_seconds
        for attempt in range(1, MAX_ATTEMPTS + 1):
            record: dict[str, Any] = {"attempt": attempt, "at": _utc_text(dt.datetime.now(dt.UTC)),
                                      "statusCode": None, "error": None}  # fmt: skip
            try:
                answer = requests.post(delivery.webhook_url, data=body, headers=headers,
                                       timeout=config.webhook_timeout_seconds)  # fmt: skip
                record["statusCode"] = answer.status_code
            except requests.RequestException as exc:
                record["error"] = type(exc).__name__
            with self._lock:
                delivery.attempts.append(record)
                if record["statusCode"] is not None and 200 <= record["statusCode"] < 300:
                    delivery.delivered = delivery.finished = True
                    return
            if attempt < MAX_ATTEMPTS:
                time.sleep(delay)
                delay = min(delay * 2, config.webhook_retry_max_seconds)
        with self._lock:
            delivery.finished = True

    def deliveries(self, **filters: str | None) -> list[dict[str, Any]]:
        with self._lock:
            views = [d.view() for d in self._deliveries.values()]
        return [v for v in views if all(value is None or v.get(name) == value for name, value in filters.items())]

    def delivery_by_correlation(self, provider_tenant_id: str, correlation_id: str) -> dict[str, Any] | None:
        found = self.deliveries(providerTenantId=provider_tenant_id, correlationId=correlation_id)
        return found[0] if found else None

    def allow_validation(self, provider_tenant_id: str) -> float:
        """0 when another validation event may be sent now, else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            sent = self._validations.setdefault(provider_tenant_id, collections.deque())
            while sent and now - sent[0] >= 60:
                sent.popleft()
            if len(sent) >= VALIDATION_LIMIT_PER_MINUTE:
                return 60 - (now - sent[0])
            sent.append(now)
            return 0.0


def dispatcher_of(sandbox: Sandbox) -> WebhookDispatcher:
    """The sandbox's dispatcher, created (and subscribed to its events) on first use."""
    with sandbox.state.lock:
        existing = getattr(sandbox, "webhook_dispatcher", None)
        if existing is None:
            existing = WebhookDispatcher(sandbox)
            sandbox.webhook_dispatcher = existing
            sandbox.event_listeners.append(existing.on_event)
    return existing


# Registration API ----------------------------------------------------------------------------------------------------


def registration_view(registration: dict[str, Any]) -> dict[str, Any]:
    # (unconfirmed) the answer's casing: Microsoft's examples show PascalCase, the swagger model camelCase.
    return {
        "SubscriberId": registration["subscriberId"], "WebhookUrl": registration["webhookUrl"],
        "WebhookEvents": registration["webhookEvents"],
        "SignatureTokenToMsSignatureHeader": registration["signatureTokenToMsSignatureHeader"],
        "LastModifiedTimestamp": registration["lastModifiedTimestamp"],
    }  # fmt: skip


def _parse_registration(body: Any, subscriber_id: str, now: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The registration must be a JSON object.", source="WebhooksService")
    url = body.get("webhookUrl")
    events = body.get("webhookEvents")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise PartnerCenterError(400, 2000, "WebhookUrl must be an absolute URL.", source="WebhooksService")
    # (unconfirmed) Partner Center insists on HTTPS callbacks; the sandbox also lets loopback receivers use HTTP
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise PartnerCenterError(400, 2000, "WebhookUrl must use HTTPS.", source="WebhooksService")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise PartnerCenterError(400, 2000, "WebhookEvents must list at least one event.", source="WebhooksService")
    known = {e.lower(): e for e in EVENTS}
    unknown = [e for e in events if e.lower() not in known]
    if unknown:
        raise PartnerCenterError(400, 2000, f"Unknown webhook events: {', '.join(unknown)}.", source="WebhooksService")
    return {"subscriberId": subscriber_id, "webhookUrl": url, "webhookEvents": [known[e.lower()] for e in events],
            "signatureTokenToMsSignatureHeader": body.get("signatureTokenToMsSignatureHeader") is True,
            "lastModifiedTimestamp": now}  # fmt: skip


def _registrations(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.state.data.setdefault("webhookRegistrations", {})  # type: ignore[no-any-return]


def _no_registration() -> PartnerCenterError:
    # (unconfirmed) the status and code for a partner without a registration
    return PartnerCenterError(404, 2000, "No webhook registration exists for this partner.", source="WebhooksService")


@router.get("/webhooks/v1/registration/events", summary="Events a registration can name")
def list_events(caller: CallerDep) -> WireResponse:
    return WireResponse(list(EVENTS))


@router.post("/webhooks/v1/registration", summary="Register the webhook (409 when one exists)")
async def register(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    body = await read_json(request)
    dispatcher_of(sandbox)
    with sandbox.state.lock:
        if caller.tenant_id in _registrations(sandbox):
            raise PartnerCenterError(409, 2000, "A webhook registration already exists for this partner; update it "
                                     "with PUT.", source="WebhooksService")  # fmt: skip
        registration = _parse_registration(body, str(uuid.uuid4()), sandbox.state.now_text())
        _registrations(sandbox)[caller.tenant_id] = registration
        sandbox.state.save()
    return WireResponse(registration_view(registration))


@router.get("/webhooks/v1/registration", summary="The current registration")
def get_registration(caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    with sandbox.state.lock:
        registration = _registrations(sandbox).get(caller.tenant_id)
    if registration is None:
        raise _no_registration()
    return WireResponse(registration_view(registration))


@router.put("/webhooks/v1/registration", summary="Replace the registration's URL and events")
async def update_registration(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    body = await read_json(request)
    dispatcher_of(sandbox)
    with sandbox.state.lock:
        current = _registrations(sandbox).get(caller.tenant_id)
        if current is None:
            raise _no_registration()
        registration = _parse_registration(body, current["subscriberId"], sandbox.state.now_text())
        _registrations(sandbox)[caller.tenant_id] = registration
        sandbox.state.save()
    return WireResponse(registration_view(registration))


@router.delete("/webhooks/v1/registration", status_code=204, summary="Remove the registration")
def delete_registration(caller: CallerDep, sandbox: SandboxDep) -> Response:
    with sandbox.state.lock:
        if _registrations(sandbox).pop(caller.tenant_id, None) is None:
            raise _no_registration()
        sandbox.state.save()
    return Response(status_code=204)


@router.post("/webhooks/v1/registration/validationEvents", summary="Send a test-created event (2 per minute)")
def send_validation_event(caller: CallerDep, sandbox: SandboxDep) -> Any:
    dispatcher = dispatcher_of(sandbox)
    registration = dispatcher.registration(caller.tenant_id)
    if registration is None:
        raise _no_registration()
    if "test-created" not in {e.lower() for e in registration["webhookEvents"]}:
        raise PartnerCenterError(400, 2000, "The registration does not include the test-created event.",
                                 source="WebhooksService")  # fmt: skip
    wait = dispatcher.allow_validation(caller.tenant_id)
    if wait:
        return throttled_response(max(1, int(wait + 0.999)))
    correlation_id = str(uuid.uuid4())
    uri = f"{sandbox.config.https_url}/webhooks/v1/registration/validationEvents/{correlation_id}"
    dispatcher.send(caller.tenant_id, "test-created", uri, correlation_id=correlation_id)
    return WireResponse({"correlationId": correlation_id})


def _response_code(attempt: dict[str, Any]) -> str:
    if attempt["statusCode"] is None:
        return ""
    try:
        return http.HTTPStatus(attempt["statusCode"]).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return str(attempt["statusCode"])


@router.get("/webhooks/v1/registration/validationEvents/{correlation_id}", summary="A validation event's attempts")
def validation_status(correlation_id: str, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    delivery = dispatcher_of(sandbox).delivery_by_correlation(caller.tenant_id, correlation_id)
    if delivery is None:
        raise PartnerCenterError(404, 2000, f"Validation event {correlation_id} was not found.",
                                 source="WebhooksService")  # fmt: skip
    results = [{"responseCode": _response_code(a), "responseMessage": a["error"] or "",
                "systemError": a["statusCode"] is None, "dateTimeUtc": a["at"][:27]}
               for a in delivery["attempts"]]  # fmt: skip
    return WireResponse({"correlationId": correlation_id, "partnerId": caller.tenant_id,
                         "status": "completed" if delivery["finished"] else "inProgress",
                         "callbackUrl": delivery["webhookUrl"], "results": results})  # fmt: skip


@router.get("/cert/{name}", summary="The webhook signing certificate (DER), as X-MS-Certificate-Url names it")
def certificate(name: str, sandbox: SandboxDep) -> Response:
    keys = dispatcher_of(sandbox).keys
    served = {CERTIFICATE_NAME: keys.signing_der, ROGUE_CERTIFICATE_NAME: keys.rogue_der}
    if name not in served:
        raise HTTPException(404, "no such certificate")
    return Response(served[name], media_type="application/pkix-cert")


# Control routes ------------------------------------------------------------------------------------------------------


class WebhookSend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    eventName: str = Field(examples=["subscription-updated"])
    resourceUri: str
    providerTenantId: str | None = Field(default=None, description="Default: the development provider")
    tamper: str | None = Field(default=None, description="signature, body or certificateUrl: a delivery that "
                               "must fail verification")  # fmt: skip


@control_router.post("/webhooks/send", summary="Send one signed event to the registered webhook")
def send_event(body: WebhookSend, sandbox: SandboxDep) -> dict[str, Any]:
    if body.tamper is not None and body.tamper not in TAMPER_KINDS:
        raise HTTPException(400, f"tamper must be one of {', '.join(TAMPER_KINDS)}")
    dispatcher = dispatcher_of(sandbox)
    tenant = body.providerTenantId or cfg.DEV_PROVIDER_TENANT_ID
    with sandbox.state.lock:
        provider = sandbox.state.provider_by_tenant(tenant)
    if provider is None:
        raise HTTPException(404, f"no provider with tenant id {tenant}")
    try:
        delivery = dispatcher.send(provider["tenantId"], body.eventName, body.resourceUri, tamper=body.tamper)
    except LookupError as exc:
        raise HTTPException(409, str(exc)) from None
    return {"deliveryId": delivery.id, "webhookUrl": delivery.webhook_url, "eventName": body.eventName,
            "resourceUri": body.resourceUri, "tamper": body.tamper}  # fmt: skip


@control_router.get("/webhooks/deliveries", summary="Delivery attempts with their status codes")
def list_deliveries(
    sandbox: SandboxDep,
    providerTenantId: str | None = Query(default=None),  # noqa: N803
    deliveryId: str | None = Query(default=None),
    eventName: str | None = Query(default=None),  # noqa: N803
) -> dict[str, Any]:
    items = dispatcher_of(sandbox).deliveries(providerTenantId=providerTenantId, deliveryId=deliveryId,
                                              eventName=eventName)  # fmt: skip
    return {"totalCount": len(items), "items": items}


@control_router.get(
    "/webhooks/certificate",
    summary="The root a receiver trusts, the certificate URL, and its host:port (what a receiver trusts)",
)
def webhook_certificate(sandbox: SandboxDep) -> dict[str, Any]:
    dispatcher = dispatcher_of(sandbox)
    return {"rootCertificatePem": dispatcher.keys.root_pem, "certificateUrl": dispatcher.certificate_url,
            "certificateHost": urlsplit(dispatcher.certificate_url).netloc}  # fmt: skip
