/** How catalog terms read to a person: "P1Y" is "1 year", "monthly" billing is "Monthly". */
import { termLabel } from "../../lib/terms";
import type { CatalogItem } from "./api/catalog";

export { termLabel };

export function cycleLabel(cycle: string): string {
  if (!cycle) return "—";
  return cycle.charAt(0).toUpperCase() + cycle.slice(1).replace(/_/g, " ");
}

/** "Office 365 E1 · 1 year · Monthly" (the SKU title too when it differs from the product's). */
export function itemLabel(item: Pick<CatalogItem, "title" | "skuTitle" | "termDuration" | "billingCycle">): string {
  const name = item.skuTitle && item.skuTitle !== item.title ? `${item.title} (${item.skuTitle})` : item.title;
  return `${name} · ${termLabel(item.termDuration)} · ${cycleLabel(item.billingCycle)}`;
}

export const TERMS = ["P1M", "P1Y", "P3Y"] as const;
export const CYCLES = ["monthly", "annual", "triennial", "none"] as const;

export const isCountry = (value: string) => /^[A-Za-z]{2}$/.test(value.trim());
