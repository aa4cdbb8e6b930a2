import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { formatMoney } from "../../../lib/money";
import type { CurrencyTotal } from "../api/billing";

/** One row per currency: what customers and resellers are invoiced and, for provider staff, what Microsoft
 * charged. Amounts of different currencies are never added up; a column the caller may not read is left out. */
export function TotalsByCurrency({ totals }: { totals: readonly CurrencyTotal[] }) {
  const rows = [...totals].sort((a, b) => a.currency.localeCompare(b.currency));
  const withResellers = rows.some((t) => t.resellers !== undefined);
  const withCost = rows.some((t) => t.providerCost !== undefined);
  return (
    <Table aria-label="Totals by currency">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Currency</TableHeaderCell>
          <TableHeaderCell>Customers invoiced</TableHeaderCell>
          {withResellers ? <TableHeaderCell>Resellers invoiced</TableHeaderCell> : null}
          {withCost ? <TableHeaderCell>Provider cost (Microsoft)</TableHeaderCell> : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((t) => (
          <TableRow key={t.currency}>
            <TableCell>{t.currency}</TableCell>
            <TableCell>{formatMoney(t.customers, t.currency)}</TableCell>
            {withResellers ? <TableCell>{formatMoney(t.resellers, t.currency)}</TableCell> : null}
            {withCost ? <TableCell>{formatMoney(t.providerCost, t.currency)}</TableCell> : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
