"""The local stack's development sign-in: whom one may act as, and a token for them, on the console's origin.

A person's browser trusts neither the sandbox's development CA nor an http authority (MSAL.js refuses one), so
locally the console can also sign in here: the tokens are the ones `local.token` prints (the sandbox's user key,
the platform's issuer and audience), so the API checks them exactly as it checks Entra's. Mounted only by the
local stack, and only while DEV_SIGN_IN_KEY_DIR is set; Azure never serves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.app import operation_id
from functions.http.deps import ContainerDep
from functions.http.responses import resource_router
from functions.http.schemas import problems
from shared.services.errors import NotFound

router = resource_router(prefix="/api/dev", tags=["development sign-in"], generate_unique_id_function=operation_id)
TOKEN_LIFETIME = timedelta(hours=1)

UserId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")]


class Person(BaseModel):
    userId: str
    orgType: str
    orgId: str
    orgName: str | None
    role: str


class PeopleOut(BaseModel):
    items: list[Person]


class DevTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    userId: UserId = Field(description="The person's object id (the token's oid); need not be a member yet.")


class DevTokenOut(BaseModel):
    accessToken: str
    expiresOn: str
    userId: str


def _key_dir(container: Any) -> Path:
    directory = container.settings.dev_sign_in_key_dir
    if not directory:
        raise NotFound("the development sign-in is off")
    return Path(directory)


@router.get("/people", response_model=PeopleOut, responses=problems(404))
def people(container: ContainerDep) -> PeopleOut:
    """The members one may act as (the operator first), with their organisation's name."""
    _key_dir(container)
    names: dict[tuple[str, str], str | None] = {}
    items = []
    for member in container.members.everyone():
        key = (member.org.org_type.value, member.org.org_id)
        if key not in names:
            names[key] = container.organizations.name_of(member.org.org_type, member.org.org_id)
        items.append(Person(userId=member.user_id, orgType=key[0], orgId=key[1], orgName=names[key],
                            role=member.role.value))  # fmt: skip
    return PeopleOut(items=items)


@router.post("/token", response_model=DevTokenOut, responses=problems(404, 422))
def token(body: DevTokenIn, container: ContainerDep) -> DevTokenOut:
    """A bearer token for anyone (a non-member gets one too, and then the API's 403): the same token Entra
    would issue, signed with the development key the sandbox publishes."""
    from local.sandbox.tokens import issue_user_token
    from local.settings import platform_tenant_id

    key_dir = _key_dir(container)
    settings = container.settings
    expires = datetime.now(UTC) + TOKEN_LIFETIME
    access_token = issue_user_token(
        key_dir,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        oid=body.userId,
        tid=platform_tenant_id(settings.auth_issuer),
        lifetime_seconds=int(TOKEN_LIFETIME.total_seconds()),
    )
    return DevTokenOut(accessToken=access_token, expiresOn=expires.isoformat(), userId=body.userId)
