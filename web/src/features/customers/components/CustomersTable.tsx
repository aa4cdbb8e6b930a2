import { Link } from "react-router";
import { SelectField } from "../../../components/form";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import type { Option } from "../../../components/form";
import { market } from "../market";
import { ShowOffboardedSwitch, WithOffboardedBadge } from "./Offboarding";
import { CUSTOMER_STATUSES, customersPageQuery, type Customer, type CustomerFilters, type CustomerStatus } from "../api/customers";

export function CustomersTable({
  filters,
  onFilters,
  resellers,
  showResellerFilter,
}: {
  filters: CustomerFilters;
  onFilters: (filters: CustomerFilters) => void;
  /** Reseller names by id (for the column and the filter). */
  resellers: Option[];
  showResellerFilter: boolean;
}) {
  const names = new Map(resellers.map((r) => [r.value, r.label]));
  const columns: Column<Customer>[] = [
    { key: "name", header: "Name", cell: (c) => <Link to={`/customers/${encodeURIComponent(c.id)}`}>{c.name}</Link> },
    { key: "domain", header: "Domain", cell: (c) => c.domain ?? "—" },
    { key: "reseller", header: "Reseller", cell: (c) => names.get(c.resellerId) ?? c.resellerId },
    {
      key: "status",
      header: "Status",
      cell: (c) => (
        <WithOffboardedBadge record={c}>
          <StatusBadge status={c.status} />
        </WithOffboardedBadge>
      ),
    },
    { key: "market", header: "Market (country / currency)", cell: market },
  ];
  const filtered = filters.status !== null || filters.resellerId !== null;
  return (
    <PagedTable
      label="Customers"
      columns={columns}
      rowKey={(c) => c.id}
      page={customersPageQuery(filters)}
      resetKey={`${filters.status ?? ""}|${filters.resellerId ?? ""}|${filters.showOffboarded}`}
      toolbar={
        <>
          <StatusFilter
            statuses={CUSTOMER_STATUSES}
            value={filters.status ?? ""}
            onValue={(value) => onFilters({ ...filters, status: value ? (value as CustomerStatus) : null })}
          />
          {showResellerFilter ? (
            <SelectField
              name="resellerId"
              label="Reseller"
              placeholder="All resellers"
              options={resellers}
              value={filters.resellerId ?? ""}
              onValue={(value) => onFilters({ ...filters, resellerId: value || null })}
            />
          ) : null}
          <ShowOffboardedSwitch value={filters.showOffboarded} onValue={(showOffboarded) => onFilters({ ...filters, showOffboarded })} />
        </>
      }
      empty={
        filtered
          ? "No customer matches these filters."
          : filters.showOffboarded
            ? "No customer yet. Invite one or create a new tenant."
            : "No customer in business (offboarded ones are hidden). Invite one or create a new tenant."
      }
    />
  );
}
