/** The seats bought together, each removable until its own window closes (168 hours after it was bought). */
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { EmptyState } from "../../../components/States";
import type { SeatLot } from "../api/subscriptions";
import { momentText } from "../format";
import { windowLeft } from "../window";

export function SeatLotsTable({ lots, now }: { lots: SeatLot[]; now: Date }) {
  if (lots.length === 0) {
    return <EmptyState>No seat lot is inside its window: no seat can be removed now.</EmptyState>;
  }
  return (
    <Table aria-label="Seat lots" size="medium">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Seats</TableHeaderCell>
          <TableHeaderCell>Window ends</TableHeaderCell>
          <TableHeaderCell>Time left to remove them</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {lots.map((lot, index) => (
          <TableRow key={`${lot.windowEndsAt}-${index}`}>
            <TableCell>{lot.quantity}</TableCell>
            <TableCell>{momentText(lot.windowEndsAt)}</TableCell>
            <TableCell>{windowLeft(lot.windowEndsAt, now).text}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
