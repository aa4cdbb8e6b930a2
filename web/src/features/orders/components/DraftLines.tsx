/** The lines of an order being built: each item with its term and cycle, its quantity within the item's limits,
 * its line total at the caller's own price, and the refusals the API gave for that line. */
import {
  Button,
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { formatMoney } from "../../../lib/money";
import { cycleLabel, itemName, lineTotal, minOf, termLabel, type DraftLine } from "../draft";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  error: { display: "block", color: tokens.colorPaletteRedForeground1 },
  quantity: { width: "5.5rem" },
});

/** Messages by field path for one line's fields (`catalogItemId`, `quantity`, `termDuration`, `billingCycle`). */
export type LineErrors = Partial<Record<"line" | "catalogItemId" | "quantity" | "termDuration" | "billingCycle", string>>;

export function DraftLines({
  lines,
  errorsOf,
  priceLabel,
  onQuantity,
  onRemove,
}: {
  lines: DraftLine[];
  errorsOf: (index: number) => LineErrors;
  /** The column of the caller's own buy price ("Reseller price", ...). */
  priceLabel: string;
  onQuantity: (index: number, quantity: string) => void;
  onRemove: (index: number) => void;
}) {
  const styles = useStyles();
  return (
    <div className={styles.scroll}>
      <Table aria-label="Order lines" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Item</TableHeaderCell>
            <TableHeaderCell>Term and billing</TableHeaderCell>
            <TableHeaderCell>Quantity</TableHeaderCell>
            <TableHeaderCell>{priceLabel} (unit)</TableHeaderCell>
            <TableHeaderCell>{priceLabel} × quantity</TableHeaderCell>
            <TableHeaderCell>Remove</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {lines.map((line, index) => {
            const errors = errorsOf(index);
            const name = itemName(line.item);
            const high = line.item.maxQuantity;
            const itemError = [errors.line, errors.catalogItemId].filter(Boolean).join("; ");
            const termError = [errors.termDuration, errors.billingCycle].filter(Boolean).join("; ");
            return (
              <TableRow key={line.item.catalogItemId}>
                <TableCell>
                  {name}
                  {itemError ? (
                    <Text size={200} className={styles.error} role="alert">
                      {itemError}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>
                  {termLabel(line.item.termDuration)}, {cycleLabel(line.item.billingCycle)}
                  {termError ? (
                    <Text size={200} className={styles.error} role="alert">
                      {termError}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>
                  <Field
                    validationState={errors.quantity ? "error" : "none"}
                    validationMessage={errors.quantity}
                    hint={high ? `${minOf(line.item)} to ${high}` : `at least ${minOf(line.item)}`}
                  >
                    <Input
                      className={styles.quantity}
                      aria-label={`Quantity of ${name}`}
                      name={`lines[${index}].quantity`}
                      type="number"
                      inputMode="numeric"
                      min={minOf(line.item)}
                      max={high ?? undefined}
                      step={1}
                      value={line.quantity}
                      onChange={(_, data) => onQuantity(index, data.value)}
                    />
                  </Field>
                </TableCell>
                <TableCell>{formatMoney(line.item.price, line.item.currency)}</TableCell>
                <TableCell>{formatMoney(lineTotal(line), line.item.currency)}</TableCell>
                <TableCell>
                  <Button size="small" aria-label={`Remove ${name}`} onClick={() => onRemove(index)}>
                    Remove
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
