/** The storefront's cart: catalog items with a quantity each, what they come to at the customer's own price
 * (exactly, through lib/money), and whether the order will wait for the reseller's approval. */
import { formatMoney, sumMoney, timesQuantity, toMinor } from "../../lib/money";
import type { CatalogItem, OrderLineIn } from "./api/storefront";

export interface CartLine {
  /** The item as the catalog showed it when it was added (its price included). */
  item: CatalogItem;
  quantity: number;
  /** A promotion of the customer's market the line is bought under, with the customer's price under it. */
  promotion?: CartPromotion;
}

export interface CartPromotion {
  id: string;
  name: string;
  discountPercent: string;
  promotionalPrice: string | null;
}

export const MAX_CART_LINES = 50;

/** The customer's unit price of the line: the promotional price under a promotion. */
export const cartUnitPrice = (line: CartLine): string | null | undefined =>
  line.promotion ? line.promotion.promotionalPrice : line.item.price;

/** The line's total: unit price × quantity (null when the item has no price). */
export const cartLineTotal = (line: CartLine): string | null =>
  timesQuantity(cartUnitPrice(line), line.quantity, line.item.currency);

/** The cart's total in its currency (a customer buys in its one market's currency); null when a line has no price. */
export function cartTotal(lines: CartLine[]): { amount: string | null; currency: string | null } {
  const currency = lines[0]?.item.currency ?? null;
  if (!currency) return { amount: null, currency: null };
  if (lines.some((line) => line.item.currency !== currency)) return { amount: null, currency };
  return { amount: sumMoney(lines.map(cartLineTotal), currency), currency };
}

/** Adds an item (or more of one already in the cart), keeping at most MAX_CART_LINES lines. */
export function addToCart(lines: CartLine[], item: CatalogItem, quantity: number): CartLine[] {
  const existing = lines.find((line) => line.item.catalogItemId === item.catalogItemId);
  if (existing) {
    return lines.map((line) => (line === existing ? { ...line, item, quantity: line.quantity + quantity } : line));
  }
  return lines.length >= MAX_CART_LINES ? lines : [...lines, { item, quantity }];
}

export const setQuantity = (lines: CartLine[], catalogItemId: string, quantity: number): CartLine[] =>
  lines.map((line) => (line.item.catalogItemId === catalogItemId ? { ...line, quantity } : line));

export const setPromotion = (lines: CartLine[], catalogItemId: string, promotion: CartPromotion | null): CartLine[] =>
  lines.map((line) => {
    if (line.item.catalogItemId !== catalogItemId) return line;
    const { promotion: _dropped, ...rest } = line;
    return promotion ? { ...rest, promotion } : rest;
  });

export const removeLine = (lines: CartLine[], catalogItemId: string): CartLine[] =>
  lines.filter((line) => line.item.catalogItemId !== catalogItemId);

/** Why a quantity cannot be ordered (the item's own bounds), or null. */
export function quantityProblem(item: CatalogItem, quantity: number | null): string | null {
  if (quantity === null || !Number.isInteger(quantity)) return "Enter a whole number.";
  const low = item.minQuantity ?? 1;
  const high = item.maxQuantity;
  if (quantity < low || (high !== null && quantity > high)) {
    return high !== null ? `Between ${low} and ${high}.` : `At least ${low}.`;
  }
  return null;
}

/** A quantity as typed: a whole number, or null. */
export function parseQuantity(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,6}$/.test(trimmed) ? Number.parseInt(trimmed, 10) : null;
}

/** What POST /api/storefront/orders takes: each item with its own term and cycle. */
export function orderLines(lines: CartLine[]): OrderLineIn[] {
  return lines.map((line) => ({
    catalogItemId: line.item.catalogItemId,
    quantity: line.quantity,
    termDuration: line.item.termDuration as OrderLineIn["termDuration"],
    billingCycle: line.item.billingCycle as OrderLineIn["billingCycle"],
    ...(line.promotion ? { promotionId: line.promotion.id } : {}),
  }));
}

export interface ApprovalRule {
  /** "Orders over 500.00 EUR wait for your reseller's approval." */
  rule: string;
  /** This cart's total is over the threshold: the order will wait. */
  waits: boolean;
}

/** The policy's approval rule as the customer reads it; null when no order waits. */
export function approvalRule(threshold: string | null | undefined, currency: string | null | undefined, total: string | null): ApprovalRule | null {
  if (threshold === null || threshold === undefined || !currency) return null;
  const limit = toMinor(threshold, currency);
  const amount = total === null ? null : toMinor(total, currency);
  return {
    rule: `Orders over ${formatMoney(threshold, currency)} wait for your reseller's approval.`,
    waits: limit !== null && amount !== null && amount > limit,
  };
}
