/** The resulting prices before saving: a few items at the price now and the price once the change is saved,
 * computed with the API's own rule. */
import {
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
import { itemLabel, type CatalogItem } from "../../catalog";
import { describeMargin } from "../margin";
import { tierPrice, type PriceRule, type TierPrice } from "../rules";

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  changed: { fontWeight: tokens.fontWeightSemibold },
});

export interface Supplier {
  /** The column's header: "Cost", "Reseller's price", "Your price". */
  label: string;
  /** The supplier's unrounded price for the item (null: not priced). */
  price: (item: CatalogItem) => string | null;
}

function how(price: TierPrice, defaultLabel: string): string {
  switch (price.basis) {
    case "override":
      return "fixed price";
    case "margin":
      return `margin ${describeMargin(price.margin)}`;
    case "defaultMargin":
      return `${defaultLabel} ${describeMargin(price.margin)}`;
    case "supplierPrice":
      return "supplier's price as it is";
    case "unpriced":
      return "not priced";
    case "invalid":
      return "not a valid margin or price";
  }
}

const shown = (price: TierPrice, currency: string) => (price.shown === null ? "—" : formatMoney(price.shown, currency));

export function PricePreview({
  items,
  supplier,
  now,
  after,
  defaultMargin,
  defaultLabel,
}: {
  items: CatalogItem[];
  supplier: Supplier;
  now: PriceRule;
  after: PriceRule;
  defaultMargin: string | null;
  defaultLabel: string;
}) {
  const styles = useStyles();
  if (items.length === 0) return <Text>No catalog item to preview in this market.</Text>;
  return (
    <div className={styles.scroll}>
      <Table aria-label="Price preview" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Item</TableHeaderCell>
            <TableHeaderCell>{supplier.label}</TableHeaderCell>
            <TableHeaderCell>Price now</TableHeaderCell>
            <TableHeaderCell>After saving</TableHeaderCell>
            <TableHeaderCell>Rule after saving</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((item) => {
            const base = supplier.price(item);
            const before = tierPrice(base, item, now, defaultMargin);
            const next = tierPrice(base, item, after, defaultMargin);
            const changed = next.shown !== null && before.shown !== next.shown;
            return (
              <TableRow key={`${item.catalogItemId}|${item.currency}`}>
                <TableCell>{itemLabel(item)}</TableCell>
                <TableCell>{base === null ? "not priced" : formatMoney(base, item.currency)}</TableCell>
                <TableCell>{shown(before, item.currency)}</TableCell>
                <TableCell className={changed ? styles.changed : undefined}>
                  {shown(next, item.currency)}
                  {changed ? " (changes)" : ""}
                </TableCell>
                <TableCell>{how(next, defaultLabel)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
