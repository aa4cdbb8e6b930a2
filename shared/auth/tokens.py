"""Bearer tokens: validated with PyJWT against the issuer's published keys (cached)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

ALGORITHMS = ["RS256"]  # pinned: never taken from the token's own header


def _numeric_date(value: Any) -> bool:
    """RFC 7519 NumericDate: a JSON number (not a string that looks like one, not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _audience(value: Any) -> bool:
    return _text(value) or (isinstance(value, list) and bool(value) and all(_text(v) for v in value))


# Every claim a token must carry, and the JSON type it must have: one table, a test per row.
CLAIM_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "iss": (_text, "a string"),
    "aud": (_audience, "a string or a list of strings"),
    "exp": (_numeric_date, "a NumericDate (a JSON number)"),
    "nbf": (_numeric_date, "a NumericDate (a JSON number)"),
    "iat": (_numeric_date, "a NumericDate (a JSON number)"),
    "sub": (_text, "a string"),
    "oid": (_text, "a string (the user's object id)"),
    "tid": (_text, "a string (the user's tenant id)"),
}


def check_claim_types(claims: dict[str, Any]) -> None:
    """Refuses a token missing a required claim or carrying one of the wrong JSON type."""
    for name, (valid, expected) in CLAIM_RULES.items():
        if name not in claims:
            raise InvalidToken(f"the token has no {name} claim")
        if not valid(claims[name]):
            raise InvalidToken(f"the token's {name} claim must be {expected}")


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
            check_claim_types(jwt.decode(token, options={"verify_signature": False}))
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token was refused: {type(exc).__name__}") from exc
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": list(CLAIM_RULES), "verify_nbf": True},
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
