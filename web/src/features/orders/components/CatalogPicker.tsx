/** The catalog of the customer's own market, searched by text, each item added to the order with one button. */
import {
  Button,
  Field,
  SearchBox,
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
import { useEffect, useState } from "react";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { formatMoney } from "../../../lib/money";
import { useOrderCatalog, type CatalogItem } from "../api/orders";
import { addonNeeds, cycleLabel, itemName, termLabel } from "../draft";

const SEARCH_SETTLE_MS = 300;

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  scroll: { maxHeight: "16rem", overflowY: "auto" },
  sku: { display: "block", color: tokens.colorNeutralForeground2 },
});

/** The text once typing has paused, so the catalog is not asked on every key. */
function useSettled(value: string): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value.trim()), SEARCH_SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [value]);
  return settled;
}

export function CatalogPicker({
  customerId,
  isAdded,
  full,
  onAdd,
}: {
  customerId: string;
  isAdded: (item: CatalogItem) => boolean;
  /** The order has as many lines as it may. */
  full: boolean;
  onAdd: (item: CatalogItem) => void;
}) {
  const styles = useStyles();
  const [text, setText] = useState("");
  const q = useSettled(text);
  const catalog = useOrderCatalog(customerId, q);
  const items = catalog.data?.items ?? [];

  let results;
  if (catalog.isPending) results = <Loading label="Searching the catalog…" />;
  else if (catalog.isError) results = <ErrorState error={catalog.error} onRetry={() => void catalog.refetch()} />;
  else if (items.length === 0) results = <EmptyState>{q ? `Nothing in this market matches “${q}”.` : "This market's catalog is empty."}</EmptyState>;
  else
    results = (
      <div className={styles.scroll}>
        <Table aria-label="Catalog items" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Item</TableHeaderCell>
              <TableHeaderCell>Term</TableHeaderCell>
              <TableHeaderCell>Billing</TableHeaderCell>
              <TableHeaderCell>Your price</TableHeaderCell>
              <TableHeaderCell>Add</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((item) => {
              const added = isAdded(item);
              return (
                <TableRow key={item.catalogItemId}>
                  <TableCell>
                    {itemName(item)}
                    <Text size={200} className={styles.sku}>
                      {item.catalogItemId}
                    </Text>
                    {addonNeeds(item) ? (
                      <Text size={200} className={styles.sku}>
                        {addonNeeds(item)}
                      </Text>
                    ) : null}
                  </TableCell>
                  <TableCell>{termLabel(item.termDuration)}</TableCell>
                  <TableCell>{cycleLabel(item.billingCycle)}</TableCell>
                  <TableCell>{formatMoney(item.price, item.currency)}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      disabled={added || full || item.price === null}
                      aria-label={`Add ${itemName(item)}, ${termLabel(item.termDuration)}, ${cycleLabel(item.billingCycle)}`}
                      onClick={() => onAdd(item)}
                    >
                      {added ? "Added" : item.price === null ? "No price" : "Add"}
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
    );

  return (
    <div className={styles.root}>
      <Field label="Search the customer's market" hint="Words of the product or SKU name.">
        <SearchBox
          value={text}
          onChange={(_, data) => setText(data.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") event.preventDefault(); // searching never places the order
          }}
        />
      </Field>
      {results}
      {catalog.data?.continuationToken ? <Text size={200}>More items match: narrow the search to find others.</Text> : null}
    </div>
  );
}
