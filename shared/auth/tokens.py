"""Bearer tokens: validated with PyJWT against the issuer's published keys (cached)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

ALGORITHMS = ["RS256"]  # pinned: never taken from the token's own header


class InvalidToken(Exception):
    """The bearer token is missing, malformed, wrongly signed, or not for us."""


@dataclass(frozen=True)
class TokenIdentity:
    """What a valid token says about its bearer."""

    user_id: str
    tenant_id: str | None
    name: str | None
    claims: dict[str, Any]


class TokenValidator:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        allowed_tenants: frozenset[str],
        ca_bundle: str | None = None,
        leeway_seconds: int = 60,
        timeout_seconds: float = 10.0,
    ) -> None:
        ssl_context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
        self._jwks = PyJWKClient(
            jwks_url, cache_keys=True, lifespan=3600, timeout=timeout_seconds, ssl_context=ssl_context
        )
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._allowed_tenants = frozenset(t.lower() for t in allowed_tenants)

    def validate(self, token: str) -> TokenIdentity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not a JWT") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("the token's algorithm is not accepted")
        if not header.get("kid"):
            raise InvalidToken("the token names no signing key")
        try:
            key = self._jwks.get_signing_key(header["kid"])
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable("the issuer's signing keys could not be fetched") from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidToken("the token is signed with an unknown key") from exc
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "oid", "tid"], "verify_nbf": True},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token was refused: {type(exc).__name__}") from exc
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise InvalidToken("the token names no user")
        tid = claims.get("tid")
        if not isinstance(tid, str) or tid.lower() not in self._allowed_tenants:
            # Signed by the right issuer is not enough: a user of another tenant is not one of ours.
            raise InvalidToken("the token's tenant is not allowed to sign in here")
        return TokenIdentity(
            user_id=oid,
            tenant_id=tid,
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
            claims=claims,
        )


class KeysUnavailable(Exception):
    """The issuer's JWKS could not be reached: a service problem (503), not the caller's (401)."""
