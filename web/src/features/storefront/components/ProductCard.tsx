/** One product of the catalog: its term and billing choices (one catalog item each), the chosen item's price, a
 * quantity and "Add to cart". */
import { Button, Card, Field, Input, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useState } from "react";
import { formatMoney } from "../../../lib/money";
import type { CatalogItem } from "../api/storefront";
import { parseQuantity, quantityProblem } from "../cart";
import { choiceLabel, productName, type Product } from "../products";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  price: { fontWeight: tokens.fontWeightSemibold },
});

export function ProductCard({ product, onAdd }: { product: Product; onAdd: (item: CatalogItem, quantity: number) => void }) {
  const styles = useStyles();
  const titleId = useId();
  const [chosenId, setChosenId] = useState(product.items[0]?.catalogItemId ?? "");
  const item = product.items.find((candidate) => candidate.catalogItemId === chosenId) ?? product.items[0];
  const [text, setText] = useState(String(item?.minQuantity ?? 1));
  const [added, setAdded] = useState<string | null>(null);
  if (!item) return null;
  const name = productName(item);
  const quantity = parseQuantity(text);
  const problem = quantityProblem(item, quantity);
  const add = () => {
    if (problem || quantity === null || item.price === null) return;
    onAdd(item, quantity);
    setAdded(`Added ${quantity} × ${name} (${choiceLabel(item)}) to your cart.`);
  };
  return (
    <Card className={styles.card} role="group" aria-labelledby={titleId}>
      <h2 id={titleId} className={styles.title}>
        {name}
      </h2>
      {item.productFamily ? <Text size={200}>{item.productFamily}</Text> : null}
      <div className={styles.row}>
        <Field label={`Term and billing of ${name}`}>
          <Select
            value={item.catalogItemId}
            onChange={(_, data) => {
              setChosenId(data.value);
              setAdded(null);
            }}
          >
            {product.items.map((choice) => (
              <option key={choice.catalogItemId} value={choice.catalogItemId}>
                {choiceLabel(choice)}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label={`Quantity of ${name}`}
          validationState={problem ? "error" : "none"}
          validationMessage={problem ?? undefined}
        >
          <Input
            type="number"
            min={item.minQuantity ?? 1}
            max={item.maxQuantity ?? undefined}
            value={text}
            onChange={(_, data) => {
              setText(data.value);
              setAdded(null);
            }}
          />
        </Field>
        <Button appearance="primary" disabled={Boolean(problem) || item.price === null} onClick={add} aria-label={`Add ${name} to cart`}>
          Add to cart
        </Button>
      </div>
      <Text className={styles.price}>
        {item.price === null
          ? "Not priced: ask your reseller"
          : `${formatMoney(item.price, item.currency)} per licence, ${choiceLabel(item)}`}
      </Text>
      {item.monthlyEquivalent && item.termDuration !== "P1M" ? (
        <Text size={200}>About {formatMoney(item.monthlyEquivalent, item.currency)} a month</Text>
      ) : null}
      <div aria-live="polite">{added ? <Text>{added}</Text> : null}</div>
    </Card>
  );
}
