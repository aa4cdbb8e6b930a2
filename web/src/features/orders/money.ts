/** The price tiers of an order as the API gives them: a tier the caller may not read is absent and is not shown. */
import type { Order, OrderLine } from "./api/orders";

export type Tier = "providerCost" | "resellerPrice" | "customerPrice";

export const TIER_LABELS: Record<Tier, string> = {
  providerCost: "Cost",
  resellerPrice: "Reseller price",
  customerPrice: "Customer price",
};

const TIERS: Tier[] = ["providerCost", "resellerPrice", "customerPrice"];

/** The tiers present on the order's totals, highest first. */
export const tiersOf = (totals: Order["totals"]): Tier[] => TIERS.filter((tier) => tier in totals);

/** The tiers present on any of the lines, highest first. */
export const lineTiersOf = (lines: OrderLine[]): Tier[] => TIERS.filter((tier) => lines.some((line) => tier in line));

export const lineTotalOf = (line: OrderLine, tier: Tier): string | null | undefined => {
  switch (tier) {
    case "providerCost":
      return line.providerCostTotal;
    case "resellerPrice":
      return line.resellerPriceTotal;
    case "customerPrice":
      return line.customerPriceTotal;
  }
};
