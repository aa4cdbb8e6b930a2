"""Billing runs: started by provider admins or the timer, read in each caller's scope (docs/api-guide.md#billing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, page_body, paging_binding
from functions.http.fields import PathId, Period
from functions.http.schemas import problems
from shared.domain.periods import PERIOD_PATTERN

router = APIRouter(tags=["billing"])

Kind = Literal["billed", "unbilled"]
DiscrepancyKindName = Literal[
    "unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
    "partnerOfRecordMismatch", "unpricedCharge",
]  # fmt: skip
Id = Annotated[str, Query(min_length=1, max_length=128)]


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Period
    kind: Kind


class ResellerTotal(BaseModel):
    resellerId: str
    amount: str
    currency: str


class CustomerTotal(BaseModel):
    customerId: str
    resellerId: str
    amount: str
    currency: str


class CostTotal(BaseModel):
    currency: str
    amount: str


class CurrencyTotal(BaseModel):
    currency: str
    customers: str = Field(description="The sum of what customers are invoiced in this currency.")
    resellers: str | None = Field(default=None, description="The sum of what resellers are invoiced (not customers).")
    providerCost: str | None = Field(default=None, description="What Microsoft charged in it (provider staff only).")


class InvoiceRef(BaseModel):
    invoiceId: str
    currency: str | None = Field(description="The currency Microsoft billed this invoice in.")


class Totals(BaseModel):
    currency: str | None = Field(description="The run's currency when it has one; each amount names its own.")
    currencies: list[str] = Field(default_factory=list, description="Every currency the run's totals are in.")
    resellers: list[ResellerTotal] = Field(description="What the provider invoices each reseller.")
    customers: list[CustomerTotal] = Field(description="What each reseller invoices each customer.")
    providerCost: list[CostTotal] | None = Field(default=None, description="Provider staff only.")
    byCurrency: list[CurrencyTotal] = Field(default_factory=list, description="Sums per currency, never mixed.")


class RunOut(BaseModel):
    id: str
    period: str
    kind: Kind
    status: Literal["queued", "running", "completed", "failed"]
    attempt: int
    invoiceId: str | None = Field(description="A billed run's (first) invoice; `invoices` lists them all.")
    invoices: list[InvoiceRef] = Field(default_factory=list, description="A billed run reads one invoice per currency.")
    createdAt: str
    startedAt: str | None
    completedAt: str | None
    failureReason: str | None
    counts: dict[str, Any]
    totals: Totals | None = None
    current: bool | None = Field(default=None, description="Provider staff: whether readers resolve to this run.")


class RunPage(BaseModel):
    items: list[RunOut]
    continuationToken: str | None


class DiscrepancyOut(BaseModel):
    kind: DiscrepancyKindName
    subscriptionId: str | None
    customerId: str | None
    resellerId: str | None
    amount: str
    currency: str
    detail: str
    lineItemIds: list[str]


class DiscrepancyPage(BaseModel):
    items: list[DiscrepancyOut]
    continuationToken: str | None


@router.post("/billing/runs", status_code=202, response_model=RunOut, responses=problems(400, 401, 403, 409, 422))
def start_run(body: RunIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep) -> Any:
    """Provider admins: queues a run for the period (one already queued or running for it is answered instead)."""

    def create() -> JSONResponse:
        from shared.services.billing import Audience

        run = container.billing.request_run(principal, body.period, body.kind)
        return JSONResponse(container.billing.run_json(run, Audience.of(principal)), status_code=202,
                            headers={"Location": f"/api/billing/runs/{run.id}"})  # fmt: skip

    return idempotency.respond(create)


@router.get("/billing/runs", response_model=RunPage, responses=problems(400, 401, 403, 422))
def list_runs(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> dict[str, Any]:
    binding = paging_binding(principal, "billing-runs", period=period)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.billing.list_runs(principal, period=period, limit=paging.limit, position=position)
    return page_body(items, container.continuation_tokens.encode(following, binding=binding))


@router.get(
    "/billing/runs/{run_id}",
    response_model=RunOut,
    response_model_exclude_none=False,
    responses=problems(401, 403, 404),
)
def get_run(run_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    """Provider staff see every total; reseller staff their own and their customers'; customers their own."""
    return container.billing.get_run(principal, run_id)  # type: ignore[no-any-return]


@router.get(
    "/billing/runs/{run_id}/lines",
    responses={**problems(401, 403, 404, 409), 200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def get_lines(
    run_id: PathId,
    principal: CurrentPrincipal,
    container: ContainerDep,
    reseller_id: Annotated[str | None, Query(alias="resellerId", max_length=128)] = None,
    customer_id: Annotated[str | None, Query(alias="customerId", max_length=128)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002 - the query parameter's name
) -> StreamingResponse:
    """Priced lines, streamed; reseller staff get only their lines and never Microsoft's prices or the provider cost."""
    fields, rows = container.billing.lines(principal, run_id, reseller_id=reseller_id, customer_id=customer_id)
    if format == "csv":
        return StreamingResponse(_csv(fields, rows), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'})  # fmt: skip
    return StreamingResponse(_json(rows), media_type="application/json")


def _json(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """`{"items": [...]}` written as the lines are read, never held whole."""
    yield b'{"items":['
    first = True
    batch: list[bytes] = []
    for row in rows:
        batch.append(orjson.dumps(row) if first else b"," + orjson.dumps(row))
        first = False
        if len(batch) >= 512:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)
    yield b"]}"


def _csv(fields: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    for count, row in enumerate(rows, 1):
        writer.writerow([" ".join(v) if isinstance(v, list) else ("" if v is None else v) for v in row.values()])
        if count % 512 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


@router.get(
    "/billing/runs/{run_id}/discrepancies", response_model=DiscrepancyPage, responses=problems(400, 401, 403, 404, 422)
)
def get_discrepancies(
    run_id: PathId,
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    kind: Annotated[DiscrepancyKindName | None, Query()] = None,
) -> dict[str, Any]:
    """Provider staff: what did not reconcile, with the money at stake and Microsoft's line ids behind it."""
    binding = paging_binding(principal, "billing-discrepancies", run=run_id, kind=kind)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.billing.discrepancies(principal, run_id, kind=kind, limit=paging.limit,
                                                       position=position)  # fmt: skip
    return page_body(items, container.continuation_tokens.encode(following, binding=binding))
