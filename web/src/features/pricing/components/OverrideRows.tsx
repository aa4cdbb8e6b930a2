/** Fixed prices: one row per catalog item (and currency), each a price that replaces the margin for that item. */
import { Button, Field, Input, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { CatalogItem } from "../../catalog";
import { itemLabel } from "../../catalog";

export interface OverrideRow {
  key: string;
  catalogItemId: string;
  price: string;
  /** The item's currency once known ("" until an item is chosen). */
  currency: string;
}

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-start" },
  item: { minWidth: "22rem", flexGrow: 1 },
  remove: { marginTop: "1.6rem" },
});

export type RowErrors = (index: number) => { item?: string; price?: string };

export function OverrideRows({
  rows,
  items,
  onRows,
  errors,
  disabled,
}: {
  rows: OverrideRow[];
  items: CatalogItem[];
  onRows: (rows: OverrideRow[], removed: boolean) => void;
  errors: RowErrors;
  disabled: boolean;
}) {
  const styles = useStyles();
  const byId = new Map(items.map((i) => [i.catalogItemId, i]));
  const options = [...items].sort((a, b) => itemLabel(a).localeCompare(itemLabel(b)));
  const change = (index: number, next: Partial<OverrideRow>) =>
    onRows(rows.map((row, i) => (i === index ? { ...row, ...next } : row)), false);

  if (rows.length === 0) return <Text>No fixed prices: the margin applies to every item.</Text>;
  return (
    <ul className={styles.list} aria-label="Fixed prices">
      {rows.map((row, index) => {
        const item = byId.get(row.catalogItemId);
        const error = errors(index);
        const n = index + 1;
        return (
          <li key={row.key} className={styles.row}>
            <Field
              className={styles.item}
              label={`Item of fixed price ${n}`}
              validationState={error.item ? "error" : "none"}
              validationMessage={error.item}
            >
              <Select
                value={row.catalogItemId}
                disabled={disabled}
                onChange={(_, data) => change(index, { catalogItemId: data.value, currency: byId.get(data.value)?.currency ?? "" })}
              >
                <option value="">Choose an item</option>
                {row.catalogItemId && !item ? (
                  <option value={row.catalogItemId}>
                    {row.catalogItemId}
                    {row.currency ? ` (${row.currency}, not in this market's list)` : ""}
                  </option>
                ) : null}
                {options.map((option) => (
                  <option key={option.catalogItemId} value={option.catalogItemId}>
                    {itemLabel(option)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field
              label={`Fixed price ${n}`}
              validationState={error.price ? "error" : "none"}
              validationMessage={error.price}
            >
              <Input
                value={row.price}
                disabled={disabled}
                inputMode="decimal"
                autoComplete="off"
                placeholder="e.g. 7.50"
                contentAfter={row.currency || item?.currency || undefined}
                style={{ maxWidth: "12rem" }}
                onChange={(_, data) => change(index, { price: data.value })}
              />
            </Field>
            <Button
              className={styles.remove}
              disabled={disabled}
              aria-label={`Remove fixed price ${n}`}
              onClick={() => onRows(rows.filter((_, i) => i !== index), true)}
            >
              Remove
            </Button>
          </li>
        );
      })}
    </ul>
  );
}
