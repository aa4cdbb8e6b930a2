"""Billing runs (docs/business.md#billing-runs): requested, queued, computed from Microsoft's lines,
made current atomically, and read back in each caller's scope.

A run streams the period's lines once: each is priced and checked by `shared.domain.billing.Reconciler`, written to
the run's line blob as it goes, and summed into totals keyed by reseller, customer and currency. Lookups
(subscriptions, customers, resellers, tier prices) are loaded once per run. A rerun computes everything afresh
under a new run id and then replaces the previous run in one transaction, so nothing is ever counted twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from shared.domain.billing import (
    Discrepancy,
    DiscrepancyKind,
    KnownCustomer,
    KnownReseller,
    KnownSubscription,
    Lookups,
    Reconciler,
    RunKind,
    RunStatus,
    UnitPrices,
    add_months,
    shown_line,
)
from shared.domain.catalog import make_catalog_item_id
from shared.domain.money import format_decimal
from shared.domain.periods import period_of, period_window
from shared.domain.scope import (
    BillingAudience,
    Principal,
    billing_audience,
    billing_lines_visible_to,
    may_read_billing,
    may_read_discrepancies,
    may_start_billing_run,
    own_totals_scope,
    reads_whole_runs,
)
from shared.messaging import QueueMessage, QueueNames
from shared.services.errors import FieldError, Invalid, NotFound, narrowed, require
from shared.services.notifications import publish_event, run_completed_event
from shared.storage.billing import (
    BillingBlobs,
    BillingRun,
    BillingRunRepository,
    RunChanged,
    TotalRow,
    discrepancy_record,
    new_run_id,
)

log = logging.getLogger(__name__)

BILLING_RUN = "billing.run"
KINDS = tuple(RunKind)
ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
MAX_STORED_DISCREPANCIES = 10_000  # in the table (paged by the API); the blob always holds every one
LEASE_RENEW_SECONDS = 30.0


class LeaseLost(Exception):
    """Another attempt took the run over (this one's lease expired): stop without writing anything."""


def failure_reason_of(error: BaseException) -> str:
    """What a failed run tells its readers: the error's own words, never empty."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _reason_for(run: BillingRun, audience: Audience) -> str | None:
    """Provider staff read Microsoft's exact answer; resellers and customers only that the run failed."""
    if run.status != RunStatus.FAILED:
        return None
    if reads_whole_runs(audience):
        return run.failure_reason or "the run failed without a recorded reason"
    return "the billing run failed; the provider has been told why and can run it again"


def period_bounds(period: str) -> tuple[datetime, datetime]:
    try:
        return period_window(period)
    except ValueError:
        raise Invalid(
            "a period is a month such as 2026-10", [FieldError("period", "must be a month from 2000-01 to 2999-12")]
        ) from None


class Audience(BillingAudience):
    """Who reads a run (`billing_audience` in shared/domain/scope.py); 403 for whoever reads none."""

    @classmethod
    def of(cls, principal: Principal) -> Audience:
        require(may_read_billing(principal))
        audience = billing_audience(principal)
        assert audience is not None
        return cls(audience.provider_id, audience.tier, audience.reseller_id, audience.customer_id)


@dataclass(frozen=True)
class RunView:
    """What one reader may read of a run: its failure as told to that reader, whether it is current (provider staff
    only, else None), and the totals rows of the reader's scope (every row for provider staff)."""

    run: BillingRun
    audience: Audience
    failure_reason: str | None
    current: bool | None
    rows: list[TotalRow]
    with_totals: bool

    @property
    def own_lines(self) -> int:
        """The lines a reseller or customer may read: its own rows' counts."""
        own = own_totals_scope(self.audience)
        return sum(row.lines for row in self.rows if row.scope == own)


class BillingService:
    def __init__(
        self,
        *,
        runs: BillingRunRepository,
        blobs: BillingBlobs,
        providers: Any,
        resellers: Any,
        customers: Any,
        subscriptions: Any,
        catalog: Any,
        pricing: Any,
        publisher: Any,
        client_for: Callable[[Any], Any],
        clock: Callable[[], datetime] | None = None,
        lease: timedelta = timedelta(minutes=10),
        max_stored_discrepancies: int = MAX_STORED_DISCREPANCIES,
        method: str = "v2",
    ) -> None:
        self._runs = runs
        self._blobs = blobs
        self._providers = providers
        self._resellers = resellers
        self._customers = customers
        self._subscriptions = subscriptions
        self._catalog = catalog
        self._pricing = pricing
        self._publisher = publisher
        self._client_for = client_for
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lease = lease
        self._max_stored = max_stored_discrepancies
        self._method = method

    # -- requesting runs -------------------------------------------------------------------------------------------

    def request_run(self, principal: Principal, period: str, kind: str) -> BillingRun:
        """Provider admins start a run for a period; one already queued or running for it is answered instead."""
        audience = Audience.of(principal)
        require(may_start_billing_run(principal))
        return self.request(audience.provider_id, period, kind, requested_by=principal.user_id)

    def request(self, provider_id: str, period: str, kind: str, *, requested_by: str) -> BillingRun:
        if kind not in KINDS:
            raise Invalid("kind is billed or unbilled", [FieldError("kind", "must be billed or unbilled")])
        period_bounds(period)
        for existing in self._runs.iter_runs(provider_id, statuses=ACTIVE_STATUSES):
            if existing.period == period and existing.kind == kind:
                return existing
        now = self._clock()
        run = self._runs.add(BillingRun(
            id=new_run_id(), provider_id=provider_id, period=period, kind=RunKind(kind), status=RunStatus.QUEUED,
            attempt=0, requested_by=requested_by, created_at=now, updated_at=now,
        ))  # fmt: skip
        self._send(run)
        return run

    def _send(self, run: BillingRun) -> None:
        message = QueueMessage(type=BILLING_RUN, entity_id=run.id, attempt=run.attempt + 1,
                               payload={"providerId": run.provider_id})  # fmt: skip
        self._publisher.send(QueueNames.BILLING_RUNS, message)

    def resend_stalled(self, *, queued_for: timedelta = timedelta(minutes=5)) -> int:
        """Runs whose message was lost (queued too long) or whose worker died (lease expired) are sent again."""
        now = self._clock()
        sent = 0
        for run in self._runs.iter_runs(statuses=ACTIVE_STATUSES):
            stalled = (run.status == RunStatus.QUEUED and run.updated_at < now - queued_for) or (
                run.status == RunStatus.RUNNING and (run.lease_until is None or run.lease_until < now)
            )
            if stalled:
                self._send(run)
                sent += 1
        return sent

    def schedule_unbilled(self) -> int:
        """The timer's daily unbilled run of the current period, for every enrolled provider."""
        count = 0
        for provider in self._enrolled():
            self.request(provider.id, period_of(self._clock()), "unbilled", requested_by="timer")
            count += 1
        return count

    def schedule_billed(self) -> int:
        """Once last month's invoice is out, its billed run (once: a current billed run is not redone)."""
        count = 0
        period = period_of(self._clock(), 1)
        for provider in self._enrolled():
            if self._runs.current_run_id(provider.id, period, "billed"):
                continue
            try:
                invoices = self._find_invoices(self._client_for(provider), period)
            except Exception:  # noqa: BLE001 - one provider failing must not stop the others
                log.exception("listing invoices of provider %s failed", provider.id)
                continue
            if invoices:
                self.request(provider.id, period, "billed", requested_by="timer")
                count += 1
        return count

    def _enrolled(self) -> Iterator[Any]:
        from shared.domain.relationships import ProviderStatus

        return (p for p in self._providers.all() if p.status is ProviderStatus.ENROLLED)

    # -- running ---------------------------------------------------------------------------------------------------

    def execute(self, provider_id: str, run_id: str, attempt: int = 1) -> BillingRun | None:
        """Handles a `billing.run` message: idempotent (a finished run is left alone), restartable (an attempt whose
        lease expired is taken over from scratch, writing to fresh blob and row names)."""
        now = self._clock()

        def claim(run: BillingRun) -> BillingRun | None:
            if run.status not in ACTIVE_STATUSES:
                return None
            if run.status == RunStatus.RUNNING and run.lease_until is not None and run.lease_until > now:
                return None
            lines_blob, discrepancies_blob = run.blob_names(run.attempt + 1)
            return replace(run, status=RunStatus.RUNNING, attempt=run.attempt + 1, started_at=now, updated_at=now,
                           lease_until=now + self._lease, lines_blob=lines_blob,
                           discrepancies_blob=discrepancies_blob, failure_reason=None)  # fmt: skip

        claimed = self._runs.change(provider_id, run_id, claim)
        if claimed is None or claimed.status != RunStatus.RUNNING or claimed.started_at != now:
            return claimed
        try:
            completed = self._compute(claimed)
            if completed.id == run_id and completed.status == RunStatus.COMPLETED:
                publish_event(self._publisher, run_completed_event(completed))
            return completed
        except LeaseLost:
            log.warning("billing run %s attempt %d was taken over", run_id, claimed.attempt)
            self._discard_attempt(claimed)
            return self._runs.get(provider_id, run_id)
        except Exception as exc:  # noqa: BLE001 - the run records why it failed
            log.exception("billing run %s failed", run_id)
            reason = failure_reason_of(exc)

            def fail(run: BillingRun) -> BillingRun | None:
                if run.attempt != claimed.attempt or run.status != RunStatus.RUNNING:
                    return None
                return replace(run, status=RunStatus.FAILED, failure_reason=reason, updated_at=self._clock(),
                               completed_at=self._clock(), lease_until=None)  # fmt: skip

            # The reason is recorded first: a cleanup that fails too must not leave a failed run without it.
            failed = self._runs.change(provider_id, run_id, fail)
            try:
                self._discard_attempt(claimed)
            except Exception:  # noqa: BLE001 - leftovers of a failed attempt are never read (fresh names per attempt)
                log.exception("cleaning up failed billing run %s attempt %d", run_id, claimed.attempt)
            return failed

    def _discard_attempt(self, run: BillingRun) -> None:
        self._blobs.delete(run.lines_blob)
        self._blobs.delete(run.discrepancies_blob)
        self._runs.delete_run_data(data_key(run))

    def _renew(self, run: BillingRun) -> BillingRun:
        now = self._clock()

        def extend(current: BillingRun) -> BillingRun | None:
            if current.attempt != run.attempt or current.status != RunStatus.RUNNING:
                raise LeaseLost(run.id)
            return replace(current, lease_until=now + self._lease, updated_at=now)

        renewed = self._runs.change(run.provider_id, run.id, extend)
        if renewed is None:
            raise LeaseLost(run.id)
        return renewed

    def _compute(self, run: BillingRun) -> BillingRun:
        provider = self._providers.get(run.provider_id)
        if provider is None:
            raise RuntimeError(f"provider {run.provider_id} is gone")
        client = self._client_for(provider)
        start, end = period_bounds(run.period)
        lookups = self.lookups(run.provider_id)
        invoices: dict[str, str] = {}
        currencies_read: list[str] | None
        if run.kind == RunKind.BILLED:
            found_invoices = self._find_invoices(client, run.period)
            if not found_invoices:
                raise RuntimeError(f"Partner Center has no invoice for {run.period} yet")
            # One invoice per currency Microsoft bills the provider in: each is read in full, one after the other.
            invoices = {invoice.id: (invoice.currency or "").upper() for invoice in found_invoices}
            sources = [client.iter_reconciliation_lines(kind="billed", invoice_id=invoice.id, method=self._method)
                       for invoice in found_invoices]  # fmt: skip
            currencies_read = None if not all(invoices.values()) else sorted(set(invoices.values()))
            expected_before = end
        else:
            now = self._clock()
            if run.period == period_of(now):
                which = "current"
            elif run.period == period_of(now, 1):
                which = "previous"
            else:
                raise RuntimeError("unbilled lines exist only for the current and the previous period")
            currencies_read = sorted(self._currencies(run.provider_id, lookups))
            sources = [client.iter_reconciliation_lines(kind="unbilled", currency=currency, period=which,
                                                        method=self._method)
                       for currency in currencies_read]  # fmt: skip
            expected_before = min(end, now)
        reconciler = Reconciler(lookups, start, expected_before, currencies_read)
        counts_by_kind: dict[str, int] = {}
        stored: list[dict[str, Any]] = []
        lines_out = self._blobs.writer(run.lines_blob or "")
        found_out = self._blobs.writer(run.discrepancies_blob or "")
        dumps = orjson.dumps
        renew_at = time.monotonic() + LEASE_RENEW_SECONDS

        def record(found: list[Discrepancy]) -> None:
            for discrepancy in found:
                item = discrepancy_record(discrepancy)
                counts_by_kind[item["kind"]] = counts_by_kind.get(item["kind"], 0) + 1
                found_out.write(dumps(item) + b"\n")
                if len(stored) < self._max_stored:
                    stored.append(item)

        add = reconciler.add
        for source in sources:
            for line in source:
                priced, found = add(line)
                lines_out.write(dumps(priced.to_record()) + b"\n")
                if found:
                    record(found)
                if lines_out.records & 4095 == 0 and time.monotonic() > renew_at:
                    run = self._renew(run)
                    renew_at = time.monotonic() + LEASE_RENEW_SECONDS
        record(reconciler.finish())
        lines_out.close()
        found_out.close()
        totals = reconciler.totals

        def text(amount: Decimal | None) -> str | None:
            return None if amount is None else format_decimal(amount)

        # A row for every reseller and customer with lines to read (its amount None when none was priced for it).
        rows = [TotalRow("reseller", reseller_id, None, currency, text(totals.resellers.get((reseller_id, currency))),
                         count)
                for (reseller_id, currency), count in sorted(totals.reseller_lines.items())]  # fmt: skip
        rows += [TotalRow("customer", reseller_id, customer_id, currency,
                          text(totals.customers.get((customer_id, reseller_id, currency))), count)
                 for (customer_id, reseller_id, currency), count in sorted(totals.customer_lines.items())]  # fmt: skip
        key = data_key(run)
        self._runs.write_totals(key, rows)
        self._runs.write_discrepancies(key, stored)
        now = self._clock()
        completed = replace(
            run, status=RunStatus.COMPLETED, completed_at=now, updated_at=now, lease_until=None,
            invoice_id=next(iter(invoices), None), invoices=invoices,
            counts={"lines": totals.lines, "billableLines": totals.billable_lines,
                    "unpricedLines": totals.unpriced_lines, "discrepancies": sum(counts_by_kind.values()),
                    "discrepanciesByKind": counts_by_kind, "storedDiscrepancies": len(stored)},
            costs={currency: format_decimal(amount) for currency, amount in sorted(totals.costs.items())},
        )  # fmt: skip
        return self._make_current(run, completed)

    def _make_current(self, run: BillingRun, completed: BillingRun) -> BillingRun:
        """Flips the (provider, period, kind) pointer to this run with its completion, then drops the run it
        replaced; a newer run already current wins, and this one is discarded."""
        for _ in range(10):
            current = self._runs.get(run.provider_id, run.id)
            if current is None or current.attempt != run.attempt or current.status != RunStatus.RUNNING:
                raise LeaseLost(run.id)
            pointed = self._runs.current_run_id(run.provider_id, run.period, run.kind)
            if pointed and pointed != run.id:
                other = self._runs.get(run.provider_id, pointed)
                if other is not None and other.created_at > run.created_at:
                    self._discard_attempt(current)
                    self._runs.delete_run(run.provider_id, run.id)
                    return other
            try:
                previous = self._runs.complete(current, replace(completed, etag=None))
            except RunChanged:
                continue
            if previous and previous != run.id:
                self.drop(run.provider_id, previous)
            for earlier in range(1, run.attempt):  # what interrupted attempts of this run left behind
                for name in run.blob_names(earlier):
                    self._blobs.delete(name)
                self._runs.delete_run_data(f"{run.id}.{earlier}")
            return self._runs.get(run.provider_id, run.id) or completed
        raise RunChanged(run.id)

    def drop(self, provider_id: str, run_id: str) -> None:
        """A replaced run: its blobs, totals, discrepancies and row."""
        old = self._runs.get(provider_id, run_id)
        if old is None:
            return
        for attempt in range(1, old.attempt + 1):
            for name in old.blob_names(attempt):
                self._blobs.delete(name)
            self._runs.delete_run_data(f"{old.id}.{attempt}")
        self._runs.delete_run(provider_id, run_id)

    def lookups(self, provider_id: str) -> Lookups:
        """Subscriptions, customers, resellers and every subscription's unit prices at each tier, read once."""
        resellers = [KnownReseller(r.id, str(r.partner_id)) for r in self._resellers.iter(provider_id)]
        customers = [KnownCustomer(c.id, c.reseller_id, c.tenant_id, str(c.status.value), c.ended_at, c.currency)
                     for c in self._customers.iter(provider_id)]  # fmt: skip
        subscriptions: list[KnownSubscription] = []
        prices: dict[str, dict[str, UnitPrices]] = {}
        schedules: dict[str, dict[str, tuple[tuple[datetime | None, UnitPrices], ...]]] = {}
        items: dict[str, list[Any]] = {}
        tiers: dict[tuple[str, str, str], tuple[tuple[datetime | None, UnitPrices], ...]] = {}
        history = self._pricing.history(provider_id)
        costs = self._catalog.cost_history(provider_id)
        from shared.services.pricing import CatalogViewer

        for sub in self._subscriptions.for_provider(provider_id):
            subscriptions.append(KnownSubscription(
                sub.id, sub.customer_id, sub.reseller_id, sub.catalog_item_id, int(sub.quantity),
                (sub.status or "").lower(), sub.term_duration, sub.billing_cycle, sub.term_start_date))  # fmt: skip
            item_id = sub.catalog_item_id
            if not item_id and sub.offer_id.count(":") == 2:
                product, sku, availability = sub.offer_id.split(":")
                item_id = make_catalog_item_id(product, sku, availability, sub.term_duration, sub.billing_cycle)
            if not item_id:
                continue
            if item_id not in items:
                items[item_id] = self._catalog.find_everywhere(provider_id, item_id)
            per_currency: dict[str, UnitPrices] = {}
            scheduled: dict[str, tuple[tuple[datetime | None, UnitPrices], ...]] = {}
            for item in items[item_id]:
                if item.currency in per_currency:
                    continue
                key = (sub.customer_id, item.catalog_item_id, item.country)
                if key not in tiers:
                    viewer = CatalogViewer(provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id)
                    # The pricing rules as they stood over time: a charge is priced with those of its date.
                    tiers[key] = tuple(
                        (moment, UnitPrices(item.catalog_item_id, item.currency, tier.cost.amount,
                                            tier.reseller.amount, tier.customer.amount))
                        for moment, tier in self._pricing.tier_price_schedule(
                            viewer, item, history=history, costs=costs.get((item.catalog_item_id, item.country)))
                    )  # fmt: skip
                per_currency[item.currency] = tiers[key][-1][1]
                scheduled[item.currency] = tiers[key]
            prices[sub.id] = per_currency
            schedules[sub.id] = scheduled
        # Lines Microsoft priced under a promotion are matched at the promotion's prices (docs/business.md#promotions)
        promotions = {p.id: p.discount_percent for p in self._catalog.all_promotions(provider_id)}
        share = self._catalog.get_settings(provider_id).promotion_pass_through
        return Lookups.build(subscriptions, customers, resellers, prices, schedules, promotions, share)

    def _currencies(self, provider_id: str, lookups: Lookups) -> set[str]:
        """The currencies to read unbilled lines in: those our customers' markets bill in and those we price in."""
        found = {currency for per in lookups.prices.values() for currency in per}
        found |= {c.currency for c in lookups.customers.values() if c.currency}
        if not found:
            found = {c for currencies in self._catalog.currencies_by_item(provider_id).values() for c in currencies}
        return found

    @staticmethod
    def _find_invoices(client: Any, period: str) -> list[Any]:
        """The invoices of a billing period (one per currency the provider is billed in), by billing period start."""
        start, end = period_bounds(period)
        invoices = client.list_invoices()
        found = [invoice for invoice in invoices
                 if str((invoice.raw or {}).get("billingPeriodStartDate")
                        or (invoice.raw or {}).get("BillingPeriodStartDate") or "")[:7] == period]  # fmt: skip
        if not found:
            # (unconfirmed) invoices without their billing period: Microsoft issues them early in the next month
            found = [invoice for invoice in invoices
                     if not (invoice.raw or {}).get("billingPeriodStartDate") and invoice.invoice_date is not None
                     and end <= invoice.invoice_date < add_months(end, 1)]  # fmt: skip
        return sorted(found, key=lambda invoice: ((invoice.currency or ""), invoice.id))

    # -- reading ---------------------------------------------------------------------------------------------------

    def _visible_run(self, principal: Principal, run_id: str) -> tuple[Audience, BillingRun]:
        audience = Audience.of(principal)
        run = self._runs.get(audience.provider_id, run_id)
        if run is None:
            raise NotFound(f"no billing run {run_id}")
        if run.status == RunStatus.COMPLETED and not self._runs.is_current(run):
            # Replaced by a newer run, its deletion under way: readers see the new run only, never both.
            raise NotFound(f"billing run {run_id} was replaced by a newer run of {run.period}")
        return audience, run

    def get_run(self, principal: Principal, run_id: str) -> RunView:
        audience, run = self._visible_run(principal, run_id)
        return self.view(run, audience)

    def list_runs(
        self, principal: Principal, *, period: str | None, limit: int, position: dict[str, str] | None
    ) -> tuple[list[RunView], dict[str, str] | None]:
        audience = Audience.of(principal)
        if period:
            period_bounds(period)
        runs, following = self._runs.page(audience.provider_id, period=period, limit=limit, position=position)
        current: dict[tuple[str, str], str | None] = {}
        for run in runs:
            if run.status == RunStatus.COMPLETED and (run.period, run.kind) not in current:
                current[(run.period, run.kind)] = self._runs.current_run_id(run.provider_id, run.period, run.kind)
        shown = [run for run in runs if run.status != RunStatus.COMPLETED or current[(run.period, run.kind)] == run.id]
        return [self.view(run, audience, with_totals=False) for run in shown], following

    def view(self, run: BillingRun, audience: Audience, *, with_totals: bool = True) -> RunView:
        """A run as its reader may see it (docs/api-guide.md#billing): provider staff alone read whether it is
        current and its counts; the others read the totals rows of their own reseller or customer. Lists leave the
        totals out (`with_totals=False`), but a reseller's or customer's list still counts its own lines."""
        provider = reads_whole_runs(audience)
        completed = run.status == RunStatus.COMPLETED
        rows: list[TotalRow] = []
        if completed and (with_totals or not provider):
            rows = self._runs.totals(data_key(run), reseller_id=audience.reseller_id, customer_id=audience.customer_id)
        return RunView(
            run=run,
            audience=audience,
            failure_reason=_reason_for(run, audience),
            current=(completed and self._runs.is_current(run)) if provider else None,
            rows=rows,
            with_totals=with_totals,
        )

    def _line_reader(
        self, principal: Principal, run_id: str, reseller_id: str | None, customer_id: str | None
    ) -> tuple[BillingRun, tuple[str, ...], Callable[[bytes], dict[str, Any] | None]]:
        """The run, the line fields the caller's tier may read, and what turns a stored line into the caller's
        answer (None for a line the caller may not read); scope is checked here, before anything is streamed."""
        audience, run = self._visible_run(principal, run_id)
        visible = narrowed(billing_lines_visible_to(audience, reseller_id, customer_id))
        seen = visible.narrowing
        reseller_id, customer_id = seen.reseller_id, seen.customer_id
        if seen.named_customer:
            customer = self._customers.get(audience.provider_id, customer_id)
            if customer is None or (reseller_id and customer.reseller_id != reseller_id):
                raise NotFound(f"no customer {customer_id}")
        if seen.named_reseller and self._resellers.get(audience.provider_id, reseller_id) is None:
            raise NotFound(f"no reseller {reseller_id}")
        if run.status != RunStatus.COMPLETED or not run.lines_blob:
            from shared.services.errors import Conflict

            raise Conflict(f"billing run {run_id} is {run.status}: its lines exist once it is completed")
        fields = visible.fields
        restricted = visible.billable_only
        reseller_key = reseller_id.encode() if reseller_id else None
        customer_key = customer_id.encode() if customer_id else None

        def shown(raw: bytes) -> dict[str, Any] | None:
            # a cheap byte test first: most lines of a large run belong to someone else
            if reseller_key is not None and reseller_key not in raw:
                return None
            if customer_key is not None and customer_key not in raw:
                return None
            record = orjson.loads(raw)
            if reseller_id and record.get("resellerId") != reseller_id:
                return None
            if customer_id and record.get("customerId") != customer_id:
                return None
            if restricted and not record.get("billable"):
                return None
            return shown_line(record, fields)

        return run, fields, shown

    def lines(
        self, principal: Principal, run_id: str, *, reseller_id: str | None = None, customer_id: str | None = None
    ) -> tuple[tuple[str, ...], Iterator[dict[str, Any]]]:
        """Every priced line of the run the caller may see, streamed from the blob, with the fields its tier may read
        (the CSV export and the storefront's charges)."""
        run, fields, shown = self._line_reader(principal, run_id, reseller_id, customer_id)
        blob = run.lines_blob or ""

        def rows() -> Iterator[dict[str, Any]]:
            for raw in self._blobs.iter_lines(blob):
                line = shown(raw)
                if line is not None:
                    yield line

        return fields, rows()

    def lines_page(
        self,
        principal: Principal,
        run_id: str,
        *,
        reseller_id: str | None = None,
        customer_id: str | None = None,
        limit: int,
        position: dict[str, str] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """A page of the lines `lines` streams: at most `limit`, and where the next one starts (the gzip member and
        the line in it), or None when no line the caller may read follows."""
        run, _, shown = self._line_reader(principal, run_id, reseller_id, customer_id)
        try:
            member = int((position or {}).get("member", "0"))
            skip = int((position or {}).get("skip", "0"))
        except ValueError:
            raise Invalid("the continuation token names no position",
                          [FieldError("continuationToken", "is not valid")]) from None  # fmt: skip
        items: list[dict[str, Any]] = []
        for found in self._blobs.read_from(run.lines_blob or "", member, skip):
            line = shown(found.data)
            if line is None:
                continue
            if len(items) == limit:
                return items, {"member": str(found.member), "skip": str(found.index)}
            items.append(line)
        return items, None

    def discrepancies(
        self, principal: Principal, run_id: str, *, kind: str | None, limit: int, position: dict[str, str] | None
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        audience, run = self._visible_run(principal, run_id)
        require(may_read_discrepancies(principal))
        if kind and kind not in {k.value for k in DiscrepancyKind}:
            raise Invalid("unknown discrepancy kind", [FieldError("kind", "one of " + ", ".join(DiscrepancyKind))])
        if run.status != RunStatus.COMPLETED:
            return [], None
        return self._runs.discrepancies(data_key(run), kind=kind, limit=limit, position=position)

    def discrepancy_lines(self, run: BillingRun) -> Iterator[dict[str, Any]]:
        """Every discrepancy of a run, from its blob (the table holds the first MAX_STORED_DISCREPANCIES)."""
        for raw in self._blobs.iter_lines(run.discrepancies_blob or ""):
            yield orjson.loads(raw)


def data_key(run: BillingRun) -> str:
    """Where one attempt of a run keeps its totals and discrepancies (a restart writes under a fresh key)."""
    return f"{run.id}.{run.attempt}"


__all__ = [
    "BILLING_RUN", "Audience", "BillingService", "LeaseLost", "RunView", "data_key", "period_bounds", "period_of",
]  # fmt: skip
