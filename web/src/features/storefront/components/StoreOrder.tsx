/** One of the customer's orders, followed without a reload while it waits for approval or is provisioned line by
 * line; settled, it shows its outcome (and the reason when it failed or was refused). */
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Link } from "react-router";
import { Details } from "../../../components/Details";
import { Page, Section } from "../../../components/Page";
import { Loading } from "../../../components/States";
import { formatMoment } from "../../../lib/moment";
import { formatMoney } from "../../../lib/money";
import { orderUnsettled, useStoreOrder, type StoreOrder as Order } from "../api/storefront";
import { choiceLabel } from "../products";
import { LINE_STATUS_LABELS, ORDER_STATUS_LABELS } from "../status";
import { StoreError } from "./StoreError";

const useStyles = makeStyles({
  status: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, fontWeight: tokens.fontWeightSemibold },
  scroll: { overflowX: "auto" },
});

function StateBar({ order }: { order: Order }) {
  const provisioned = order.lines.filter((line) => line.status === "provisioned").length;
  switch (order.status) {
    case "pendingApproval":
      return (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Waiting for your reseller's approval</MessageBarTitle>
            Its total is over what your reseller approves before buying. Nothing is bought until it approves; this page
            shows the change as soon as it does.
          </MessageBarBody>
        </MessageBar>
      );
    case "accepted":
    case "provisioning":
      return (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Being provisioned</MessageBarTitle>
            {provisioned} of {order.lines.length} {order.lines.length === 1 ? "line" : "lines"} provisioned so far.
          </MessageBarBody>
        </MessageBar>
      );
    case "completed":
      return (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Completed</MessageBarTitle>
            Every line is provisioned: <Link to="/store/subscriptions">see your subscriptions</Link>.
          </MessageBarBody>
        </MessageBar>
      );
    case "partiallyCompleted":
    case "failed":
      return (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{order.status === "failed" ? "The order failed" : "Some lines failed"}</MessageBarTitle>
            {order.failureReason ?? "The lines below say why."}
          </MessageBarBody>
        </MessageBar>
      );
    case "rejected":
      return (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Your reseller rejected the order</MessageBarTitle>
            {order.rejectionReason ?? "No reason was given."}
          </MessageBarBody>
        </MessageBar>
      );
  }
}

export function StoreOrder({ id }: { id: string }) {
  const styles = useStyles();
  const order = useStoreOrder(id);
  if (order.isError) return <StoreError title="Order" error={order.error} onRetry={() => void order.refetch()} />;
  if (order.isPending) {
    return (
      <Page title="Order">
        <Loading label="Loading the order…" />
      </Page>
    );
  }
  const data = order.data;
  // a spinner while it is provisioned (seconds); waiting for approval may take days, said in words instead
  const provisioning = orderUnsettled(data.status) && data.status !== "pendingApproval";
  return (
    <Page title={`Order of ${formatMoment(data.createdAt)}`} actions={<Link to="/store/orders">All your orders</Link>}>
      <div role="status" aria-label="Order status" className={styles.status}>
        <span>{ORDER_STATUS_LABELS[data.status]}</span>
        {provisioning ? <Spinner size="extra-tiny" aria-label="Following the order" /> : null}
      </div>
      <StateBar order={data} />
      <Details
        label="Order"
        items={[
          { label: "Total", value: formatMoney(data.totals.customerPrice, data.totals.currency) },
          { label: "Placed at", value: formatMoment(data.createdAt) },
          { label: "Last change", value: formatMoment(data.updatedAt) },
          { label: "Order ID", value: data.id },
        ]}
      />
      <Section title="Lines">
        <div className={styles.scroll}>
          <Table aria-label="Order lines">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Product</TableHeaderCell>
                <TableHeaderCell>Term and billing</TableHeaderCell>
                <TableHeaderCell>Quantity</TableHeaderCell>
                <TableHeaderCell>Unit price</TableHeaderCell>
                <TableHeaderCell>Line total</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.lines.map((line) => (
                <TableRow key={line.lineNumber}>
                  <TableCell>{line.title}</TableCell>
                  <TableCell>{choiceLabel(line)}</TableCell>
                  <TableCell>{line.quantity}</TableCell>
                  <TableCell>{formatMoney(line.customerPrice, line.currency)}</TableCell>
                  <TableCell>{formatMoney(line.customerPriceTotal, line.currency)}</TableCell>
                  <TableCell>
                    {LINE_STATUS_LABELS[line.status] ?? line.status}
                    {line.error ? `: ${line.error}` : ""}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </Section>
    </Page>
  );
}
