/** An order's state: status (followed while it provisions), customer, who placed it and when, its totals per tier
 * the caller sees, and why it failed or was rejected. */
import { Card, MessageBar, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { Link } from "react-router";
import { Details, type DetailItem } from "../../../components/Details";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatMoney } from "../../../lib/money";
import { inFlight, type Order } from "../api/orders";
import { TIER_LABELS, tiersOf } from "../money";
import { formatMoment } from "../when";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  status: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalS },
});

export function OrderDetails({ order, customerName }: { order: Order; customerName: string | null }) {
  const styles = useStyles();
  const totals: DetailItem[] = tiersOf(order.totals).map((tier) => ({
    label: `${TIER_LABELS[tier]} total`,
    value: formatMoney(order.totals[tier], order.totals.currency),
  }));
  const provisioned = order.lines.filter((line) => line.status === "provisioned").length;
  return (
    <Card className={styles.card}>
      {order.status === "rejected" && order.rejectionReason ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Rejected</MessageBarTitle>
            {order.rejectionReason}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {order.failureReason ? (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{order.status === "partiallyCompleted" ? "Partly provisioned" : "Provisioning failed"}</MessageBarTitle>
            {order.failureReason}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Details
        label="Order"
        items={[
          {
            label: "Status",
            value: (
              <span className={styles.status} role="status" aria-live="polite">
                <StatusBadge status={order.status} />
                {inFlight(order.status) ? (
                  <Spinner size="extra-tiny" label={`${provisioned} of ${order.lines.length} lines provisioned; following`} />
                ) : null}
              </span>
            ),
          },
          {
            label: "Customer",
            value: <Link to={`/customers/${encodeURIComponent(order.customerId)}`}>{customerName ?? order.customerId}</Link>,
          },
          { label: "Order ID", value: order.id },
          { label: "Placed through", value: order.source === "storefront" ? "the customer's storefront" : "staff" },
          { label: "Created by", value: order.createdBy },
          { label: "Created at", value: formatMoment(order.createdAt) },
          { label: "Last change", value: formatMoment(order.updatedAt) },
          { label: "Currency", value: order.totals.currency },
          ...totals,
        ]}
      />
    </Card>
  );
}
