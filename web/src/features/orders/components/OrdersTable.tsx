/** A customer's orders, newest first as the API gives them: status, lines, totals per tier the caller sees. */
import type { ReactNode } from "react";
import { PagedTable } from "../../../components/PagedTable";
import { customerOrdersPageQuery, type OrderStatus } from "../api/orders";
import { orderColumns } from "./orderColumns";

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
  return (
    <PagedTable
      label="Orders"
      columns={orderColumns(providerStaff)}
      rowKey={(o) => o.id}
      page={customerOrdersPageQuery(customerId, status)}
      resetKey={status ?? ""}
      toolbar={filter}
      empty={empty}
    />
  );
}
