"""POST /api/webhooks/partner-center: Partner Center's signed events, answered once durably queued."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from functions.http.deps import ContainerDep
from functions.http.problems import problem_response
from functions.http.schemas import problems
from shared.partner_center.webhooks import InvalidSignature, InvalidWebhookEvent

router = APIRouter(tags=["webhooks"])


class EventReceivedOut(BaseModel):
    received: str = Field(description="The event's name, as Partner Center sent it.", examples=["subscription-updated"])
    duplicate: bool = Field(description="Received before within a week: answered again, not queued again.")


@router.post(
    "/webhooks/partner-center",
    response_model=EventReceivedOut,
    responses={200: {"description": "The event is durably queued"}, **problems(400, 401, 404)},
)
async def partner_center_webhook(
    request: Request,
    container: ContainerDep,
    provider: Annotated[str, Query(min_length=1, max_length=128, description="The provider the registration is for.")],
) -> EventReceivedOut | JSONResponse:
    """No bearer token: the signature (RSA-SHA256 over the raw body, certificate from an allowed host
    chaining to a trusted root) is the proof. Unsigned or wrongly signed: 401."""
    raw = await request.body()
    headers = dict(request.headers)
    try:
        received = await run_in_threadpool(container.events.receive, provider, raw, headers)
    except InvalidSignature as refused:
        return problem_response(
            401,
            slug="invalid-signature",
            title="Unauthorized",
            detail=f"the event's signature was refused: {refused}",
            headers={"WWW-Authenticate": "Signature"},
        )
    except InvalidWebhookEvent as bad:
        return problem_response(400, slug="invalid-event", detail=str(bad))
    # A replay is answered as the first delivery was (Partner Center must not retry it), but not queued again.
    return EventReceivedOut(received=received.event.event_name, duplicate=received.duplicate)
