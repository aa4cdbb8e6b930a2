import { Field, Select, makeStyles } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Section } from "../../../components/Page";
import { PagedTable } from "../../../components/PagedTable";
import { linesPageQuery, type Line, type LineFilters, type Run } from "../api/billing";
import { lineColumns, presentColumns } from "./lineColumns";
import type { Names } from "./names";

const PAGE_SIZES = [10, 50, 200, 500] as const;

// Many columns: each as wide as its content, the table scrolling sideways rather than squeezing them.
const useStyles = makeStyles({
  wide: { "& table": { tableLayout: "auto" }, "& td, & th": { whiteSpace: "nowrap" } },
});

const lineKey = (l: Line) =>
  l.lineItemIds.length ? l.lineItemIds.join(",") : [l.subscriptionId, l.chargeType, l.chargeStartDate, l.chargeEndDate].join("|");

interface Option {
  value: string;
  label: string;
}

/** The run's priced lines as the caller's tier reads them, filtered by reseller and customer, page by page. */
export function LinesSection({ run, names }: { run: Run; names: Names }) {
  const styles = useStyles();
  const [filters, setFilters] = useState<LineFilters>({ resellerId: null, customerId: null });
  const [limit, setLimit] = useState<number>(50);
  const page = linesPageQuery(run.id, filters, limit);
  const first = useQuery(page(null));
  const columns = presentColumns(lineColumns(names), first.data?.items ?? []);

  const resellers: Option[] = [...new Set((run.totals.resellers ?? []).map((t) => t.resellerId))].map((id) => ({
    value: id,
    label: names.reseller(id) ?? id,
  }));
  const customerIds = run.totals.customers
    .filter((t) => !filters.resellerId || t.resellerId === filters.resellerId)
    .map((t) => t.customerId);
  const customers: Option[] = [...new Set(customerIds)].map((id) => ({ value: id, label: names.customer(id) ?? id }));
  const filtered = filters.resellerId !== null || filters.customerId !== null;

  return (
    <Section title="Lines">
      <div className={styles.wide}>
        <PagedTable
          label="Billing lines"
          columns={columns}
          rowKey={lineKey}
          page={page}
          resetKey={`${filters.resellerId ?? ""}|${filters.customerId ?? ""}|${limit}`}
          toolbar={
            <>
              {resellers.length > 1 ? (
                <Field label="Reseller">
                  <Select
                    value={filters.resellerId ?? ""}
                    onChange={(_, data) => setFilters({ resellerId: data.value || null, customerId: null })}
                  >
                    <option value="">Every reseller</option>
                    {resellers.map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.label}
                      </option>
                    ))}
                  </Select>
                </Field>
              ) : null}
              {customers.length > 0 ? (
                <Field label="Customer">
                  <Select
                    value={filters.customerId ?? ""}
                    onChange={(_, data) => setFilters({ ...filters, customerId: data.value || null })}
                  >
                    <option value="">Every customer</option>
                    {customers.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                  </Select>
                </Field>
              ) : null}
              <Field label="Lines per page">
                <Select value={String(limit)} onChange={(_, data) => setLimit(Number.parseInt(data.value, 10))}>
                  {PAGE_SIZES.map((size) => (
                    <option key={size} value={size}>
                      {size}
                    </option>
                  ))}
                </Select>
              </Field>
            </>
          }
          empty={filtered ? "No line matches these filters." : "The run has no line you may read."}
        />
      </div>
    </Section>
  );
}
