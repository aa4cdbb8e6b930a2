/** The lines of an order being built: each item with its term and cycle, its quantity within the item's limits,
 * its line total at the caller's own price, and the refusals the API gave for that line. */
import {
  Button,
  Field,
  Input,
  Select,
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
import { firstCycle, mayEndWith } from "../coterm";
import {
  addonNeeds,
  cycleLabel,
  itemName,
  lineTotal,
  minOf,
  termLabel,
  todayText,
  unitPriceOf,
  type DraftLine,
  type LinePromotion,
} from "../draft";

/** A subscription of the customer a line may end with (co-terming). */
export interface CotermTarget {
  id: string;
  name: string;
  /** Its term's last day ("2027-06-30"). */
  lastDay: string;
}

const useStyles = makeStyles({
  scroll: { overflowX: "auto" },
  error: { display: "block", color: tokens.colorPaletteRedForeground1 },
  quantity: { width: "5.5rem" },
  hint: { display: "block", color: tokens.colorNeutralForeground2 },
});

/** Messages by field path for one line's fields (`catalogItemId`, `quantity`, `termDuration`, `billingCycle`). */
export type LineErrors = Partial<
  Record<"line" | "catalogItemId" | "quantity" | "termDuration" | "billingCycle" | "coterminateWith" | "promotionId", string>
>;

export function DraftLines({
  lines,
  errorsOf,
  priceLabel,
  onQuantity,
  onRemove,
  targets = [],
  onCoterm,
  promotionsOf = () => [],
  onPromotion,
}: {
  lines: DraftLine[];
  errorsOf: (index: number) => LineErrors;
  /** The column of the caller's own buy price ("Reseller price", ...). */
  priceLabel: string;
  onQuantity: (index: number, quantity: string) => void;
  onRemove: (index: number) => void;
  /** The customer's active subscriptions a line may end with. */
  targets?: CotermTarget[];
  onCoterm?: (index: number, target: CotermTarget | null) => void;
  /** The market's promotions that apply to an item (its term and cycle), at the caller's promotional price. */
  promotionsOf?: (catalogItemId: string) => LinePromotion[];
  onPromotion?: (index: number, promotion: LinePromotion | null) => void;
}) {
  const styles = useStyles();
  const today = todayText();
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
            const termError = [errors.termDuration, errors.billingCycle, errors.coterminateWith].filter(Boolean).join("; ");
            const needs = addonNeeds(line.item);
            const allowed = targets.filter((t) => mayEndWith(today, line.item.termDuration, t.lastDay));
            const cycle = line.coterm ? firstCycle(today, line.coterm.lastDay, line.item.billingCycle) : null;
            const offered = promotionsOf(line.item.catalogItemId);
            return (
              <TableRow key={line.item.catalogItemId}>
                <TableCell>
                  {name}
                  {needs ? (
                    <Text size={200} className={styles.hint}>
                      {needs}
                    </Text>
                  ) : null}
                  {itemError ? (
                    <Text size={200} className={styles.error} role="alert">
                      {itemError}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>
                  {termLabel(line.item.termDuration)}, {cycleLabel(line.item.billingCycle)}
                  {onCoterm && (allowed.length > 0 || line.coterm) ? (
                    <Field label="Ends" size="small">
                      <Select
                        aria-label={`End of ${name}`}
                        name={`lines[${index}].coterminateWith`}
                        value={line.coterm?.subscriptionId ?? ""}
                        onChange={(_, data) => onCoterm(index, allowed.find((t) => t.id === data.value) ?? null)}
                      >
                        <option value="">With its own term</option>
                        {allowed.map((target) => (
                          <option key={target.id} value={target.id}>
                            With {target.name} (ends {target.lastDay})
                          </option>
                        ))}
                      </Select>
                    </Field>
                  ) : null}
                  {line.coterm ? (
                    <Text size={200} className={styles.hint}>
                      Ends {line.coterm.lastDay}
                      {cycle ? `; first cycle ${cycle.days} of ${cycle.whole} days` : ""}
                    </Text>
                  ) : null}
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
                <TableCell>
                  {line.promotion ? (
                    <>
                      {formatMoney(unitPriceOf(line), line.item.currency)}
                      <Text size={200} className={styles.hint}>
                        instead of {formatMoney(line.item.price, line.item.currency)}
                      </Text>
                    </>
                  ) : (
                    formatMoney(line.item.price, line.item.currency)
                  )}
                  {onPromotion && (offered.length > 0 || line.promotion) ? (
                    <Field label="Promotion" size="small">
                      <Select
                        aria-label={`Promotion for ${name}`}
                        name={`lines[${index}].promotionId`}
                        value={line.promotion?.id ?? ""}
                        onChange={(_, data) => onPromotion(index, offered.find((p) => p.id === data.value) ?? null)}
                      >
                        <option value="">No promotion</option>
                        {offered.map((promotion) => (
                          <option key={promotion.id} value={promotion.id}>
                            {promotion.name}: −{promotion.discountPercent}%, {formatMoney(promotion.promotionalPrice, line.item.currency)}
                          </option>
                        ))}
                      </Select>
                    </Field>
                  ) : null}
                  {errors.promotionId ? (
                    <Text size={200} className={styles.error} role="alert">
                      Promotion refused: {errors.promotionId}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>
                  {formatMoney(lineTotal(line, today), line.item.currency)}
                  {cycle ? (
                    <Text size={200} className={styles.hint}>
                      first cycle, prorated
                    </Text>
                  ) : null}
                </TableCell>
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
