/**
 * A tier's price as the API computes it: the buyer's override for the item when it has one, else the supplier's
 * price × (1 + the buyer's margin, else its supplier's default margin), else the supplier's price as it is.
 * Amounts stay unrounded between tiers; only what is shown is rounded half up at the currency's minor unit.
 */
import { applyMarginExact, parseDecimal, roundToCurrency } from "./decimal";

export interface RuleOverride {
  catalogItemId: string;
  price: string;
  /** Empty or absent: the item's own currency. */
  currency?: string | null;
}

export interface PriceRule {
  margin: string | null;
  overrides: RuleOverride[];
}

export type Basis = "override" | "margin" | "defaultMargin" | "supplierPrice" | "unpriced" | "invalid";

export interface TierPrice {
  /** Unrounded, as it flows to the tier below; null when not priced or not computable. */
  exact: string | null;
  /** Rounded at the currency's minor unit: what is shown and billed. */
  shown: string | null;
  basis: Basis;
  /** The margin applied, when a margin was. */
  margin: string | null;
}

export interface Priced {
  catalogItemId: string;
  currency: string;
}

export function overrideFor(rule: PriceRule, item: Priced): RuleOverride | undefined {
  return rule.overrides.find(
    (o) => o.catalogItemId === item.catalogItemId && (!o.currency || o.currency === item.currency),
  );
}

/** The buyer's price for one item from its supplier's (unrounded) price. */
export function tierPrice(
  supplier: string | null,
  item: Priced,
  rule: PriceRule,
  defaultMargin: string | null,
): TierPrice {
  const override = overrideFor(rule, item);
  if (override) {
    const value = parseDecimal(override.price);
    if (!value || value.units < 0n) return { exact: null, shown: null, basis: "invalid", margin: null };
    return { exact: override.price.trim(), shown: roundToCurrency(override.price, item.currency), basis: "override", margin: null };
  }
  if (supplier === null) return { exact: null, shown: null, basis: "unpriced", margin: null };
  const [margin, basis]: [string | null, Basis] =
    rule.margin !== null ? [rule.margin, "margin"] : defaultMargin !== null ? [defaultMargin, "defaultMargin"] : [null, "supplierPrice"];
  if (margin === null) return { exact: supplier, shown: roundToCurrency(supplier, item.currency), basis, margin: null };
  const exact = applyMarginExact(supplier, margin);
  if (exact === null) return { exact: null, shown: null, basis: "invalid", margin: null };
  return { exact, shown: roundToCurrency(exact, item.currency), basis, margin };
}

/** The rule a stored pricing describes. */
export function ruleOf(pricing: PriceRule): PriceRule {
  return { margin: pricing.margin, overrides: pricing.overrides };
}
