/** An order being built: lines from the catalog, each with its quantity, and what they come to at the caller's
 * own buy price, summed exactly per currency. */
import { sumMoney, timesQuantity } from "../../lib/money";
import type { CatalogItem, OrderLineIn } from "./api/orders";
import { firstCycle, firstCycleTotal } from "./coterm";

export const MAX_LINES = 50;

export interface DraftLine {
  item: CatalogItem;
  /** As typed; a whole number in digits once valid. */
  quantity: string;
  /** Co-terming: the subscription of the customer the line should end with, and that subscription's last day. */
  coterm?: { subscriptionId: string; lastDay: string };
  /** A promotion of the market the line is bought under, with the caller's own price under it. */
  promotion?: LinePromotion;
}

export interface LinePromotion {
  id: string;
  name: string;
  discountPercent: string;
  /** The caller's own buy price under the promotion (null: not priced). */
  promotionalPrice: string | null;
}

/** The caller's own unit buy price of the line: the promotional price under a promotion. */
export const unitPriceOf = (line: DraftLine): string | null | undefined =>
  line.promotion ? line.promotion.promotionalPrice : line.item.price;

/** The quantity as a whole number, or null when it is not one. */
export function quantityOf(line: DraftLine): number | null {
  const text = line.quantity.trim();
  return /^\d{1,6}$/.test(text) ? Number.parseInt(text, 10) : null;
}

/** The item as people name it: its product and, when it differs, its SKU. */
export const itemName = (item: CatalogItem) =>
  item.skuTitle && item.skuTitle !== item.title ? `${item.title} (${item.skuTitle})` : item.title;

export const minOf = (item: CatalogItem) => item.minQuantity ?? 1;

/** Why the quantity cannot be sent, in the API's words, or null when it can. */
export function quantityProblem(line: DraftLine): string | null {
  const quantity = quantityOf(line);
  if (quantity === null) return "must be a whole number";
  const low = minOf(line.item);
  const high = line.item.maxQuantity;
  if (quantity < low || (high !== null && high !== undefined && quantity > high)) {
    return high !== null && high !== undefined ? `must be between ${low} and ${high}` : `must be at least ${low}`;
  }
  return null;
}

/** The line at the caller's own buy price: unit price × quantity, exactly (null when either is not known); a
 * co-termed line's first cycle, prorated as the API prorates it. */
export function lineTotal(line: DraftLine, today: string = todayText()): string | null {
  const quantity = quantityOf(line);
  if (quantity === null) return null;
  const cycle = line.coterm ? firstCycle(today, line.coterm.lastDay, line.item.billingCycle) : null;
  if (cycle) return firstCycleTotal(unitPriceOf(line), quantity, cycle, line.item.currency);
  return timesQuantity(unitPriceOf(line), quantity, line.item.currency);
}

/** Today's calendar day in UTC ("2026-12-07"): the purchase day a co-termed line is prorated from. */
export const todayText = (): string => new Date().toISOString().slice(0, 10);

/** An add-on's base requirement in words, or null for an item that is not an add-on. */
export function addonNeeds(item: CatalogItem): string | null {
  if (!item.isAddon || !item.prerequisiteSkus?.length) return null;
  return `Add-on: needs an active subscription of ${item.prerequisiteSkus.join(" or ")} (held, or bought in this order)`;
}

export interface CurrencySum {
  currency: string;
  /** null: a line in it has no price or no valid quantity yet. */
  amount: string | null;
}

/** The lines' totals at the caller's own buy price, one per currency (never summed across currencies). */
export function draftTotals(lines: DraftLine[]): CurrencySum[] {
  const byCurrency = new Map<string, (string | null)[]>();
  for (const line of lines) {
    const amounts = byCurrency.get(line.item.currency) ?? [];
    amounts.push(lineTotal(line));
    byCurrency.set(line.item.currency, amounts);
  }
  return [...byCurrency].map(([currency, amounts]) => ({ currency, amount: sumMoney(amounts, currency) }));
}

/** What POST /api/orders takes for the lines: the item's own term and cycle (one item is one term and cycle). */
export function linesIn(lines: DraftLine[]): OrderLineIn[] {
  return lines.map((line) => ({
    catalogItemId: line.item.catalogItemId,
    quantity: quantityOf(line) ?? 0,
    termDuration: line.item.termDuration as OrderLineIn["termDuration"],
    billingCycle: line.item.billingCycle as OrderLineIn["billingCycle"],
    ...(line.coterm ? { coterminateWith: line.coterm.subscriptionId } : {}),
    ...(line.promotion ? { promotionId: line.promotion.id } : {}),
  }));
}

/** The field paths the API may name for these lines (`lines[0].quantity`, ...). */
export function lineFields(count: number): string[] {
  const fields = ["lines"];
  for (let index = 0; index < count; index += 1) {
    for (const name of ["catalogItemId", "quantity", "termDuration", "billingCycle", "coterminateWith", "promotionId"]) {
      fields.push(`lines[${index}].${name}`);
    }
    fields.push(`lines[${index}]`);
  }
  return fields;
}

/** Human words for a term and a billing cycle. */
export { termLabel } from "../../lib/terms";

export function cycleLabel(cycle: string): string {
  return { monthly: "monthly", annual: "annual", triennial: "triennial", onetime: "one time" }[cycle.toLowerCase()] ?? cycle;
}
