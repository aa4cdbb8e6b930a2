import { Link } from "react-router";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatMoment } from "../../../lib/moment";
import { eventSubscriptionsPageQuery, type EventSubscription } from "../api/notifications";

const columns: Column<EventSubscription>[] = [
  {
    key: "url",
    header: "URL",
    cell: (e) => <Link to={`/event-subscriptions/${encodeURIComponent(e.id)}`}>{e.url}</Link>,
  },
  { key: "description", header: "Description", cell: (e) => e.description ?? "—" },
  { key: "events", header: "Events", cell: (e) => e.events.join(", ") },
  { key: "enabled", header: "State", cell: (e) => <StatusBadge status={e.enabled ? "active" : "disabled"} /> },
  { key: "createdAt", header: "Registered", cell: (e) => formatMoment(e.createdAt) },
];

export function EndpointsTable({ mayRegister }: { mayRegister: boolean }) {
  return (
    <PagedTable
      label="Event subscriptions"
      columns={columns}
      rowKey={(e) => e.id}
      page={eventSubscriptionsPageQuery}
      empty={mayRegister ? "No endpoint yet. Register one with “Register an endpoint”." : "No endpoint yet."}
    />
  );
}
