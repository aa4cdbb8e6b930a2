/** The customer's own orders, newest first, each with its state; read again while one is not settled. */
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Page } from "../../../components/Page";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { Loading } from "../../../components/States";
import { formatMoment } from "../../../lib/moment";
import { formatMoney } from "../../../lib/money";
import { storeOrdersPageQuery, type StoreOrder } from "../api/storefront";
import { ORDER_STATUS_LABELS } from "../status";
import { StoreError } from "./StoreError";

const columns: Column<StoreOrder>[] = [
  {
    key: "placed",
    header: "Placed",
    cell: (order) => <Link to={`/store/orders/${encodeURIComponent(order.id)}`}>{formatMoment(order.createdAt)}</Link>,
  },
  { key: "status", header: "Status", cell: (order) => ORDER_STATUS_LABELS[order.status] },
  {
    key: "items",
    header: "Products",
    cell: (order) => order.lines.map((line) => `${line.quantity} × ${line.title}`).join(", "),
  },
  { key: "total", header: "Total", cell: (order) => formatMoney(order.totals.customerPrice, order.totals.currency) },
  {
    key: "reason",
    header: "Reason",
    cell: (order) => order.failureReason ?? order.rejectionReason ?? "—",
  },
];

export function StoreOrders() {
  // the first page read first: a closed storefront is a whole page, not an error inside the table
  const first = useQuery(storeOrdersPageQuery(null));
  if (first.isError) return <StoreError title="Orders" error={first.error} onRetry={() => void first.refetch()} />;
  return (
    <Page title="Orders" actions={<Link to="/store/catalog">Go to the store</Link>}>
      {first.isPending ? (
        <Loading label="Loading your orders…" />
      ) : (
        <PagedTable
          label="Your orders"
          columns={columns}
          rowKey={(order) => order.id}
          page={storeOrdersPageQuery}
          empty={
            <>
              No order yet. <Link to="/store/catalog">Find products in the store</Link>.
            </>
          }
        />
      )}
    </Page>
  );
}
