import { Link } from "react-router";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { providersPageQuery, type Provider } from "../api/get-providers";

const columns: Column<Provider>[] = [
  {
    key: "name",
    header: "Name",
    cell: (p) => <Link to={`/providers/${encodeURIComponent(p.id)}`}>{p.name}</Link>,
  },
  { key: "status", header: "Status", cell: (p) => <StatusBadge status={p.status} /> },
  { key: "partnerId", header: "Partner ID", cell: (p) => p.partnerId ?? "—" },
  { key: "tenantId", header: "Tenant ID", cell: (p) => p.tenantId },
];

export function ProvidersTable() {
  return (
    <PagedTable
      label="Providers"
      columns={columns}
      rowKey={(p) => p.id}
      page={providersPageQuery}
      empty="No provider is enrolled yet. Enroll the first one with “Enroll a provider”."
    />
  );
}
