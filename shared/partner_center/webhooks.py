"""Partner Center webhooks: registration models, the callback event, and its signature check
(docs/partner-center.md#webhooks).

Settings the platform reads for the verifier: WEBHOOK_TRUSTED_CERT_HOSTS (comma-separated hosts the signing
certificate may be downloaded from) and WEBHOOK_TRUSTED_ROOTS (path of a PEM bundle: the roots, plus any
intermediate that issues the signing certificate, since only the leaf is downloaded).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from shared.partner_center.models import _get, _str, parse_timestamp

SIGNATURE_SCHEME = "signature"
ALGORITHM = "rsa-sha256"
MAX_CERTIFICATE_BYTES = 64 * 1024
CERTIFICATE_CACHE_SECONDS = 6 * 3600.0  # a rotated certificate under the same URL is picked up within hours
_CUSTOMER = re.compile(r"/customers/([^/?#]+)", re.IGNORECASE)
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/?#]+)", re.IGNORECASE)
_INVOICE = re.compile(r"/invoices/([^/?#]+)", re.IGNORECASE)
_VALIDATION = re.compile(r"/validationEvents/([^/?#]+)", re.IGNORECASE)


class InvalidSignature(Exception):
    """The callback is not provably from Partner Center: the platform answers 401 and processes nothing."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class InvalidWebhookEvent(ValueError):
    """A verified callback whose body is not the event JSON Partner Center documents."""


# -- registration ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookRegistration:
    """The provider's one registration; answers come PascalCase in examples, camelCase in the swagger model."""

    subscriber_id: str | None
    webhook_url: str
    webhook_events: tuple[str, ...]
    signature_in_ms_header: bool
    last_modified: datetime | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> WebhookRegistration:
        return cls(
            subscriber_id=_str(_get(data, "subscriberId")),
            webhook_url=str(_get(data, "webhookUrl", default="")),
            webhook_events=tuple(str(e) for e in _get(data, "webhookEvents", default=None) or ()),
            signature_in_ms_header=bool(_get(data, "signatureTokenToMsSignatureHeader", default=False)),
            last_modified=_timestamp(_get(data, "lastModifiedTimestamp")),
            raw=data,
        )


def registration_body(url: str, events: Iterable[str], signature_in_ms_header: bool) -> dict[str, Any]:
    """The body as Microsoft's examples write it (PascalCase; the service binds names case-insensitively)."""
    names = [str(event) for event in events]
    if not names:
        raise ValueError("a registration names at least one event")
    if urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).hostname:
        raise ValueError("the webhook URL must be absolute")
    return {"WebhookUrl": url, "WebhookEvents": names, "SignatureTokenToMsSignatureHeader": signature_in_ms_header}


@dataclass(frozen=True)
class DeliveryResult:
    response_code: str | None
    response_message: str | None
    system_error: bool
    at: datetime | None


