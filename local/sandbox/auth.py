"""Bearer-token checks for the Partner Center routes: who is calling, and with app-only or app+user rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from local.sandbox.context import Sandbox, get_sandbox
from local.sandbox.wire import PartnerCenterError


@dataclass(frozen=True)
class Caller:
    """The provider a token speaks for; `app_user` when a partner user's delegated rights come with it."""

    provider: dict[str, Any]
    app_user: bool
    user_id: str | None = None  # the signed-in partner user's object id, on app+user tokens

    @property
    def tenant_id(self) -> str:
        return str(self.provider["tenantId"])

    def require_app_user(self) -> None:
        """The app+user-only operations (docs/partner-center.md#tokens) refuse app-only tokens this way."""
        if not self.app_user:
            raise PartnerCenterError(
                403, 900329, "This resource does not support application-only authentication.",
                source="PartnerApiServiceControllers",
            )  # fmt: skip


def _unauthorized(sandbox: Sandbox, reason: str) -> PartnerCenterError:
    realm = sandbox.config.https_url
    return PartnerCenterError(
        401, 401, f"Authentication failed: {reason}",
        headers={"WWW-Authenticate": f'OAuth realm="{realm}", error="invalid_token", error_description="{reason}"'},
    )  # fmt: skip


def authenticate(request: Request, sandbox: Annotated[Sandbox, Depends(get_sandbox)]) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(sandbox, "The request has no bearer token.")
    token = token.strip()
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid != sandbox.service_key.kid:
            raise jwt.InvalidTokenError("the token is not signed by a key of this issuer")
        claims = jwt.decode(
            token,
            sandbox.service_key.private_key.public_key(),
            algorithms=["RS256"],
            audience=list(sandbox.config.partner_center_audiences),
            options={"require": ["exp", "tid", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized(sandbox, "The access token has expired.") from None
    except jwt.InvalidTokenError as exc:
        raise _unauthorized(sandbox, f"The access token is not valid ({exc}).") from None
    with sandbox.state.lock:
        provider = sandbox.state.provider_by_tenant(str(claims["tid"]))
    app_id = str(claims.get("appid") or claims.get("azp") or "")
    if provider is None or provider["clientId"].lower() != app_id.lower():
        raise _unauthorized(sandbox, "The application is not registered with this Partner Center account.")
    app_user = "scp" in claims
    user_id = str(claims.get("oid") or provider["adminOid"]) if app_user else None
    return Caller(provider=provider, app_user=app_user, user_id=user_id)


CallerDep = Annotated[Caller, Depends(authenticate)]
SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]
