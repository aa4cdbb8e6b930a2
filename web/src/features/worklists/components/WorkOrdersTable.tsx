/** Orders across the caller's customers, newest first, narrowed by reseller and by the days they were placed;
 * followed while one of them is being provisioned. */
import { Field, Input } from "@fluentui/react-components";
import { SelectField } from "../../../components/form";
import { PagedTable } from "../../../components/PagedTable";
import type { Option } from "../../../components/form";
import { workOrdersPageQuery } from "../api/worklists";
import { daysInverted, validDay, type OrderFilters } from "../filters";
import { RowDecision, type Decision } from "./RowDecision";
import { workOrderColumns } from "./columns";

const EMPTY: Record<OrderFilters["queue"], [string, string]> = {
  all: ["No order yet.", "No order matches these filters."],
  approval: ["No order is waiting for approval.", "No order waiting for approval matches these filters."],
  inflight: ["No order is being provisioned.", "No order being provisioned matches these filters."],
  failed: ["No order has failed.", "No failed order matches these filters."],
};

function DayField({
  label,
  value,
  onDay,
  error,
}: {
  label: string;
  value: string | null;
  onDay: (day: string | null) => void;
  error?: string;
}) {
  return (
    <Field label={label} validationState={error ? "error" : "none"} validationMessage={error}>
      <Input type="date" value={value ?? ""} onChange={(_, data) => onDay(data.value === "" ? null : validDay(data.value))} />
    </Field>
  );
}

export function WorkOrdersTable({
  filters,
  onFilters,
  providerStaff,
  resellers,
  onDecision,
}: {
  filters: OrderFilters;
  /** `typing`: a change made while typing a date (replaces the address rather than adding to the history). */
  onFilters: (filters: OrderFilters, typing?: boolean) => void;
  providerStaff: boolean;
  /** The provider's resellers (for the filter and the column); empty for reseller staff. */
  resellers: Option[];
  onDecision: (decision: Decision) => void;
}) {
  const names = new Map(resellers.map((r) => [r.value, r.label]));
  const columns = workOrderColumns({
    providerStaff,
    resellerNames: names,
    decide: filters.queue === "approval" ? (o) => <RowDecision order={o} onDecision={onDecision} /> : null,
  });
  const narrowed = filters.resellerId !== null || filters.createdFrom !== null || filters.createdTo !== null;
  return (
    <PagedTable
      label="Orders"
      columns={columns}
      rowKey={(o) => o.id}
      page={workOrdersPageQuery(filters)}
      resetKey={JSON.stringify(filters)}
      toolbar={
        <>
          {providerStaff ? (
            <SelectField
              name="resellerId"
              label="Reseller"
              placeholder="All resellers"
              options={resellers}
              value={filters.resellerId ?? ""}
              onValue={(value) => onFilters({ ...filters, resellerId: value || null })}
            />
          ) : null}
          <DayField
            label="Placed from (inclusive, UTC)"
            value={filters.createdFrom}
            onDay={(day) => onFilters({ ...filters, createdFrom: day }, true)}
          />
          <DayField
            label="Placed until (inclusive, UTC)"
            value={filters.createdTo}
            onDay={(day) => onFilters({ ...filters, createdTo: day }, true)}
            error={daysInverted(filters) ? "The last day comes before the first." : undefined}
          />
        </>
      }
      empty={EMPTY[filters.queue][narrowed ? 1 : 0]}
    />
  );
}
