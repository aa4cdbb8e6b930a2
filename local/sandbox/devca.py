"""The development CA and the server certificate the sandbox's HTTPS listener presents."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from local.sandbox.fileio import directory_lock, write_atomically

CA_CERT_FILE = "dev-ca.pem"
CA_KEY_FILE = "dev-ca-key.pem"
SERVER_CERT_FILE = "dev-server.pem"
SERVER_KEY_FILE = "dev-server-key.pem"
SERVER_HOSTS = ("localhost",)
SERVER_IPS = ("127.0.0.1",)
_SERVER_VALIDITY = dt.timedelta(days=397)
_RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class DevCertificates:
    """Paths of the development CA certificate and of the server certificate and key it issued."""

    ca_cert_path: Path
    server_cert_path: Path
    server_key_path: Path


def ensure_dev_ca(state_dir: Path) -> DevCertificates:
    """Creates the CA once and (re)issues the server certificate when missing, expiring or not from that CA."""
    state_dir = Path(state_dir)
    with directory_lock(state_dir, "devca"):
        ca_key, ca_cert = _load_or_create_ca(state_dir)
        if not _server_cert_is_usable(state_dir, ca_cert):
            _issue_server_cert(state_dir, ca_key, ca_cert)
    return DevCertificates(
        ca_cert_path=state_dir / CA_CERT_FILE,
        server_cert_path=state_dir / SERVER_CERT_FILE,
        server_key_path=state_dir / SERVER_KEY_FILE,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_or_create_ca(state_dir: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    cert_path, key_path = state_dir / CA_CERT_FILE, state_dir / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CSP Platform Development"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CSP Platform Development CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_atomically(key_path, _pem_key(key))
    write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return key, cert


def _server_cert_is_usable(state_dir: Path, ca_cert: x509.Certificate) -> bool:
    cert_path, key_path = state_dir / SERVER_CERT_FILE, state_dir / SERVER_KEY_FILE
    if not (cert_path.exists() and key_path.exists()):
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.issuer != ca_cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except Exception:  # any verification failure means "issue a new one"
        return False
    return cert.not_valid_after_utc - _RENEW_BEFORE > _now()


def _issue_server_cert(state_dir: Path, ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = _now()
    san = [x509.DNSName(host) for host in SERVER_HOSTS] + [
        x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _SERVER_VALIDITY)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_atomically(state_dir / SERVER_KEY_FILE, _pem_key(key))
    write_atomically(state_dir / SERVER_CERT_FILE, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
