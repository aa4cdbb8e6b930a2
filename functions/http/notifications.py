"""Event subscriptions: webhook endpoints of a provider or a reseller, and their deliveries
(docs/api-guide.md#event-subscriptions; receiving and verifying: README.md#receiving-events)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import Line200, PathId, StrictFlag
from functions.http.responses import JsonValue, answer, moment, resource_router
from functions.http.schemas import problems
from shared.domain.notifications import Attempt, Endpoint, WebhookDelivery, event_document

router = resource_router(tags=["event subscriptions"])

EventTypeName = Literal[
    "order.pendingApproval",
    "order.failed",
    "subscription.changeFailed",
    "relationship.ended",
    "billing.runCompleted",
    "subscription.expiring",
]
DeliveryStatusName = Literal["pending", "delivered", "failed"]
Url = Annotated[
    str,
    StringConstraints(min_length=8, max_length=2000, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"),
    Field(description="https only; never a private, loopback or link-local address, nor the platform's own host."),
]
Events = Annotated[list[EventTypeName], Field(min_length=1, max_length=6, description="At least one event type.")]


class EventSubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url
    events: Events
    description: Line200 | None = None


class EventSubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url | None = None
    events: Events | None = None
    enabled: StrictFlag | None = None
    description: Line200 | None = None


class EventSubscriptionOut(BaseModel):
    id: str
    url: str
    events: list[EventTypeName]
    description: str | None
    enabled: bool
    ownerType: Literal["provider", "reseller"]
    ownerId: str
    createdAt: str
    createdBy: str
    updatedAt: str
    secretRotatedAt: str | None

    @classmethod
    def fields_of(cls, endpoint: Endpoint) -> dict[str, Any]:
        return {"id": endpoint.id, "url": endpoint.url, "events": sorted(e.value for e in endpoint.events),
                "description": endpoint.description, "enabled": endpoint.enabled,
                "ownerType": "provider" if endpoint.reseller_id is None else "reseller",
                "ownerId": endpoint.reseller_id or endpoint.provider_id, "createdAt": endpoint.created_at.isoformat(),
                "createdBy": endpoint.created_by, "updatedAt": endpoint.updated_at.isoformat(),
                "secretRotatedAt": moment(endpoint.secret_rotated_at)}  # fmt: skip

    @classmethod
    def of(cls, endpoint: Endpoint) -> EventSubscriptionOut:
        return cls(**cls.fields_of(endpoint))


class EventSubscriptionSecretOut(EventSubscriptionOut):
    secret: str = Field(description="The signing secret: in this answer only, never shown again.")

    @classmethod
    def with_secret(cls, endpoint: Endpoint, secret: str) -> EventSubscriptionSecretOut:
        return cls(**cls.fields_of(endpoint), secret=secret)


class EventSubscriptionPage(BaseModel):
    items: list[EventSubscriptionOut]
    continuationToken: str | None


class AttemptOut(BaseModel):
    number: int
    at: str
    statusCode: int | None = Field(description="The receiver's answer; null when none came (see error).")
    error: str | None
    durationMs: int
    round: int = Field(description="0 for the first delivery, n for the n-th replay.")

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(number=attempt.number, at=attempt.at.isoformat(), statusCode=attempt.status_code,
                   error=attempt.error, durationMs=attempt.duration_ms, round=attempt.round)  # fmt: skip


class EventOut(BaseModel):
    id: str
    type: str
    occurredAt: str
    providerId: str
    resellerId: str | None
    customerId: str | None
    data: dict[str, JsonValue]


class DeliveryOut(BaseModel):
    id: str
    eventId: str
    eventType: str
    status: DeliveryStatusName
    createdAt: str
    nextAttemptAt: str | None
    round: int
    attempts: list[AttemptOut]
    event: EventOut = Field(description="The body the receiver gets, as JSON.")

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(id=delivery.id, eventId=delivery.event.id, eventType=delivery.event.type.value,
                   status=delivery.status.value, createdAt=delivery.created_at.isoformat(),  # type: ignore[arg-type]
                   nextAttemptAt=moment(delivery.next_attempt_at), round=delivery.round,
                   attempts=[AttemptOut.of(a) for a in reversed(delivery.attempts)],
                   event=EventOut(**event_document(delivery.event)))  # fmt: skip


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    continuationToken: str | None


@router.post(
    "/event-subscriptions", status_code=201, response_model=EventSubscriptionSecretOut,
    responses=problems(400, 401, 403, 409, 422),
)  # fmt: skip
def create_event_subscription(
    body: EventSubscriptionIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Response:
    """Provider and reseller admins register an endpoint for their organisation; the answer carries its signing
    secret, shown this once. A URL deliveries may not go to is 422 at `url` with the reason."""

    def create() -> JSONResponse:
        endpoint, secret = container.notification_service.register(
            principal, url=body.url, events=body.events, description=body.description
        )
        return answer(EventSubscriptionSecretOut.with_secret(endpoint, secret), status_code=201,
                      headers={"Location": f"/api/event-subscriptions/{endpoint.id}"})  # fmt: skip

    return idempotency.respond(create)


@router.get("/event-subscriptions", response_model=EventSubscriptionPage, responses=problems(400, 401, 403))
def list_event_subscriptions(
    principal: CurrentPrincipal, container: ContainerDep, paging: Paging
) -> EventSubscriptionPage:
    """The caller's own organisation's endpoints (admins and staff of a provider or reseller)."""
    binding = paging_binding(principal, "event-subscriptions")
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.notification_service.page(principal, limit=paging.limit, position=position)
    token = container.continuation_tokens.encode(following, binding=binding)
    return EventSubscriptionPage(items=[EventSubscriptionOut.of(e) for e in items], continuationToken=token)


@router.get(
    "/event-subscriptions/{event_subscription_id}",
    response_model=EventSubscriptionOut,
    responses=problems(401, 403, 404),
)
def get_event_subscription(
    event_subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> EventSubscriptionOut:
    return EventSubscriptionOut.of(container.notification_service.get(principal, event_subscription_id))


@router.patch(
    "/event-subscriptions/{event_subscription_id}", response_model=EventSubscriptionOut,
    responses=problems(400, 401, 403, 404, 422),
)  # fmt: skip
def change_event_subscription(
    event_subscription_id: PathId, body: EventSubscriptionPatch, principal: CurrentPrincipal, container: ContainerDep
) -> EventSubscriptionOut:
    """A new URL (checked as on registration), events, description, or enabled: false to pause deliveries."""
    given = body.model_fields_set
    return EventSubscriptionOut.of(container.notification_service.change(
        principal, event_subscription_id, url=body.url, events=body.events if "events" in given else None,
        enabled=body.enabled, description=body.description, description_given="description" in given,
    ))  # fmt: skip


@router.delete("/event-subscriptions/{event_subscription_id}", status_code=204, responses=problems(401, 403, 404))
def remove_event_subscription(
    event_subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> Response:
    container.notification_service.remove(principal, event_subscription_id)
    return Response(status_code=204)


@router.post(
    "/event-subscriptions/{event_subscription_id}/rotate-secret", response_model=EventSubscriptionSecretOut,
    responses=problems(401, 403, 404),
)  # fmt: skip
def change_event_subscription_secret(
    event_subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> EventSubscriptionSecretOut:
    """A new signing secret, in force from the next attempt on; shown this once."""
    endpoint, secret = container.notification_service.rotate_secret(principal, event_subscription_id)
    return EventSubscriptionSecretOut.with_secret(endpoint, secret)


@router.post(
    "/event-subscriptions/{event_subscription_id}/ping", status_code=202, response_model=DeliveryOut,
    responses=problems(401, 403, 404, 409),
)  # fmt: skip
def check_event_subscription(
    event_subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> JSONResponse:
    """A `ping` event delivered to this endpoint only (409 while it is disabled)."""
    delivery = container.notification_service.send_ping(principal, event_subscription_id)
    return answer(DeliveryOut.of(delivery), status_code=202)


@router.get(
    "/event-subscriptions/{event_subscription_id}/deliveries", response_model=DeliveryPage,
    responses=problems(400, 401, 403, 404, 422),
)  # fmt: skip
def list_event_deliveries(
    event_subscription_id: PathId,
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    status: Annotated[DeliveryStatusName | None, Query(description="Only deliveries in this status.")] = None,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with its attempts (newest first)."""
    binding = paging_binding(principal, "event-deliveries", endpoint=event_subscription_id, status=status)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.notification_service.deliveries(
        principal, event_subscription_id, status=status, limit=paging.limit, position=position
    )
    return DeliveryPage(items=[DeliveryOut.of(d) for d in items],
                        continuationToken=container.continuation_tokens.encode(following, binding=binding))  # fmt: skip


@router.post(
    "/event-subscriptions/{event_subscription_id}/deliveries/{delivery_id}/replay", status_code=202,
    response_model=DeliveryOut, responses=problems(401, 403, 404, 409),
)  # fmt: skip
def start_delivery_replay(
    event_subscription_id: PathId, delivery_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> JSONResponse:
    """A delivered or dead-lettered delivery is sent again once, as a new round of the same delivery; 409 while it
    is still pending (so replaying twice quickly delivers once)."""
    delivery = container.notification_service.replay(principal, event_subscription_id, delivery_id)
    return answer(DeliveryOut.of(delivery), status_code=202)
