"""RSA signing keys the sandbox keeps in its state dir: one for users' tokens, one for Partner Center tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from local.sandbox.fileio import directory_lock, write_atomically

USER_SIGNING_KEY_FILE = "user-signing-key.pem"
SERVICE_SIGNING_KEY_FILE = "token-signing-key.pem"


class SigningKey(NamedTuple):
    """A private key and the `kid` under which the sandbox's JWKS publishes its public half."""

    private_key: rsa.RSAPrivateKey
    kid: str


def load_or_create_user_signing_key(state_dir: Path) -> SigningKey:
    """The development key that signs users' sign-in tokens (created once per state dir)."""
    return load_or_create_signing_key(Path(state_dir), USER_SIGNING_KEY_FILE)


def load_or_create_service_signing_key(state_dir: Path) -> SigningKey:
    """The key that signs access, ID and Partner Center tokens the token endpoint issues."""
    return load_or_create_signing_key(Path(state_dir), SERVICE_SIGNING_KEY_FILE)


def load_or_create_signing_key(state_dir: Path, file_name: str) -> SigningKey:
    """Reads a PEM key from state_dir, creating it first if it is not there."""
    path = state_dir / file_name
    with directory_lock(state_dir, "keys"):
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            write_atomically(path, pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return SigningKey(loaded, jwk_thumbprint(loaded.public_key()))


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwk_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint: a kid that stays the same for the same key across restarts."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def public_jwk(key: SigningKey) -> dict[str, Any]:
    """The JWKS entry for a signing key, shaped as Entra publishes its keys."""
    numbers = key.private_key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": key.kid,
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
    }
