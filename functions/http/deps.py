"""Dependencies every route shares: the container, the signed-in principal, paging, idempotency."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from functions.http.fields import QueryInt
from functions.http.problems import ProblemException
from shared.bootstrap import Container
from shared.domain.scope import Principal
from shared.services.errors import ServiceError
from shared.services.listings import list_partition_for
from shared.storage.idempotency import Claim, StoredResponse


def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def current_principal(
    container: ContainerDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller, from a valid bearer token and its membership; 401 without, 403 for non-members."""
    from shared.auth.tokens import InvalidToken

    if not authorization:
        raise InvalidToken("an Authorization: Bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header must be 'Bearer <token>'")
    identity = container.token_validator.validate(token.strip())
    member = container.members.get(identity.user_id)
    if member is None:
        raise ProblemException(
            403, "you are signed in but not a member of this platform", slug="not-a-member", title="Forbidden"
        )
    return member.principal(identity.tenant_id)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True)
class PageParams:
    limit: int
    continuation_token: str | None


def page_params(
    limit: Annotated[QueryInt, Query(ge=1, le=500, description="Items per page (1..500).")] = 50,
    continuation_token: Annotated[
        str | None, Query(alias="continuationToken", max_length=4096, description="From the previous page.")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, continuation_token=continuation_token)


Paging = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class ListNames:
    """What a list across customers names: a customer, a reseller, or (the operator) a provider."""

    customer_id: str | None
    reseller_id: str | None
    provider_id: str | None

    def partition(self, principal: Principal, container: Container) -> str:
        """The list partition to read (shared/services/listings.py): the customer or reseller named, checked against
        the caller's scope (outside it: 404), or the caller's own organisation's. Called in the route, after every
        parameter is validated."""
        return list_partition_for(principal, container.relationship_service, container.providers,
                                  provider_id=self.provider_id, reseller_id=self.reseller_id,
                                  customer_id=self.customer_id)  # fmt: skip


def list_names(
    customer_id: Annotated[
        str | None, Query(alias="customerId", max_length=128, description="Only this customer's.")
    ] = None,
    reseller_id: Annotated[
        str | None, Query(alias="resellerId", max_length=128, description="Only this reseller's customers'.")
    ] = None,
    provider_id: Annotated[
        str | None,
        Query(alias="providerId", max_length=128, description="Operator only (and required for it): whose."),
    ] = None,
) -> ListNames:
    return ListNames(customer_id=customer_id, reseller_id=reseller_id, provider_id=provider_id)


ListScope = Annotated[ListNames, Depends(list_names)]


def paging_binding(principal: Principal, route: str, **filters: str | None) -> str:
    """What a continuation token is bound to: the caller and the exact query."""
    parts = [principal.user_id, route] + [f"{k}={v or ''}" for k, v in sorted(filters.items())]
    return "\x00".join(parts)


def page_body(items: list[dict[str, Any]], continuation_token: str | None) -> dict[str, Any]:
    return {"items": items, "continuationToken": continuation_token}


class Idempotency:
    """Runs a creating POST at most once per caller and Idempotency-Key (docs/api-guide.md#idempotency-key)."""

    def __init__(
        self, container: Container, request: Request, principal: Principal, key: str | None, body: bytes
    ) -> None:
        self._container = container
        self._request = request
        self._principal = principal
        self._key = key
        self._fingerprint = _fingerprint(body)

    def respond(self, produce: Callable[[], JSONResponse]) -> Response:
        if self._key is None:
            return produce()
        store = self._container.idempotency
        args = (self._principal.user_id, self._request.method, self._request.url.path, self._key)
        result = store.claim(*args, self._fingerprint)
        if result.claim is Claim.MISMATCH:
            raise ProblemException(
                422,
                "this Idempotency-Key was already used with a different request body",
                slug="idempotency-key-reused",
                title="Idempotency-Key reused",
            )
        if result.claim is Claim.IN_FLIGHT:
            raise ProblemException(
                409,
                "a request with this Idempotency-Key is still being processed",
                slug="idempotency-key-in-flight",
                title="Request in progress",
            )
        if result.claim is Claim.REPLAY and result.response is not None:
            stored = result.response
            return Response(
                stored.body,
                status_code=stored.status,
                media_type=stored.media_type,
                headers={**stored.headers, "Idempotent-Replayed": "true"},
            )
        try:
            response = produce()
        except ServiceError as exc:
            if exc.status >= 500:
                store.release(*args)
                raise
            from functions.http.problems import problem_response

            response = problem_response(
                exc.status,
                slug=exc.slug,
                title=exc.title,
                detail=exc.detail,
                errors=getattr(exc, "errors", None),
                instance=self._request.url.path,
                extensions=exc.extensions,
            )
        except BaseException:
            store.release(*args)
            raise
        headers = {k: v for k, v in response.headers.items() if k.lower() in {"location"}}
        store.complete(
            *args,
            self._fingerprint,
            StoredResponse(response.status_code, bytes(response.body), response.media_type or "", headers),
        )
        return response


def _fingerprint(body: bytes) -> str:
    """Same JSON, same fingerprint: key order and white space do not make a different request."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


async def idempotency(
    request: Request,
    container: ContainerDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Makes a retried create safe: the same key and body answer the first result again.",
        ),
    ] = None,
) -> Idempotency:
    return Idempotency(container, request, principal, idempotency_key, await request.body())


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
