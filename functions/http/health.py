"""GET /api/health: whether tables, the queue and Partner Center answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep
from functions.http.problems import RETRY_AFTER_SECONDS
from functions.http.responses import answer, resource_router
from shared.services.health import HealthReport

router = resource_router(tags=["health"])
CheckResult = Annotated[str, Field(description='"ok", "timeout", or "down: <what failed>".')]


class HealthChecks(BaseModel):
    tables: CheckResult
    queue: CheckResult
    partnerCenter: CheckResult


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: HealthChecks

    @classmethod
    def of(cls, report: HealthReport) -> HealthOut:
        return cls(status="ok" if report.healthy else "unavailable", checks=HealthChecks(**report.checks))


@router.get(
    "/health",
    response_model=HealthOut,
    responses={
        503: {
            "model": HealthOut,
            "description": "A dependency is down: the same report, with Retry-After",
            "content": {
                "application/json": {
                    "example": {
                        "status": "unavailable",
                        "checks": {"tables": "ok", "queue": "timeout", "partnerCenter": "ok"},
                    }
                }
            },  # fmt: skip
        }
    },
)
def health(container: ContainerDep) -> JSONResponse:
    """No token needed: load balancers and operators call it."""
    report = container.health()
    headers = {"Cache-Control": "no-store"}
    if not report.healthy:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)  # as every 503 of the API says when to come back
    return answer(HealthOut.of(report), status_code=200 if report.healthy else 503, headers=headers)
