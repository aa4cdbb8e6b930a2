import { Button, Field, Input } from "@fluentui/react-components";
import { Link } from "react-router";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { runsPageQuery, type RunSummary } from "../api/billing";
import { moment } from "../format";

/** The runs of every period, or of one (a month input: "" is every period). */
export function RunsTable({
  period,
  onPeriod,
  providerStaff,
}: {
  period: string | null;
  onPeriod: (period: string | null) => void;
  /** Provider staff also see which run is current and how many discrepancies it found. */
  providerStaff: boolean;
}) {
  const columns: Column<RunSummary>[] = [
    {
      key: "period",
      header: "Period",
      cell: (r) => <Link to={`/billing/${encodeURIComponent(r.id)}`}>{r.period}</Link>,
    },
    { key: "kind", header: "Kind", cell: (r) => r.kind },
    { key: "status", header: "Status", cell: (r) => <StatusBadge status={r.status} /> },
    { key: "created", header: "Created", cell: (r) => moment(r.createdAt) },
    { key: "completed", header: "Completed", cell: (r) => moment(r.completedAt) },
    { key: "lines", header: "Lines", cell: (r) => (r.status === "completed" ? r.counts.lines : "—") },
    ...(providerStaff
      ? [
          {
            key: "current",
            header: "Current",
            cell: (r: RunSummary) => (r.current === undefined ? "—" : r.current ? "yes" : "no"),
          },
          {
            key: "discrepancies",
            header: "Discrepancies",
            cell: (r: RunSummary) => (r.status === "completed" ? (r.counts.discrepancies ?? "—") : "—"),
          },
        ]
      : []),
  ];
  return (
    <PagedTable
      label="Billing runs"
      columns={columns}
      rowKey={(r) => r.id}
      page={runsPageQuery(period)}
      resetKey={period ?? ""}
      toolbar={
        <>
          <Field label="Period" hint="A month; empty for every period.">
            <Input type="month" value={period ?? ""} onChange={(_, data) => onPeriod(data.value || null)} />
          </Field>
          {period ? <Button onClick={() => onPeriod(null)}>Every period</Button> : null}
        </>
      }
      empty={period ? `No billing run for ${period}.` : "No billing run yet."}
    />
  );
}
