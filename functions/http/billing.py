"""Billing runs: started by provider admins or the timer, read in each caller's scope (docs/api-guide.md#billing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import PathId, Period
from functions.http.responses import answer, hidden, moment, resource_router
from functions.http.schemas import problems
from shared.domain.billing import amount_text, round_money
from shared.domain.money import format_decimal
from shared.domain.periods import PERIOD_PATTERN
from shared.services.billing import Audience, RunView
from shared.storage.billing import TotalRow

router = resource_router(tags=["billing"])

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

    @classmethod
    def of(cls, rows: list[TotalRow], currency: str, costs: dict[str, str] | None, tier: str) -> CurrencyTotal:
        """One currency's sums: what resellers are invoiced, what customers are invoiced, and (provider) the cost."""

        def total(scope: str) -> str:
            amounts = (Decimal(r.amount) for r in rows if r.scope == scope and r.currency == currency and r.amount)
            return format_decimal(round_money(sum(amounts, Decimal(0)), currency))

        hidden_by_tier: dict[str, Any] = {}
        if tier != "customer":
            hidden_by_tier["resellers"] = total("reseller")
        if costs is not None:
            hidden_by_tier["providerCost"] = amount_text(costs.get(currency), currency)  # null: none read in it
        return cls(currency=currency, customers=total("customer"), **hidden_by_tier)


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

    @classmethod
    def of(cls, view: RunView) -> Totals:
        """The reader's totals, each amount in its own currency: customers never read reseller totals, only provider
        staff read the provider cost."""
        run, tier = view.run, view.audience.tier
        rows = [row for row in view.rows if row.amount is not None]
        costs = (run.costs if run.status == "completed" else {}) if tier == "provider" else None
        currencies = sorted({row.currency for row in rows} | set(costs or {}))
        hidden_by_tier: dict[str, Any] = {}
        if tier != "customer":
            hidden_by_tier["resellers"] = [
                ResellerTotal(resellerId=r.reseller_id, amount=_amount(r.amount, r.currency), currency=r.currency)
                for r in rows if r.scope == "reseller"
            ]  # fmt: skip
        if costs is not None:
            hidden_by_tier["providerCost"] = [
                CostTotal(currency=c, amount=_amount(a, c)) for c, a in sorted(costs.items())
            ]
        customers = [
            CustomerTotal(customerId=r.customer_id or "", resellerId=r.reseller_id,
                          amount=_amount(r.amount, r.currency), currency=r.currency)
            for r in rows if r.scope == "customer"
        ]  # fmt: skip
        return cls(currency=currencies[0] if len(currencies) == 1 else None, currencies=currencies,
                   customers=customers, byCurrency=[CurrencyTotal.of(rows, c, costs, tier) for c in currencies],
                   **hidden_by_tier)  # fmt: skip


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

    @classmethod
    def fields_of(cls, view: RunView) -> dict[str, Any]:
        """The shape depends only on the reader's tier, never on the run's state: a field the tier may not read is
        absent, a value not known is null."""
        run = view.run
        fields: dict[str, Any] = dict(
            id=run.id, period=run.period, kind=run.kind, status=run.status, attempt=run.attempt,
            invoiceId=run.invoice_id,
            invoices=[InvoiceRef(invoiceId=i, currency=c or None) for i, c in sorted(run.invoices.items())],
            createdAt=run.created_at.isoformat(), startedAt=moment(run.started_at),
            completedAt=moment(run.completed_at), failureReason=view.failure_reason,
        )  # fmt: skip
        if view.audience.tier == "provider":
            counts = run.counts if run.status == "completed" else {}
            fields["current"] = bool(view.current)
            fields["counts"] = RunCounts(lines=counts.get("lines", 0), discrepancies=counts.get("discrepancies", 0),
                                         billableLines=counts.get("billableLines", 0),
                                         unpricedLines=counts.get("unpricedLines", 0),
                                         discrepanciesByKind=counts.get("discrepanciesByKind", {}))  # fmt: skip
        else:
            fields["counts"] = RunCounts(lines=view.own_lines)
        return fields

    @classmethod
    def of(cls, view: RunView) -> RunSummaryOut:
        return cls(**cls.fields_of(view))


class RunOut(RunSummaryOut):
    totals: Totals = Field(description="Empty until the run is completed.")

    @classmethod
    def of(cls, view: RunView) -> RunOut:
        return cls(**cls.fields_of(view), totals=Totals.of(view))


def _amount(value: str | None, currency: str) -> str:
    return amount_text(value, currency) or "0"


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
        run = container.billing_service.request_run(principal, body.period, body.kind)
        return answer(RunOut.of(container.billing_service.view(run, Audience.of(principal))), status_code=202,
                      headers={"Location": f"/api/billing/runs/{run.id}"})  # fmt: skip

    return idempotency.respond(create)


@router.get("/billing/runs", response_model=RunPage, responses=problems(400, 401, 403, 422))
def list_runs(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> RunPage:
    binding = paging_binding(principal, "billing-runs", period=period)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    views, following = container.billing_service.list_runs(
        principal, period=period, limit=paging.limit, position=position
    )
    return RunPage(
        items=[RunSummaryOut.of(view) for view in views],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get(
    "/billing/runs/{run_id}",
    response_model=RunOut,
    responses=problems(401, 403, 404),
)
def get_run(run_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> RunOut:
    """Provider staff see every total; reseller staff their own and their customers'; customers their own."""
    return RunOut.of(container.billing_service.get_run(principal, run_id))


@router.get(
    "/billing/runs/{run_id}/lines",
    response_model=LinePage,
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
        fields, rows = container.billing_service.lines(
            principal, run_id, reseller_id=reseller_id, customer_id=customer_id
        )
        return StreamingResponse(_csv(fields, rows), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'})  # fmt: skip
    binding = paging_binding(principal, "billing-lines", run=run_id, resellerId=reseller_id, customerId=customer_id)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.billing_service.lines_page(principal, run_id, reseller_id=reseller_id,
                                                    customer_id=customer_id, limit=paging.limit,
                                                    position=position)  # fmt: skip
    return LinePage(
        items=[LineOut(**line) for line in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


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
    responses=problems(400, 401, 403, 404, 422),
)
def get_discrepancies(
    run_id: PathId,
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    kind: Annotated[DiscrepancyKindName | None, Query()] = None,
) -> DiscrepancyPage:
    """Provider staff: what did not reconcile, with the money at stake and Microsoft's line ids behind it."""
    binding = paging_binding(principal, "billing-discrepancies", run=run_id, kind=kind)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.billing_service.discrepancies(principal, run_id, kind=kind, limit=paging.limit,
                                                       position=position)  # fmt: skip
    return DiscrepancyPage(
        items=[DiscrepancyOut(**item) for item in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )
