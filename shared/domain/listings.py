"""Lists across customers (docs/architecture.md#lists-across-customers): where an order or a subscription is listed
and how a list is read. Pure.

Table Storage has no secondary index and a query across partitions reads every customer's rows. So each order and
subscription is also written, as a copy, into one list partition per organisation that sees it (its provider, its
reseller, its customer), under row keys that sort the way its lists are read: orders newest first, subscriptions by
the end of their term (the renewal date), soonest first. A list is then a range of row keys in one partition, and a
filter by status or product picks the range written for it instead of filtering a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.domain.scope import OrgType

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WIDTH = 17  # microseconds since 1970 fit in 17 digits until the year 5138
_LATEST = 10**_WIDTH - 1
_NO_DATE = "9" * _WIDTH  # a subscription without a term end sorts after every dated one


def list_partition(org_type: OrgType, org_id: str) -> str:
    """The list partition of one organisation: everything it may see, and nothing else."""
    return f"{org_type.value}|{org_id}"


def list_partitions(provider_id: str, reseller_id: str, customer_id: str) -> tuple[str, str, str]:
    """The organisations that see a customer's order or subscription: the provider, the reseller, the customer."""
    return (
        list_partition(OrgType.PROVIDER, provider_id),
        list_partition(OrgType.RESELLER, reseller_id),
        list_partition(OrgType.CUSTOMER, customer_id),
    )


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def newest_first(moment: datetime) -> str:
    """A fixed-width key that sorts later moments first."""
    return f"{_LATEST - _micros(moment):0{_WIDTH}d}"


def soonest_first(moment: datetime | None) -> str:
    """A fixed-width key that sorts earlier moments first, and no moment last."""
    return _NO_DATE if moment is None else f"{_micros(moment):0{_WIDTH}d}"


def product_of(offer_id: str) -> str:
    """Partner Center's product id: the first part of its catalogItemId (`product:sku:availability`)."""
    return offer_id.split(":", 1)[0]


def order_row_keys(order_id: str, status: str, created_at: datetime) -> tuple[str, ...]:
    """Where one order is listed in each of its organisations' partitions: among all, and among its status."""
    order = f"{newest_first(created_at)}|{order_id}"
    return (f"all|{order}", f"status|{status}|{order}")


def subscription_row_keys(
    subscription_id: str, status: str, offer_id: str, term_end: datetime | None
) -> tuple[str, ...]:
    """Where one subscription is listed: among all, among its status and among its product, by term end."""
    order = f"{soonest_first(term_end)}|{subscription_id}"
    return (f"all|{order}", f"status|{status}|{order}", f"product|{product_of(offer_id)}|{order}")


@dataclass(frozen=True)
class KeyRange:
    """Row keys from `low` (inclusive) to `high` (exclusive); every key in it starts with `prefix`, and what
    follows the prefix is the list's order, so ranges with different prefixes can be merged."""

    prefix: str
    low: str
    high: str


def _range(prefix: str, low_sort: str | None, high_sort: str | None) -> KeyRange:
    return KeyRange(prefix=prefix, low=prefix + (low_sort or ""), high=prefix + (high_sort or "~"))


def order_ranges(
    statuses: tuple[str, ...], *, created_from: datetime | None, created_before: datetime | None
) -> tuple[KeyRange, ...]:
    """The ranges holding a list of orders: one per status asked for (all orders when none), each cut to orders
    created from `created_from` (inclusive) to `created_before` (exclusive). Newest first: the later bound is low."""
    low = None if created_before is None else f"{_LATEST - _micros(created_before) + 1:0{_WIDTH}d}"
    high = None if created_from is None else f"{_LATEST - _micros(created_from) + 1:0{_WIDTH}d}"
    prefixes = [f"status|{status}|" for status in sorted(set(statuses))] or ["all|"]
    return tuple(_range(prefix, low, high) for prefix in prefixes)


def subscription_ranges(
    statuses: tuple[str, ...],
    *,
    product_id: str | None,
    term_ends_from: datetime | None,
    term_ends_before: datetime | None,
) -> tuple[tuple[KeyRange, ...], tuple[str, ...]]:
    """The ranges holding a list of subscriptions, and the statuses still to be filtered in them (when a product is
    asked for too, its range is read and its rows filtered by status). By term end, soonest first; a subscription
    without a term end is only in lists without `term_ends_before`."""
    low = None if term_ends_from is None else soonest_first(term_ends_from)
    high = None if term_ends_before is None else soonest_first(term_ends_before)
    wanted = tuple(sorted(set(statuses)))
    if product_id is not None:
        return (_range(f"product|{product_id}|", low, high),), wanted
    prefixes = [f"status|{status}|" for status in wanted] or ["all|"]
    return tuple(_range(prefix, low, high) for prefix in prefixes), ()


__all__ = [
    "KeyRange",
    "list_partition",
    "list_partitions",
    "newest_first",
    "order_ranges",
    "order_row_keys",
    "product_of",
    "soonest_first",
    "subscription_ranges",
    "subscription_row_keys",
]
