"""Signs the JWTs the sandbox hands out: users' sign-in tokens and Entra-shaped access and ID tokens."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import jwt

from local.sandbox.keys import SigningKey, load_or_create_service_signing_key, load_or_create_user_signing_key


def sign(key: SigningKey, claims: dict[str, Any]) -> str:
    """RS256 with the key's kid in the header, as Entra signs its tokens."""
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})


def issue_user_token(
    state_dir: Path,
    *,
    issuer: str,
    audience: str,
    oid: str,
    tid: str,
    name: str | None = None,
    lifetime_seconds: int = 3600,
) -> str:
    """A platform user's sign-in token, signed with the development user key the sandbox's JWKS publishes."""
    key = load_or_create_user_signing_key(Path(state_dir))
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "oid": oid,
        "tid": tid,
        "sub": oid,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_seconds,
        "ver": "2.0",
        "uti": uuid.uuid4().hex[:22],
    }
    if name is not None:
        claims["name"] = name
    return sign(key, claims)


def issue_service_token(state_dir: Path, claims: dict[str, Any], *, lifetime_seconds: int = 3600) -> str:
    """An access or ID token as the sandbox's token endpoint signs it (tests use it to forge expired ones)."""
    return sign_for(load_or_create_service_signing_key(Path(state_dir)), claims, lifetime_seconds=lifetime_seconds)


def sign_for(key: SigningKey, claims: dict[str, Any], *, lifetime_seconds: int) -> str:
    """Signs claims with iat/nbf/exp set from the wall clock (the clock token validators use)."""
    now = int(time.time())
    return sign(key, {"iat": now, "nbf": now, "exp": now + lifetime_seconds, **claims})
