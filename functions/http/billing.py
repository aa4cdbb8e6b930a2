"""Billing runs: started by provider admins or the timer, read in each caller's scope (docs/api-guide.md#billing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

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


Amount = Annotated[
    str,
    Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", description="A decimal string at the currency's minor unit (JPY: none)."),
]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def hidden(description: str) -> Any:
    """A field some tiers may not read: absent from their answers, never null (docs/api-guide.md#billing)."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


class ResellerTotal(BaseModel):
    resellerId: str
    amount: Amount
    currency: str


class CustomerTotal(BaseModel):
    customerId: str
    resellerId: str
    amount: Amount
    currency: str


class CostTotal(BaseModel):
    currency: str
    amount: Amount


class CurrencyTotal(BaseModel):
    currency: str
    customers: Amount = Field(description="The sum of what customers are invoiced in this currency.")
    resellers: Amount = hidden("The sum of what resellers are invoiced (absent for customers).")
    providerCost: Amount | None = hidden(
        "What Microsoft charged in it (provider staff only; null when no charge in it was read)."
    )


class InvoiceRef(BaseModel):
    invoiceId: str
    currency: str | None = Field(description="The currency Microsoft billed this invoice in.")


class Totals(BaseModel):
    currency: str | None = Field(description="The run's currency when it has one; each amount names its own.")
    currencies: list[str] = Field(description="Every currency the run's totals are in.")
    resellers: list[ResellerTotal] = hidden("What the provider invoices each reseller (absent for customers).")
    customers: list[CustomerTotal] = Field(description="What each reseller invoices each customer.")
    providerCost: list[CostTotal] = hidden("What Microsoft charged per currency (provider staff only).")
    byCurrency: list[CurrencyTotal] = Field(description="Sums per currency, never mixed.")


class RunCounts(BaseModel):
    lines: int = Field(description="The lines the reader may read (provider staff: every line Microsoft billed).")
    discrepancies: int = hidden("Provider staff only.")
    billableLines: int = hidden("Lines of subscriptions of ours (provider staff only).")
    unpricedLines: int = hidden("Lines with no reseller or customer price (provider staff only).")
    discrepanciesByKind: dict[str, int] = hidden("Provider staff only.")


class RunSummaryOut(BaseModel):
    """A run as lists show it: its totals are read with GET /api/billing/runs/{id}."""

    id: str
    period: str
    kind: Kind
    status: Literal["queued", "running", "completed", "failed"]
    attempt: int
    invoiceId: str | None = Field(description="A billed run's (first) invoice; `invoices` lists them all.")
    invoices: list[InvoiceRef] = Field(description="A billed run reads one invoice per currency.")
    createdAt: str
    startedAt: str | None
    completedAt: str | None
    failureReason: str | None
    counts: RunCounts
    current: bool = hidden("Whether readers resolve to this run (provider staff only).")


class RunOut(RunSummaryOut):
    totals: Totals = Field(description="Empty until the run is completed.")


class RunPage(BaseModel):
    items: list[RunSummaryOut]
    continuationToken: str | None


class LineOut(BaseModel):
    """One priced line. Fields a tier may not read are absent: reseller staff never read Microsoft's prices or the
    provider cost, customers read only their own tier. A value that is not known is null."""

    lineItemIds: list[str] = Field(description="Microsoft's line ids behind it.")
    invoiceNumber: str | None = hidden("Provider staff only.")
    subscriptionId: str | None
    customerId: str | None
    resellerId: str | None = hidden("Absent for customers.")
    customerTenantId: str | None = hidden("Provider staff only.")
    catalogItemId: str | None
    chargeType: str | None = Field(description='As Microsoft spells it: "new", "cycleCharge", "addQuantity", ...')
    chargeStartDate: str | None
    chargeEndDate: str | None
    quantity: int
    currency: str
    unitPrice: Amount | None = hidden("Microsoft's unit price (provider staff only).")
    effectiveUnitPrice: Amount | None = hidden("Microsoft's prorated unit price (provider staff only).")
    proration: str = Field(description="The share of a full billing period charged, exact (negative for credits).")
    providerCost: Amount = hidden("What Microsoft charges the provider (provider staff only).")
    resellerCharge: Amount | None = hidden("What the reseller is invoiced (absent for customers; null: no price).")
    customerCharge: Amount | None = Field(description="What the customer is invoiced (null: no price).")
    billable: bool = hidden("Matched to a subscription of ours (provider staff only).")


class LinePage(BaseModel):
    items: list[LineOut]
    continuationToken: str | None


class DiscrepancyOut(BaseModel):
    kind: DiscrepancyKindName
    subscriptionId: str | None
    customerId: str | None
    resellerId: str | None
    amount: Amount
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


@router.get(
    "/billing/runs", response_model=RunPage, response_model_exclude_unset=True, responses=problems(400, 401, 403, 422)
)
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
    response_model_exclude_unset=True,
    responses=problems(401, 403, 404),
)
def get_run(run_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    """Provider staff see every total; reseller staff their own and their customers'; customers their own."""
    return container.billing.get_run(principal, run_id)  # type: ignore[no-any-return]


@router.get(
    "/billing/runs/{run_id}/lines",
    response_model=LinePage,
    response_model_exclude_unset=True,
    responses={
        **problems(400, 401, 403, 404, 409, 422),
        200: {
            "description": "A page of lines (JSON), or every line the caller may read (CSV, streamed)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
)
def get_lines(
    run_id: PathId,
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    reseller_id: Annotated[str | None, Query(alias="resellerId", max_length=128)] = None,
    customer_id: Annotated[str | None, Query(alias="customerId", max_length=128)] = None,
    format: Annotated[  # noqa: A002 - the query parameter's name
        Literal["json", "csv"], Query(description="csv: every line in one stream (`limit` and the token unused).")
    ] = "json",
) -> Any:
    """Priced lines: a page as JSON, or all of them as a CSV stream; reseller staff get only their lines and never
    Microsoft's prices or the provider cost."""
    if format == "csv":
        fields, rows = container.billing.lines(principal, run_id, reseller_id=reseller_id, customer_id=customer_id)
        return StreamingResponse(_csv(fields, rows), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'})  # fmt: skip
    binding = paging_binding(principal, "billing-lines", run=run_id, resellerId=reseller_id, customerId=customer_id)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.billing.lines_page(principal, run_id, reseller_id=reseller_id,
                                                    customer_id=customer_id, limit=paging.limit,
                                                    position=position)  # fmt: skip
    return page_body(items, container.continuation_tokens.encode(following, binding=binding))


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
    "/billing/runs/{run_id}/discrepancies",
    response_model=DiscrepancyPage,
    response_model_exclude_unset=True,
    responses=problems(400, 401, 403, 404, 422),
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