@dataclass(frozen=True)
class ValidationEventStatus:
    """What happened to a test-created event: `completed` with one result per delivery attempt."""

    correlation_id: str
    status: str | None
    callback_url: str | None
    results: tuple[DeliveryResult, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def delivered(self) -> bool:
        return any((r.response_code or "").lower() == "ok" for r in self.results)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ValidationEventStatus:
        results = tuple(
            DeliveryResult(
                response_code=_str(_get(item, "responseCode")),
                response_message=_str(_get(item, "responseMessage")),
                system_error=bool(_get(item, "systemError", default=False)),
                at=_timestamp(_get(item, "dateTimeUtc")),
            )
            for item in _get(data, "results", default=None) or ()
            if isinstance(item, Mapping)
        )
        return cls(
            correlation_id=str(_get(data, "correlationId", default="")),
            status=_str(_get(data, "status")),
            callback_url=_str(_get(data, "callbackUrl")),
            results=results,
            raw=data,
        )


def _timestamp(value: Any) -> datetime | None:
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


# -- the callback ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookEvent:
    """A verified event; ids come from ResourceUri's path (its host is never called), dedupe_key from the raw body."""

    event_name: str
    resource_name: str | None
    resource_uri: str | None
    audit_uri: str | None
    resource_change_utc: datetime | None
    customer_id: str | None
    subscription_id: str | None
    invoice_id: str | None
    validation_correlation_id: str | None
    dedupe_key: str
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_body(cls, raw_body: bytes) -> WebhookEvent:
        try:
            data = json.loads(raw_body.decode("utf-8-sig"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidWebhookEvent(f"the event body is not JSON: {exc}") from None
        if not isinstance(data, Mapping) or not _get(data, "EventName"):
            raise InvalidWebhookEvent("the event body names no EventName")
        uri = _str(_get(data, "ResourceUri"))
        path = urlsplit(uri).path if uri else ""
        return cls(
            event_name=str(_get(data, "EventName")),
            resource_name=_str(_get(data, "ResourceName")),
            resource_uri=uri,
            audit_uri=_str(_get(data, "AuditUri", "AuditUrl")),
            resource_change_utc=_timestamp(_get(data, "ResourceChangeUtcDate")),
            customer_id=_first(_CUSTOMER, path),
            subscription_id=_first(_SUBSCRIPTION, path),
            invoice_id=_first(_INVOICE, path),
            validation_correlation_id=_first(_VALIDATION, path),
            dedupe_key=hashlib.sha256(raw_body).hexdigest(),
            raw=data,
        )


def _first(pattern: re.Pattern[str], path: str) -> str | None:
    match = pattern.search(path)
    return match.group(1) if match else None


# -- the signature -----------------------------------------------------------------------------------------------------


def download_certificate(url: str, *, ca_bundle: str | None = None, timeout: float = 10.0) -> bytes:
    """GETs a certificate (no redirects, bounded size); the URL was checked against the host allow-list first."""
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(url, timeout=timeout, verify=ca_bundle or True, allow_redirects=False, stream=True)
        with response:
            if response.status_code != 200:
                raise InvalidSignature("certificate_unavailable", f"{url} answered {response.status_code}")
            content = response.raw.read(MAX_CERTIFICATE_BYTES + 1, decode_content=True)
    if len(content) > MAX_CERTIFICATE_BYTES:
        raise InvalidSignature("certificate_unavailable", "the certificate is implausibly large")
    return bytes(content)


def load_certificates(pem_bundle: bytes) -> list[x509.Certificate]:
    return list(x509.load_pem_x509_certificates(pem_bundle))


class WebhookVerifier:
    """Checks a callback as Microsoft's sample does, with the certificate URL pinned to configured hosts and roots."""

    def __init__(
        self,
        trusted_hosts: set[str] | frozenset[str],
        trusted_roots_pem: list[bytes],
        fetch_certificate: Callable[[str], bytes] | None = None,
        required_issuer_org: str = "Microsoft Corporation",
        *,
        ca_bundle: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
        cache_seconds: float = CERTIFICATE_CACHE_SECONDS,
    ) -> None:
        self.trusted_hosts = frozenset(host.strip().lower() for host in trusted_hosts if host.strip())
        anchors: list[x509.Certificate] = []
        for pem in trusted_roots_pem:
            anchors.extend(load_certificates(pem))
        if not anchors:
            raise ValueError("at least one trusted root certificate is required")
        self.anchors = tuple(anchors)
        self.required_issuer_org = required_issuer_org
        self._fetch = fetch_certificate or (lambda url: download_certificate(url, ca_bundle=ca_bundle, timeout=timeout))
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, x509.Certificate]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, hosts: str | Iterable[str], roots_path: str | Path, **kwargs: Any) -> WebhookVerifier:
        """From WEBHOOK_TRUSTED_CERT_HOSTS (comma-separated) and WEBHOOK_TRUSTED_ROOTS (a PEM bundle's path)."""
        names = hosts.split(",") if isinstance(hosts, str) else list(hosts)
        return cls({name.strip() for name in names if name.strip()}, [Path(roots_path).read_bytes()], **kwargs)

    def verify(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The event, if every check of 10.4 passes over the body bytes exactly as received; else InvalidSignature."""
        lowered = {str(key).lower(): str(value) for key, value in headers.items()}
        signature = self._signature(lowered)
        algorithm = lowered.get("x-ms-signature-algorithm", "").strip().lower()
        url = lowered.get("x-ms-certificate-url", "").strip()
        if not algorithm or not url:
            raise InvalidSignature("missing_headers", "x-ms-certificate-url and x-ms-signature-algorithm are required")
        if algorithm != ALGORITHM:
            raise InvalidSignature("unsupported_algorithm", algorithm)
        self._check_url(url)
        certificate = self.certificate(url)
        self._check_chain(certificate)
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise InvalidSignature("untrusted_certificate", "the signing key is not RSA")
        try:
            public_key.verify(signature, raw_body, padding.PKCS1v15(), hashes.SHA256())
        except CryptoInvalidSignature:
            raise InvalidSignature("bad_signature", "the signature does not match the body") from None
        return WebhookEvent.from_body(raw_body)

    @staticmethod
    def _signature(headers: Mapping[str, str]) -> bytes:
        """`Authorization: Signature <b64>`, or `x-ms-signature` when the registration asked for that header."""
        value = headers.get("authorization") or headers.get("x-ms-signature") or ""
        scheme, _, encoded = value.strip().partition(" ")
        if scheme.lower() != SIGNATURE_SCHEME or not encoded.strip():
            raise InvalidSignature("missing_signature", "no 'Signature <base64>' header")
        try:
            return base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSignature("bad_signature", "the signature is not base64") from None

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() != "https" or not host or parts.username or parts.password:
            raise InvalidSignature("untrusted_certificate_url", "the certificate URL must be plain https")
        try:
            port = parts.port
        except ValueError:
            raise InvalidSignature("untrusted_certificate_url", "the certificate URL has a bad port") from None
        # A trusted host is trusted on the https port only; another port must be named with it ("host:port").
        if not ((port in (None, 443) and host in self.trusted_hosts) or f"{host}:{port}" in self.trusted_hosts):
            where = host if port in (None, 443) else f"{host}:{port}"
            raise InvalidSignature("untrusted_certificate_url", f"{where} is not a trusted certificate host")

    def certificate(self, url: str) -> x509.Certificate:
        """The certificate at `url`, downloaded once per cache period (DER as Microsoft serves it, PEM accepted)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            content = self._fetch(url)
        except InvalidSignature:
            raise
        except Exception as exc:  # noqa: BLE001 - any download trouble means the signature cannot be checked
            raise InvalidSignature("certificate_unavailable", f"{type(exc).__name__}: {exc}") from None
        try:
            if content.lstrip().startswith(b"-----BEGIN"):
                certificate = x509.load_pem_x509_certificate(content)
            else:
                certificate = x509.load_der_x509_certificate(content)
        except ValueError:
            raise InvalidSignature("certificate_unavailable", "the certificate cannot be read") from None
        with self._lock:
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[url] = (now, certificate)
        return certificate

    def _check_chain(self, leaf: x509.Certificate) -> None:
        """Valid now, issued (and signed) by a trusted root or intermediate, with the required issuer organisation."""
        now = self._clock()
        if not _valid_at(leaf, now):
            raise InvalidSignature("untrusted_certificate", "the signing certificate is outside its validity period")
        organisations = [a.value for a in leaf.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        if self.required_issuer_org not in organisations:
            raise InvalidSignature("untrusted_certificate", f"issuer organisation is {organisations}")
        for anchor in self.anchors:
            if anchor == leaf:
                return
            if anchor.subject != leaf.issuer or not _valid_at(anchor, now) or not _is_ca(anchor):
                continue
            try:
                leaf.verify_directly_issued_by(anchor)
            except (ValueError, TypeError, CryptoInvalidSignature):
                continue
            return
        raise InvalidSignature("untrusted_certificate", "the signing certificate does not chain to a trusted root")


def _valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return certificate.subject == certificate.issuer  # an old self-signed root without extensions
