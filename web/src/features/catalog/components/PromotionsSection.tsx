/** The market's active promotions: Microsoft's discount, its dates and seat limits, and each item it applies to at
 * the caller's own price and under the promotion (the share of the discount the provider passes down). */
import {
  Badge,
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
import { Section } from "../../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { formatMoney } from "../../../lib/money";
import { usePromotions, type Promotion } from "../api/catalog";
import { cycleLabel, termLabel } from "../format";
import { promotionDates, seatLimits } from "../promotions";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  scroll: { overflowX: "auto" },
  meta: { display: "block", color: tokens.colorNeutralForeground2 },
});

export function PromotionBadge({ discountPercent }: { discountPercent: string }) {
  return (
    <Badge appearance="tint" color="brand" shape="rounded">
      Promotion −{discountPercent}%
    </Badge>
  );
}

function PromotionCard({ promotion, priceLabel }: { promotion: Promotion; priceLabel: string }) {
  const styles = useStyles();
  const limits = seatLimits(promotion);
  return (
    <div>
      <Text weight="semibold">{promotion.name}</Text> <PromotionBadge discountPercent={promotion.discountPercent} />
      <Text size={200} className={styles.meta}>
        {promotionDates(promotion)}
        {limits ? ` · ${limits}` : ""}
        {promotion.firstPurchaseOnly ? " · first purchase only" : ""}
        {promotion.description ? ` · ${promotion.description}` : ""}
      </Text>
      <div className={styles.scroll}>
        <Table aria-label={`Items of ${promotion.name}`} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Item</TableHeaderCell>
              <TableHeaderCell>Term</TableHeaderCell>
              <TableHeaderCell>Billing cycle</TableHeaderCell>
              <TableHeaderCell>{priceLabel}</TableHeaderCell>
              <TableHeaderCell>Promotional price</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {promotion.items.map((item) => (
              <TableRow key={item.catalogItemId}>
                <TableCell>{item.title}</TableCell>
                <TableCell>{termLabel(item.termDuration)}</TableCell>
                <TableCell>{cycleLabel(item.billingCycle)}</TableCell>
                <TableCell>{item.price === null ? "not priced" : formatMoney(item.price, item.currency)}</TableCell>
                <TableCell>
                  {item.promotionalPrice === null ? "not priced" : formatMoney(item.promotionalPrice, item.currency)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </div>
  );
}

export function PromotionsSection({ country, providerStaff }: { country: string; providerStaff: boolean }) {
  const styles = useStyles();
  const promotions = usePromotions(country);
  const priceLabel = providerStaff ? "Price (yours)" : "Your price";
  let body;
  if (promotions.isPending) body = <Loading label="Loading the promotions…" />;
  else if (promotions.isError) body = <ErrorState error={promotions.error} onRetry={() => void promotions.refetch()} />;
  else if (promotions.data.length === 0) body = <EmptyState>No promotion is active in the {country} market.</EmptyState>;
  else
    body = (
      <div className={styles.list}>
        {promotions.data.map((promotion) => (
          <PromotionCard key={promotion.id} promotion={promotion} priceLabel={priceLabel} />
        ))}
      </div>
    );
  return (
    <Section title={`Promotions in ${country}`}>
      <Text>
        {providerStaff
          ? "Microsoft's discount lowers the cost; resellers and customers get the pass-through share of it."
          : "Discounted prices while the promotion lasts, on the items listed."}
      </Text>
      {body}
    </Section>
  );
}
