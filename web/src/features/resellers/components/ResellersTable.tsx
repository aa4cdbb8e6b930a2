import { Link } from "react-router";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { RESELLER_STATUSES, resellersPageQuery, type Reseller, type ResellerStatus } from "../api/resellers";

const columns: Column<Reseller>[] = [
  { key: "name", header: "Name", cell: (r) => <Link to={`/resellers/${encodeURIComponent(r.id)}`}>{r.name}</Link> },
  { key: "partnerId", header: "Partner ID", cell: (r) => r.partnerId },
  { key: "status", header: "Status", cell: (r) => <StatusBadge status={r.status} /> },
  { key: "contactEmail", header: "Contact", cell: (r) => r.contactEmail },
];

export function ResellersTable({ status, onStatus }: { status: ResellerStatus | null; onStatus: (s: ResellerStatus | null) => void }) {
  return (
    <PagedTable
      label="Resellers"
      columns={columns}
      rowKey={(r) => r.id}
      page={resellersPageQuery(status)}
      resetKey={status ?? ""}
      toolbar={
        <StatusFilter
          statuses={RESELLER_STATUSES}
          value={status ?? ""}
          onValue={(value) => onStatus(value ? (value as ResellerStatus) : null)}
        />
      }
      empty={status ? `No reseller is ${status}.` : "No reseller yet. Invite one with “Invite a reseller”."}
    />
  );
}
