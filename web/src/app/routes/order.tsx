/** /orders/:id: an order line by line while it provisions; approve or reject one waiting for approval. */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page, Section } from "../../components/Page";
import { Loading } from "../../components/States";
import { customerQuery } from "../../features/customers";
import { OrderDecision, OrderDetails, OrderLinesTable, useOrder } from "../../features/orders";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../lib/roles";

export default function OrderRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const order = useOrder(id);
  const customerId = order.data?.customerId ?? "";
  const customer = useQuery({ ...customerQuery(customerId), enabled: customerId !== "" });
  if (order.isError) return <ResourceError title="Order" error={order.error} onRetry={() => void order.refetch()} />;
  if (order.isPending) {
    return (
      <Page title="Order">
        <Loading label="Loading the order…" />
      </Page>
    );
  }
  const customerName = customer.data?.name ?? null;
  const mayDecide = isProviderStaff(me.role) || isResellerStaff(me.role);
  return (
    <Page title={customerName ? `Order for ${customerName}` : "Order"}>
      <Link to={`/customers/${encodeURIComponent(order.data.customerId)}`}>
        Back to {customerName ?? "the customer"}
      </Link>
      {mayDecide ? <OrderDecision order={order.data} /> : null}
      <OrderDetails order={order.data} customerName={customerName} />
      <Section title="Lines">
        <OrderLinesTable lines={order.data.lines} status={order.data.status} />
      </Section>
    </Page>
  );
}
