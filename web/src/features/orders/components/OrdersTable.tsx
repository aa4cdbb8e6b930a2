/** A customer's orders, newest first as the API gives them: status, lines, totals per tier the caller sees. */
import { Link } from "react-router";
import type { ReactNode } from "react";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatMoney } from "../../../lib/money";
import { customerOrdersPageQuery, type Order, type OrderStatus } from "../api/orders";
import { TIER_LABELS, type Tier } from "../money";
import { formatMoment } from "../when";

function linesSummary(order: Order): string {
  const [first, ...rest] = order.lines;
  if (!first) return "—";
  return rest.length ? `${first.title} and ${rest.length} more` : first.title;
}

export function OrdersTable({
  customerId,
  status,
  providerStaff,
  filter,
  empty,
}: {
  customerId: string;
  status: OrderStatus | null;
  providerStaff: boolean;
  filter: ReactNode;
  empty: string;
}) {
  // Reseller staff never read the provider's cost: the column exists only for provider staff, and a cell shows a
  // tier only when the API gave it.
  const tiers: Tier[] = providerStaff ? ["providerCost", "resellerPrice", "customerPrice"] : ["resellerPrice", "customerPrice"];
  const columns: Column<Order>[] = [
    {
      key: "order",
      header: "Order",
      cell: (o) => <Link to={`/orders/${encodeURIComponent(o.id)}`}>{`Order of ${formatMoment(o.createdAt)}`}</Link>,
    },
    { key: "status", header: "Status", cell: (o) => <StatusBadge status={o.status} /> },
    { key: "lines", header: "Lines", cell: linesSummary },
    { key: "source", header: "Placed through", cell: (o) => (o.source === "storefront" ? "storefront" : "staff") },
    ...tiers.map((tier) => ({
      key: tier,
      header: `${TIER_LABELS[tier]} total`,
      cell: (o: Order) => (tier in o.totals ? formatMoney(o.totals[tier], o.totals.currency) : "—"),
    })),
  ];
  return (
    <PagedTable
      label="Orders"
      columns={columns}
      rowKey={(o) => o.id}
      page={customerOrdersPageQuery(customerId, status)}
      resetKey={status ?? ""}
      toolbar={filter}
      empty={empty}
    />
  );
}
