import { Card, MessageBar, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { Details, type DetailItem } from "../../../components/Details";
import { StatusBadge } from "../../../components/StatusBadge";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff } from "../../../lib/roles";
import { inFlight, type Run } from "../api/billing";
import { moment } from "../format";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  following: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
});

const count = (value: number | undefined): DetailItem["value"] => (value === undefined ? null : String(value));

/** The run's state and counts; while it computes the page follows it, and a failed run says why. */
export function RunDetails({ run }: { run: Run }) {
  const styles = useStyles();
  const me = useMe();
  const completed = run.status === "completed";
  const items: DetailItem[] = [
    { label: "Status", value: <StatusBadge status={run.status} /> },
    { label: "Period", value: run.period },
    { label: "Kind", value: run.kind },
    ...(run.current !== undefined ? [{ label: "Current run of the period", value: run.current ? "yes" : "no" }] : []),
    { label: "Attempt", value: String(run.attempt) },
    { label: "Created", value: moment(run.createdAt) },
    { label: "Started", value: moment(run.startedAt) },
    { label: run.status === "failed" ? "Failed at" : "Completed", value: moment(run.completedAt) },
    {
      label: "Invoices",
      value: run.invoices.length ? run.invoices.map((i) => `${i.invoiceId} (${i.currency})`).join(", ") : null,
    },
    ...(completed
      ? [
          { label: "Lines", value: String(run.counts.lines) },
          ...(run.counts.billableLines !== undefined ? [{ label: "Billable lines", value: count(run.counts.billableLines) }] : []),
          ...(run.counts.unpricedLines !== undefined ? [{ label: "Unpriced lines", value: count(run.counts.unpricedLines) }] : []),
          ...(run.counts.discrepancies !== undefined ? [{ label: "Discrepancies", value: count(run.counts.discrepancies) }] : []),
        ]
      : []),
  ];
  return (
    <Card className={styles.card}>
      {run.status === "failed" ? (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The run failed</MessageBarTitle>
            {run.failureReason ?? "No reason was given."}
            {isProviderStaff(me.role)
              ? " A failed run is not retried by itself: once the cause is fixed, a provider admin starts a new run " +
                "for the same period and kind; the period's previous completed run stays current meanwhile."
              : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {inFlight(run.status) ? (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <div className={styles.following} role="status">
              <Spinner size="tiny" />
              The run is {run.status}; this page follows it and shows the totals once it has completed.
            </div>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Details label="Billing run" items={items} />
    </Card>
  );
}
