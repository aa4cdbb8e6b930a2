"""A provider's day at a glance (the console's dashboard): relationships by status, orders in flight, the last
billing run. Counts only, no money: totals stay on the billing routes, in their currencies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from shared.domain.billing import RunStatus
from shared.domain.relationships import RelationshipStatus
from shared.domain.scope import Principal, may_read_provider_summary
from shared.services.enrollment import EnrollmentService
from shared.services.errors import require
from shared.storage.billing import BillingRun, BillingRunRepository
from shared.storage.orders import OrderRepository
from shared.storage.relationships import CustomerRepository, ResellerRepository

RESELLER_STATUSES = ("invited", "active", "ended", "expired")
CUSTOMER_STATUSES = ("invited", "creating", "active", "ended", "expired", "failed")


@dataclass(frozen=True)
class Summary:
    """Counts by status (every status named, 0 when none), orders in flight, the last billing run."""

    provider_id: str
    resellers: dict[str, int]
    customers: dict[str, int]
    orders_in_flight: int
    last_billing_run: BillingRun | None


@dataclass(frozen=True)
class ProviderSummary:
    enrollment: EnrollmentService
    resellers: ResellerRepository
    customers: CustomerRepository
    orders: OrderRepository
    billing_runs: BillingRunRepository

    def summary(self, principal: Principal, provider_id: str) -> Summary:
        """The operator and the provider's own staff (anyone else: 404, as if the provider did not exist)."""
        provider = self.enrollment.get(principal, provider_id)
        require(may_read_provider_summary(principal, provider.org), f"provider {provider_id} was not found")
        resellers = Counter(_status(r.status) for r in self.resellers.iter(provider.id))
        customers = Counter(_status(c.status) for c in self.customers.iter(provider.id))
        in_flight = sum(1 for _ in self.orders.in_flight(provider.id))
        return Summary(
            provider_id=provider.id,
            resellers={status: resellers.get(status, 0) for status in RESELLER_STATUSES},
            customers={status: customers.get(status, 0) for status in CUSTOMER_STATUSES},
            orders_in_flight=in_flight,
            last_billing_run=self._last_run(provider.id),
        )

    def _last_run(self, provider_id: str) -> BillingRun | None:
        """The newest run that is current for its period and kind, or still on its way."""
        runs = sorted(self.billing_runs.iter_runs(provider_id), key=lambda run: run.created_at, reverse=True)
        for run in runs:
            if run.status == RunStatus.COMPLETED and not self.billing_runs.is_current(run):
                continue
            return run
        return None


def _status(value: RelationshipStatus | str) -> str:
    return value.value if isinstance(value, RelationshipStatus) else str(value)
