"""GET /api/health: whether tables, the queue and Partner Center answer."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from functions.http.deps import ContainerDep
from functions.http.problems import RETRY_AFTER_SECONDS

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
    headers = {"Cache-Control": "no-store"}
    if not report.healthy:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)  # as every 503 of the API says when to come back
    return JSONResponse(report.to_json(), status_code=200 if report.healthy else 503, headers=headers)
