"""A provider's day at a glance (the console's dashboard): relationships by status, orders in flight, the last
billing run. Counts only, no money: totals stay on the billing routes, in their currencies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from shared.domain.onboarding import RelationshipStatus
from shared.domain.scope import OrgType, Principal
from shared.services.enrollment import EnrollmentService
from shared.services.errors import NotFound
from shared.storage.billing import BillingRunRepository
from shared.storage.onboarding import CustomerRepository, ResellerRepository
from shared.storage.orders import OrderRepository

RESELLER_STATUSES = ("invited", "active", "ended", "expired")
CUSTOMER_STATUSES = ("invited", "creating", "active", "ended", "expired", "failed")


@dataclass(frozen=True)
class ProviderSummary:
    enrollment: EnrollmentService
    resellers: ResellerRepository
    customers: CustomerRepository
    orders: OrderRepository
    billing_runs: BillingRunRepository

    def summary(self, principal: Principal, provider_id: str) -> dict[str, Any]:
        """The operator and the provider's own staff (anyone else: 404, as if the provider did not exist)."""
        provider = self.enrollment.get(principal, provider_id)
        if principal.org.org_type not in (OrgType.OPERATOR, OrgType.PROVIDER):
            raise NotFound(f"provider {provider_id} was not found")
        resellers = Counter(_status(r.status) for r in self.resellers.iter(provider.id))
        customers = Counter(_status(c.status) for c in self.customers.iter(provider.id))
        in_flight = sum(1 for _ in self.orders.in_flight(provider.id))
        return {
            "providerId": provider.id,
            "resellers": {status: resellers.get(status, 0) for status in RESELLER_STATUSES},
            "customers": {status: customers.get(status, 0) for status in CUSTOMER_STATUSES},
            "ordersInFlight": in_flight,
            "lastBillingRun": self._last_run(provider.id),
        }

    def _last_run(self, provider_id: str) -> dict[str, Any] | None:
        """The newest run that is current for its period and kind, or still on its way."""
        runs = sorted(self.billing_runs.iter_runs(provider_id), key=lambda run: run.created_at, reverse=True)
        for run in runs:
            if run.status == "completed" and not self.billing_runs.is_current(run):
                continue
            return {
                "id": run.id,
                "period": run.period,
                "kind": run.kind,
                "status": run.status,
                "discrepancies": int(run.counts.get("discrepancies", 0)) if run.status == "completed" else 0,
                "completedAt": run.completed_at.isoformat() if run.completed_at else None,
            }
        return None


def _status(value: RelationshipStatus | str) -> str:
    return value.value if isinstance(value, RelationshipStatus) else str(value)
