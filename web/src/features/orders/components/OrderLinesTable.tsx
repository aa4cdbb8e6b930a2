/** An order line by line: item, term, quantity, its status while it provisions, its subscription once there, the
 * error of a failed line, and its prices in the tiers the API gave. */
import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Link } from "react-router";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatMoney } from "../../../lib/money";
import { inFlight, type OrderLine, type OrderStatus } from "../api/orders";
import { cycleLabel, termLabel } from "../draft";
import { TIER_LABELS, lineTiersOf, lineTotalOf, type Tier } from "../money";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  error: { color: tokens.colorPaletteRedForeground1 },
});

const unitOf = (line: OrderLine, tier: Tier) => line[tier];

/** What the subscription cell says before a line has one. */
function noSubscriptionYet(line: OrderLine, status: OrderStatus): string {
  if (line.status !== "pending") return "—";
  if (status === "pendingApproval") return "after approval";
  return inFlight(status) ? "not yet" : "—";
}

export function OrderLinesTable({ lines, status }: { lines: OrderLine[]; status: OrderStatus }) {
  const styles = useStyles();
  const tiers = lineTiersOf(lines);
  return (
    <div className={styles.scroll}>
      <Table aria-label="Order lines" size="medium">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Line</TableHeaderCell>
            <TableHeaderCell>Item</TableHeaderCell>
            <TableHeaderCell>Term and billing</TableHeaderCell>
            <TableHeaderCell>Quantity</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>Subscription</TableHeaderCell>
            {tiers.map((tier) => (
              <TableHeaderCell key={tier}>
                {TIER_LABELS[tier]} (unit / line)
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {lines.map((line, index) => (
            <TableRow key={line.lineNumber}>
              <TableCell>{index + 1}</TableCell>
              <TableCell>
                {line.title}
                {line.promotionId ? (
                  <Text block size={200}>
                    Under promotion {line.promotionId}
                  </Text>
                ) : null}
                {line.error ? (
                  <Text block size={200} className={styles.error}>
                    Failed: {line.error}
                  </Text>
                ) : null}
              </TableCell>
              <TableCell>
                {termLabel(line.termDuration)}, {cycleLabel(line.billingCycle)}
                {line.customTermEndDate ? (
                  <Text block size={200}>
                    Ends {line.customTermEndDate} with {line.coterminateWith}; first cycle prorated
                  </Text>
                ) : null}
              </TableCell>
              <TableCell>{line.quantity}</TableCell>
              <TableCell>
                <StatusBadge status={line.status} />
              </TableCell>
              <TableCell>
                {line.subscriptionId && line.status === "provisioned" ? (
                  <Link to={`/subscriptions/${encodeURIComponent(line.subscriptionId)}`}>{line.subscriptionId}</Link>
                ) : (
                  noSubscriptionYet(line, status)
                )}
              </TableCell>
              {tiers.map((tier) => (
                <TableCell key={tier}>
                  {formatMoney(unitOf(line, tier), line.currency)}
                  {" / "}
                  {formatMoney(lineTotalOf(line, tier), line.currency)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
