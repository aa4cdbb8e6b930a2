/** The work lists' columns: each row's own, with its customer and (for provider staff) its reseller. */
import { Caption1 } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { orderColumns, type Order } from "../../orders";
import { dayOf, termAndCycle } from "../../subscriptions/format";
import type { WorkSubscription } from "../api/worklists";
import { productIdOf } from "../filters";
import { CustomerLink, ResellerLink } from "./PartyLinks";

/** The columns: the order's own, with its customer (and, for provider staff, its reseller) after the first, and
 * the decision when the queue is the approval queue. */
export function workOrderColumns({
  providerStaff,
  resellerNames,
  decide,
}: {
  providerStaff: boolean;
  resellerNames: ReadonlyMap<string, string>;
  decide: ((order: Order) => ReactNode) | null;
}): Column<Order>[] {
  const [first, ...rest] = orderColumns(providerStaff);
  const parties: Column<Order>[] = [
    { key: "customer", header: "Customer", cell: (o) => <CustomerLink id={o.customerId} /> },
    ...(providerStaff
      ? [{ key: "reseller", header: "Reseller", cell: (o: Order) => <ResellerLink id={o.resellerId} names={resellerNames} /> }]
      : []),
  ];
  const decision: Column<Order>[] = decide ? [{ key: "decision", header: "Decision", cell: decide }] : [];
  return [...(first ? [first] : []), ...parties, ...rest, ...decision];
}

export function workSubscriptionColumns(
  providerStaff: boolean,
  resellerNames: ReadonlyMap<string, string>,
): Column<WorkSubscription>[] {
  return [
    {
      key: "name",
      header: "Subscription (product id)",
      cell: (s) => (
        <>
          <Link to={`/subscriptions/${encodeURIComponent(s.id)}`}>{s.name}</Link>
          <br />
          <Caption1>{productIdOf(s.offerId)}</Caption1>
        </>
      ),
    },
    { key: "customer", header: "Customer", cell: (s) => <CustomerLink id={s.customerId} /> },
    ...(providerStaff
      ? [{ key: "reseller", header: "Reseller", cell: (s: WorkSubscription) => <ResellerLink id={s.resellerId} names={resellerNames} /> }]
      : []),
    { key: "seats", header: "Seats", cell: (s) => s.quantity },
    { key: "status", header: "Status", cell: (s) => <StatusBadge status={s.status} /> },
    { key: "termEnd", header: "Term ends", cell: (s) => dayOf(s.termEndDate) ?? "—" },
    { key: "autoRenew", header: "Auto-renew", cell: (s) => (s.autoRenew ? "on" : "off") },
    { key: "term", header: "Term and billing", cell: (s) => termAndCycle(s) },
  ];
}
