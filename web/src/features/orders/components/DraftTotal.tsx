/** What the order comes to before it is sent: exactly what can be known, the caller's own buy price × quantity,
 * summed per currency; the tiers below it are priced when the order is placed. */
import { Text, makeStyles, tokens } from "@fluentui/react-components";
import { formatMoney } from "../../../lib/money";
import { draftTotals, type DraftLine } from "../draft";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
});

export function DraftTotal({
  lines,
  priceLabel,
  providerStaff,
}: {
  lines: DraftLine[];
  priceLabel: string;
  providerStaff: boolean;
}) {
  const styles = useStyles();
  const totals = draftTotals(lines);
  return (
    <div className={styles.root} aria-live="polite" role="group" aria-label="Order total">
      {totals.map((total) => (
        <Text key={total.currency} weight="semibold">
          {priceLabel} total ({priceLabel.toLowerCase()} × quantity): {formatMoney(total.amount, total.currency)}
        </Text>
      ))}
      {totals.some((total) => total.amount === null) ? (
        <Text size={200}>A line without a price or a valid quantity leaves the total open.</Text>
      ) : null}
      <Text size={200}>
        {providerStaff
          ? "The reseller price and the customer price are set when the order is placed, from their pricing; the order's page shows them line by line."
          : "The customer price is set when the order is placed, from the customer's pricing; the order's page shows it line by line."}
      </Text>
    </div>
  );
}
