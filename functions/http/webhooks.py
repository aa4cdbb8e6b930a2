"""POST /api/webhooks/partner-center: Partner Center's signed events, answered once durably queued."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from functions.http.deps import ContainerDep
from functions.http.problems import problem_response
from functions.http.responses import resource_router
from functions.http.schemas import problems
from shared.partner_center.webhooks import InvalidSignature, InvalidWebhookEvent

router = resource_router(tags=["webhooks"])


class EventReceivedOut(BaseModel):
    received: str = Field(description="The event's name, as Partner Center sent it.", examples=["subscription-updated"])
    duplicate: bool = Field(description="Received before within a week: answered again, not queued again.")


# Every refusal it gives (besides 405 and an unexpected 500), from the route or the body check before it (middleware).
_REFUSALS = {
    400: "The signed body is not a Partner Center event, or Content-Length is not a number",
    401: "The signature is missing or refused, or the event is not this provider's (WWW-Authenticate: Signature)",
    404: "No provider has this id",
    413: "Request body too large",
    415: "The body is not JSON (its Content-Type or its content)",
    422: "The provider query parameter is missing or not valid, or the JSON body names a key twice",
    503: "Storage did not answer, or the same event is being received right now; try again after Retry-After",
}


@router.post(
    "/webhooks/partner-center",
    response_model=EventReceivedOut,
    responses={
        200: {"description": "The event is durably queued"},
        **{status: {**problems(status)[status], "description": said} for status, said in _REFUSALS.items()},
    },
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
        received = await run_in_threadpool(container.event_service.receive, provider, raw, headers)
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
