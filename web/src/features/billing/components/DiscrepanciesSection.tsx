import { Field, Select, Text, makeStyles } from "@fluentui/react-components";
import { useState } from "react";
import { Link } from "react-router";
import { Section } from "../../../components/Page";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { formatMoney } from "../../../lib/money";
import {
  DISCREPANCY_KINDS,
  discrepanciesPageQuery,
  kindLabel,
  type Discrepancy,
  type DiscrepancyKind,
  type Run,
} from "../api/billing";
import type { Names } from "./names";
import { PartyLink } from "./PartyLink";

// Columns as wide as their content (ids and amounts on one line), the detail wrapping.
const useStyles = makeStyles({
  table: {
    "& table": { tableLayout: "auto" },
    "& td:not(:nth-child(3))": { whiteSpace: "nowrap" },
    "& td:nth-child(3)": { minWidth: "16rem" },
  },
});

const discrepancyKey = (d: Discrepancy) =>
  [d.kind, d.subscriptionId ?? "", d.customerId ?? "", d.currency, d.amount, d.lineItemIds.join(",")].join("|");

/** Provider staff: what did not reconcile, by kind (with the counts as the filter), each with the money at stake
 * and Microsoft's line ids behind it. */
export function DiscrepanciesSection({ run, names }: { run: Run; names: Names }) {
  const styles = useStyles();
  const [kind, setKind] = useState<DiscrepancyKind | null>(null);
  const byKind = run.counts.discrepanciesByKind ?? {};
  const total = run.counts.discrepancies ?? Object.values(byKind).reduce((sum, n) => sum + n, 0);
  const columns: Column<Discrepancy>[] = [
    { key: "kind", header: "Kind", cell: (d) => kindLabel(d.kind) },
    { key: "amount", header: "Amount at stake", cell: (d) => formatMoney(d.amount, d.currency) },
    { key: "detail", header: "Detail", cell: (d) => d.detail },
    {
      key: "subscription",
      header: "Subscription",
      cell: (d) =>
        !d.subscriptionId ? (
          "—"
        ) : d.kind === "unknownSubscription" ? (
          <Text font="monospace" wrap={false}>{d.subscriptionId}</Text>
        ) : (
          <Link to={`/subscriptions/${encodeURIComponent(d.subscriptionId)}`}>{d.subscriptionId}</Link>
        ),
    },
    { key: "customer", header: "Customer", cell: (d) => <PartyLink party="customer" id={d.customerId} names={names} /> },
    { key: "reseller", header: "Reseller", cell: (d) => <PartyLink party="reseller" id={d.resellerId} names={names} /> },
    {
      key: "lines",
      header: "Microsoft line ids",
      cell: (d) => (d.lineItemIds.length ? <Text font="monospace" wrap={false}>{d.lineItemIds.join(", ")}</Text> : "—"),
    },
  ];
  return (
    <Section title="Discrepancies">
      <Text>
        {total === 0
          ? "Every line reconciled: no discrepancy."
          : `${total} ${total === 1 ? "discrepancy" : "discrepancies"}; amounts are from the provider's side (positive when Microsoft charges more than expected).`}
      </Text>
      {total > 0 ? (
        <div className={styles.table}>
          <PagedTable
            label="Discrepancies"
            columns={columns}
            rowKey={discrepancyKey}
            page={discrepanciesPageQuery(run.id, kind)}
            resetKey={kind ?? ""}
            toolbar={
              <Field label="Kind">
                <Select value={kind ?? ""} onChange={(_, data) => setKind((data.value || null) as DiscrepancyKind | null)}>
                  <option value="">Every kind ({total})</option>
                  {DISCREPANCY_KINDS.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.label} ({byKind[k.value] ?? 0})
                    </option>
                  ))}
                </Select>
              </Field>
            }
            empty={kind ? `No discrepancy of the kind ${kindLabel(kind)}.` : "No discrepancy."}
          />
        </div>
      ) : null}
    </Section>
  );
}
