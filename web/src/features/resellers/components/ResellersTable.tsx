import { Link } from "react-router";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { ShowOffboardedSwitch, WithOffboardedBadge } from "../../customers";
import { PartnerAgreementBadge } from "./PartnerAgreement";
import { RESELLER_STATUSES, resellersPageQuery, type Reseller, type ResellerFilters, type ResellerStatus } from "../api/resellers";

const columns: Column<Reseller>[] = [
  { key: "name", header: "Name", cell: (r) => <Link to={`/resellers/${encodeURIComponent(r.id)}`}>{r.name}</Link> },
  { key: "partnerId", header: "Partner ID", cell: (r) => r.partnerId },
  {
    key: "status",
    header: "Status",
    cell: (r) => (
      <WithOffboardedBadge record={r}>
        <StatusBadge status={r.status} />
        <PartnerAgreementBadge reseller={r} />
      </WithOffboardedBadge>
    ),
  },
  { key: "contactEmail", header: "Contact", cell: (r) => r.contactEmail },
];

export function ResellersTable({ filters, onFilters }: { filters: ResellerFilters; onFilters: (next: ResellerFilters) => void }) {
  const { status } = filters;
  return (
    <PagedTable
      label="Resellers"
      columns={columns}
      rowKey={(r) => r.id}
      page={resellersPageQuery(filters)}
      resetKey={`${status ?? ""}|${filters.showOffboarded}`}
      toolbar={
        <>
          <StatusFilter
            statuses={RESELLER_STATUSES}
            value={status ?? ""}
            onValue={(value) => onFilters({ ...filters, status: value ? (value as ResellerStatus) : null })}
          />
          <ShowOffboardedSwitch value={filters.showOffboarded} onValue={(showOffboarded) => onFilters({ ...filters, showOffboarded })} />
        </>
      }
      empty={
        status
          ? `No reseller is ${status}.`
          : filters.showOffboarded
            ? "No reseller yet. Invite one with “Invite a reseller”."
            : "No reseller in business (offboarded ones are hidden). Invite one with “Invite a reseller”."
      }
    />
  );
}
