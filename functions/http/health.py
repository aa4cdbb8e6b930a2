"""GET /api/health: whether tables, the queue and Partner Center answer."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from functions.http.deps import ContainerDep

router = APIRouter(tags=["health"])


class HealthChecks(BaseModel):
    tables: str
    queue: str
    partnerCenter: str


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: HealthChecks


@router.get(
    "/health", response_model=HealthOut, responses={503: {"model": HealthOut, "description": "A dependency is down"}}
)
def health(container: ContainerDep) -> JSONResponse:
    """No token needed: load balancers and operators call it."""
    report = container.health()
    return JSONResponse(
        report.to_json(), status_code=200 if report.healthy else 503, headers={"Cache-Control": "no-store"}
    )
