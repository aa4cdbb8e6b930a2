import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { ProblemBar } from "../../../components/ProblemBar";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";
import { DELIVERY_STATUSES, deliveriesPageQuery, useReplay, type Delivery, type DeliveryStatus } from "../api/notifications";

function Attempts({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts.length === 0) return <>No attempt yet</>;
  const last = delivery.attempts[0]!;
  return (
    <details>
      <summary>
        {delivery.attempts.length} attempt{delivery.attempts.length === 1 ? "" : "s"}, last{" "}
        {last.statusCode ?? "no answer"}
      </summary>
      <Table aria-label={`Attempts of delivery ${delivery.id}`} size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>#</TableHeaderCell>
            <TableHeaderCell>At</TableHeaderCell>
            <TableHeaderCell>Answer</TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
            <TableHeaderCell>Took</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {delivery.attempts.map((a) => (
            <TableRow key={a.number}>
              <TableCell>{a.round > 0 ? `${a.number} (replay ${a.round})` : a.number}</TableCell>
              <TableCell>{formatMoment(a.at)}</TableCell>
              <TableCell>{a.statusCode ?? "—"}</TableCell>
              <TableCell>{a.error ?? "—"}</TableCell>
              <TableCell>{a.durationMs} ms</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </details>
  );
}

export function DeliveriesTable({
  endpointId,
  status,
  onStatus,
  mayReplay,
}: {
  endpointId: string;
  status: DeliveryStatus | null;
  onStatus: (status: DeliveryStatus | null) => void;
  mayReplay: boolean;
}) {
  const replay = useReplay(endpointId);
  const columns: Column<Delivery>[] = [
    { key: "event", header: "Event", cell: (d) => d.eventType },
    { key: "createdAt", header: "Created", cell: (d) => formatMoment(d.createdAt) },
    { key: "status", header: "Status", cell: (d) => <StatusBadge status={d.status} /> },
    { key: "attempts", header: "Attempts", cell: (d) => <Attempts delivery={d} /> },
    { key: "next", header: "Next attempt", cell: (d) => (d.nextAttemptAt ? formatMoment(d.nextAttemptAt) : "—") },
  ];
  if (mayReplay) {
    columns.push({
      key: "replay",
      header: "Replay",
      cell: (d) => (
        <Button
          size="small"
          disabled={d.status === "pending" || replay.isPending}
          aria-label={`Replay the ${d.eventType} delivery of ${formatMoment(d.createdAt)}`}
          onClick={() => replay.mutate(d.id)}
        >
          Replay
        </Button>
      ),
    });
  }
  return (
    <>
      <ProblemBar view={viewProblem(problemOf(replay.error), [])} />
      <PagedTable
        label="Deliveries"
        columns={columns}
        rowKey={(d) => d.id}
        page={deliveriesPageQuery(endpointId, status)}
        resetKey={status ?? ""}
        toolbar={
          <StatusFilter
            statuses={DELIVERY_STATUSES}
            value={status ?? ""}
            onValue={(value) => onStatus(value ? (value as DeliveryStatus) : null)}
          />
        }
        empty={status ? `No delivery is ${status}.` : "No delivery yet. “Send a ping” sends one."}
      />
    </>
  );
}
