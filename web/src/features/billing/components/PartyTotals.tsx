import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { formatMoney } from "../../../lib/money";
import type { Totals } from "../api/billing";
import type { Names } from "./names";
import { PartyLink } from "./PartyLink";

type ResellerTotal = NonNullable<Totals["resellers"]>[number];
type CustomerTotal = Totals["customers"][number];

const byCurrency = <T extends { currency: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => a.currency.localeCompare(b.currency));

/** What the provider invoices each reseller, per currency. */
export function ResellerTotals({ totals, names }: { totals: readonly ResellerTotal[]; names: Names }) {
  return (
    <Table aria-label="Totals by reseller">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Reseller</TableHeaderCell>
          <TableHeaderCell>Invoiced</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {byCurrency(totals).map((t) => (
          <TableRow key={`${t.resellerId}|${t.currency}`}>
            <TableCell>
              <PartyLink party="reseller" id={t.resellerId} names={names} />
            </TableCell>
            <TableCell>{formatMoney(t.amount, t.currency)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** What each customer is invoiced by its reseller, per currency. */
export function CustomerTotals({ totals, names }: { totals: readonly CustomerTotal[]; names: Names }) {
  return (
    <Table aria-label="Totals by customer">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Customer</TableHeaderCell>
          <TableHeaderCell>Reseller</TableHeaderCell>
          <TableHeaderCell>Invoiced</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {byCurrency(totals).map((t) => (
          <TableRow key={`${t.customerId}|${t.currency}`}>
            <TableCell>
              <PartyLink party="customer" id={t.customerId} names={names} />
            </TableCell>
            <TableCell>
              <PartyLink party="reseller" id={t.resellerId} names={names} />
            </TableCell>
            <TableCell>{formatMoney(t.amount, t.currency)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
