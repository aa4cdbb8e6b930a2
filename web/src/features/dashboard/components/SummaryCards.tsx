import { Card, CardHeader, Text, Title3, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { StatusBadge } from "../../../components/StatusBadge";
import type { ProviderSummary } from "../api/summary";

const useStyles = makeStyles({
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(16rem, 1fr))", gap: tokens.spacingHorizontalL },
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalS },
  counts: { display: "grid", gridTemplateColumns: "1fr auto", rowGap: tokens.spacingVerticalXS, margin: 0 },
  big: { fontSize: tokens.fontSizeHero800, lineHeight: tokens.lineHeightHero800, fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0, textAlign: "right", fontWeight: tokens.fontWeightSemibold },
  term: { margin: 0 },
  title: { margin: 0 },
});

function SummaryCard({ title, children }: { title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <Card className={styles.card}>
      <CardHeader header={<Title3 as="h2" className={styles.title}>{title}</Title3>} />
      {children}
    </Card>
  );
}

function Counts({ label, counts, link }: { label: string; counts: Record<string, number>; link: (status: string) => string }) {
  const styles = useStyles();
  return (
    <dl className={styles.counts} aria-label={label}>
      {Object.entries(counts).map(([status, count]) => (
        <div key={status} style={{ display: "contents" }}>
          <dt className={styles.term}>
            <Link to={link(status)}>{status}</Link>
          </dt>
          <dd className={styles.value}>{count}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SummaryCards({ summary }: { summary: ProviderSummary }) {
  const styles = useStyles();
  const run = summary.lastBillingRun;
  return (
    <div className={styles.grid}>
      <SummaryCard title="Resellers by status">
        <Counts label="Resellers by status" counts={{ ...summary.resellers }} link={(s) => `/resellers?status=${s}`} />
      </SummaryCard>
      <SummaryCard title="Customers by status">
        <Counts label="Customers by status" counts={{ ...summary.customers }} link={(s) => `/customers?status=${s}`} />
      </SummaryCard>
      <SummaryCard title="Orders in flight">
        <Text className={styles.big}>{summary.ordersInFlight}</Text>
        <Text>
          <Link to="/orders?queue=approval">waiting for approval</Link> or{" "}
          <Link to="/orders?queue=inflight">being provisioned</Link>
        </Text>
      </SummaryCard>
      <SummaryCard title="Last billing run">
        {run ? (
          <>
            <Text>
              {run.period} · {run.kind} <StatusBadge status={run.status} />
            </Text>
            <Text className={styles.big}>{run.discrepancies}</Text>
            <Text>{run.discrepancies === 1 ? "discrepancy" : "discrepancies"}</Text>
            {run.completedAt ? <Text size={200}>Completed {run.completedAt}</Text> : null}
          </>
        ) : (
          <Text>No billing run yet.</Text>
        )}
      </SummaryCard>
    </div>
  );
}
