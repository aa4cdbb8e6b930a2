/** An order's columns in a list: the order (its page), status, lines, where it was placed, a total per tier. */
import { Link } from "react-router";
import type { Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatMoney } from "../../../lib/money";
import type { Order } from "../api/orders";
import { TIER_LABELS, type Tier } from "../money";
import { formatMoment } from "../when";

function linesSummary(order: Order): string {
  const [first, ...rest] = order.lines;
  if (!first) return "—";
  return rest.length ? `${first.title} and ${rest.length} more` : first.title;
}

/** An order's columns: the order (its page), status, lines, where it was placed, and a total per tier the caller
 * may read. Reseller staff never read the provider's cost: its column exists only for provider staff, and a cell
 * shows a tier only when the API gave it. */
export function orderColumns(providerStaff: boolean): Column<Order>[] {
  const tiers: Tier[] = providerStaff ? ["providerCost", "resellerPrice", "customerPrice"] : ["resellerPrice", "customerPrice"];
  return [
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
}
