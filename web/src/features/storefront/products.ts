/** Catalog items grouped into products: items of one product and SKU differ only by term and billing cycle, so
 * the customer picks one product and then its term and cycle. */
import { termLabel } from "../../lib/terms";
import type { CatalogItem } from "./api/storefront";

export interface Product {
  key: string;
  title: string;
  skuTitle: string;
  items: CatalogItem[];
}

const TERM_ORDER: Record<string, number> = { P1M: 1, P1Y: 2, P3Y: 3 };
const CYCLE_ORDER: Record<string, number> = { monthly: 1, annual: 2, triennial: 3, onetime: 4 };

/** In the catalog's order, each product once, its items shortest term first then by cycle. */
export function groupProducts(items: CatalogItem[]): Product[] {
  const products = new Map<string, Product>();
  for (const item of items) {
    const key = `${item.productId}:${item.skuId}`;
    const product = products.get(key) ?? { key, title: item.title, skuTitle: item.skuTitle, items: [] };
    product.items.push(item);
    products.set(key, product);
  }
  for (const product of products.values()) {
    product.items.sort(
      (a, b) =>
        (TERM_ORDER[a.termDuration] ?? 9) - (TERM_ORDER[b.termDuration] ?? 9) ||
        (CYCLE_ORDER[a.billingCycle] ?? 9) - (CYCLE_ORDER[b.billingCycle] ?? 9),
    );
  }
  return [...products.values()];
}

/** The product as people name it: its title and, when it differs, its SKU. */
export const productName = (item: Pick<CatalogItem, "title" | "skuTitle">) =>
  item.skuTitle && item.skuTitle !== item.title ? `${item.title} (${item.skuTitle})` : item.title;

export function cycleLabel(cycle: string): string {
  return { monthly: "billed monthly", annual: "billed annually", triennial: "billed every 3 years", onetime: "paid once" }[cycle.toLowerCase()] ?? cycle;
}

/** "1 year, billed monthly". */
export const choiceLabel = (item: Pick<CatalogItem, "termDuration" | "billingCycle">) =>
  `${termLabel(item.termDuration)}, ${cycleLabel(item.billingCycle)}`;
