"""GET /api/config: what a front end needs before anyone signs in (how people sign in)."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep
from functions.http.responses import answer, resource_router

router = resource_router(tags=["config"])


class ConsoleAuth(BaseModel):
    clientId: str = Field(description="The console's app registration (a single-page app).")
    authority: str = Field(description="Where people sign in (Entra ID; the sandbox locally).")
    knownAuthorities: list[str] = Field(description="The authority's host, for MSAL.js.")
    scopes: list[str] = Field(description="What the console asks for to call this API.")


class ConsoleConfig(BaseModel):
    auth: ConsoleAuth
    devSignIn: bool = Field(description="A development sign-in is offered (local stack only).")


@router.get("/config", response_model=ConsoleConfig)
def console_config(container: ContainerDep) -> JSONResponse:
    """No token needed: the console reads it to sign people in."""
    settings = container.settings
    authority = settings.console_authority
    host = authority.split("://", 1)[-1].split("/", 1)[0]
    body = ConsoleConfig(
        auth=ConsoleAuth(
            clientId=settings.auth_client_id,
            authority=authority,
            knownAuthorities=[host],
            scopes=settings.console_scopes,
        ),
        devSignIn=bool(settings.dev_sign_in_key_dir),
    )
    return answer(body, headers={"Cache-Control": "no-store"})
