"""The webhook signature check with locally made certificates: each rule of 10.4 refuses what it should."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from shared.partner_center.webhooks import InvalidSignature, InvalidWebhookEvent, WebhookEvent, WebhookVerifier

URL = "https://certs.example.net/cert/pcnotifications-dispatch.microsoft.com.cer"
BODY = json.dumps(
    {
        "EventName": "subscription-updated",
        "ResourceUri": "https://api.partnercenter.microsoft.com/webhooks/v1/customers/c-1/subscriptions/s-1",
        "ResourceName": "subscription",
        "AuditUri": None,
        "ResourceChangeUtcDate": "2026-10-06T10:15:42.5485487+00:00",
    },
    separators=(",", ":"),
).encode()
NOW = dt.datetime.now(dt.UTC)


def name(common: str, organisation: str = "Microsoft Corporation") -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation), x509.NameAttribute(NameOID.COMMON_NAME, common)]
    )


def certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: rsa.RSAPrivateKey,
    signer: rsa.RSAPrivateKey,
    *,
    ca: bool,
    days: int = 30,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True).sign(signer, hashes.SHA256())
    )  # fmt: skip


@dataclass
class Pki:
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    @property
    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    @property
    def leaf_der(self) -> bytes:
        return self.leaf.public_bytes(serialization.Encoding.DER)


def make_pki(organisation: str = "Microsoft Corporation", leaf_days: int = 30) -> Pki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = name("Test Root", organisation)
    root = certificate(root_name, root_name, root_key, root_key, ca=True, days=365)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = certificate(name("dispatch"), root_name, leaf_key, root_key, ca=False, days=leaf_days)
    return Pki(root, root_key, leaf, leaf_key)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def signed(pki: Pki, body: bytes = BODY, **overrides: str) -> dict[str, str]:
    signature = base64.b64encode(pki.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    headers = {
        "Authorization": f"Signature {signature}",
        "X-MS-Certificate-Url": URL,
        "X-MS-Signature-Algorithm": "rsa-sha256",
    }
    headers.update(overrides)
    return {key: value for key, value in headers.items() if value != ""}


def verifier(
    pki: Pki, served: bytes | None = None, fetched: list[str] | None = None, **kwargs: object
) -> WebhookVerifier:
    def fetch(url: str) -> bytes:
        if fetched is not None:
            fetched.append(url)
        return served if served is not None else pki.leaf_der

    return WebhookVerifier({"certs.example.net"}, [pki.root_pem], fetch, **kwargs)  # type: ignore[arg-type]


def reason(pki: Pki, body: bytes, headers: dict[str, str], **kwargs: object) -> str:
    with pytest.raises(InvalidSignature) as refused:
        verifier(pki, **kwargs).verify(body, headers)  # type: ignore[arg-type]
    return refused.value.reason


def test_genuine_callback_is_accepted_and_parsed(pki: Pki) -> None:
    event = verifier(pki).verify(BODY, signed(pki))
    assert (event.event_name, event.customer_id, event.subscription_id) == ("subscription-updated", "c-1", "s-1")
    assert event.audit_uri is None
    assert event.resource_change_utc is not None and event.resource_change_utc.tzinfo is not None


def test_header_names_are_case_insensitive_and_x_ms_signature_is_accepted(pki: Pki) -> None:
    headers = {key.lower(): value for key, value in signed(pki).items()}
    headers["x-ms-signature"] = headers.pop("authorization")
    assert verifier(pki).verify(BODY, headers).event_name == "subscription-updated"


def test_a_changed_byte_of_the_body_is_refused(pki: Pki) -> None:
    assert reason(pki, BODY.replace(b"s-1", b"s-2"), signed(pki)) == "bad_signature"


def test_reserialised_json_is_refused_because_the_raw_bytes_are_signed(pki: Pki) -> None:
    assert reason(pki, json.dumps(json.loads(BODY)).encode(), signed(pki)) == "bad_signature"


def test_missing_or_malformed_signature_is_refused(pki: Pki) -> None:
    assert reason(pki, BODY, signed(pki, Authorization="")) == "missing_signature"
    assert reason(pki, BODY, signed(pki, Authorization="Bearer abc")) == "missing_signature"
    assert reason(pki, BODY, signed(pki, Authorization="Signature not*base64")) == "bad_signature"


def test_missing_certificate_headers_or_another_algorithm_is_refused(pki: Pki) -> None:
    assert reason(pki, BODY, signed(pki, **{"X-MS-Certificate-Url": ""})) == "missing_headers"
    assert reason(pki, BODY, signed(pki, **{"X-MS-Signature-Algorithm": "rsa-sha1"})) == "unsupported_algorithm"


@pytest.mark.parametrize(
    "url",
    [
        "http://certs.example.net/cert.cer",
        "https://evil.example.org/cert.cer",
        "https://certs.example.net.evil.org/cert.cer",
        "https://user@certs.example.net/cert.cer",
        "https://certs.example.net:8443/cert.cer",  # a trusted host is trusted on the https port only
        "https://certs.example.net:22/cert.cer",
    ],
)
def test_certificate_url_must_be_https_on_an_allowed_host(pki: Pki, url: str) -> None:
    fetched: list[str] = []
    assert (
        reason(pki, BODY, signed(pki, **{"X-MS-Certificate-Url": url}), fetched=fetched) == "untrusted_certificate_url"
    )
    assert fetched == []


def test_a_trusted_host_on_another_port_must_be_named_with_its_port(pki: Pki) -> None:
    url = "https://certs.example.net:8443/cert/pcnotifications-dispatch.microsoft.com.cer"
    named = WebhookVerifier({"certs.example.net:8443"}, [pki.root_pem], lambda fetched: pki.leaf_der)
    assert named.verify(BODY, signed(pki, **{"X-MS-Certificate-Url": url})).event_name
    with pytest.raises(InvalidSignature) as refused:  # named with a port, the host is trusted on that port only
        named.verify(BODY, signed(pki))
    assert refused.value.reason == "untrusted_certificate_url"


def test_certificate_from_another_root_is_refused(pki: Pki) -> None:
    stranger = make_pki()
    headers = signed(stranger)
    assert reason(pki, BODY, headers, served=stranger.leaf_der) == "untrusted_certificate"


def test_issuer_must_be_microsoft_corporation(pki: Pki) -> None:
    other = make_pki(organisation="Contoso Ltd")
    refused = WebhookVerifier({"certs.example.net"}, [other.root_pem], lambda url: other.leaf_der)
    with pytest.raises(InvalidSignature) as raised:
        refused.verify(BODY, signed(other))
    assert raised.value.reason == "untrusted_certificate"


def test_expired_certificate_is_refused(pki: Pki) -> None:
    later = lambda: NOW + dt.timedelta(days=60)  # noqa: E731
    assert reason(pki, BODY, signed(pki), clock=later) == "untrusted_certificate"


def test_unreadable_certificate_is_refused(pki: Pki) -> None:
    assert reason(pki, BODY, signed(pki), served=b"not a certificate") == "certificate_unavailable"


def test_certificate_is_downloaded_once_per_url(pki: Pki) -> None:
    fetched: list[str] = []
    check = verifier(pki, fetched=fetched)
    check.verify(BODY, signed(pki))
    check.verify(BODY, signed(pki))
    assert fetched == [URL]


def test_dedupe_key_is_the_hash_of_the_raw_body() -> None:
    assert WebhookEvent.from_body(BODY).dedupe_key == WebhookEvent.from_body(BODY).dedupe_key
    assert WebhookEvent.from_body(BODY).dedupe_key != WebhookEvent.from_body(BODY + b" ").dedupe_key
    with pytest.raises(InvalidWebhookEvent):
        WebhookEvent.from_body(b'{"ResourceUri": "x"}')


def test_verifier_from_config_reads_hosts_and_the_root_bundle(pki: Pki, tmp_path: Path) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(pki.root_pem)
    check = WebhookVerifier.from_config(
        " certs.example.net, other.example.net ", bundle, fetch_certificate=lambda u: pki.leaf_der
    )
    assert check.trusted_hosts == {"certs.example.net", "other.example.net"}
    assert check.verify(BODY, signed(pki)).subscription_id == "s-1"
