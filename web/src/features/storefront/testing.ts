/** Catalog items for the storefront's tests. */
import type { CatalogItem } from "./api/storefront";

export function catalogItem(product: string, title: string, price: string | null, extra: Partial<CatalogItem> = {}): CatalogItem {
  const term = extra.termDuration ?? "P1Y";
  const cycle = extra.billingCycle ?? "monthly";
  return {
    catalogItemId: `${product}:0001:AV:${term}:${cycle}`,
    offerId: `${product}:0001:AV`,
    productId: product,
    skuId: "0001",
    availabilityId: "AV",
    title,
    skuTitle: title,
    termDuration: term,
    billingCycle: cycle,
    country: "DE",
    currency: "EUR",
    price,
    minQuantity: 1,
    maxQuantity: 300,
    isAddon: false,
    status: "active",
    productFamily: "OnlineServicesNCE",
    productType: "OnlineServicesNCE",
    monthlyEquivalent: price,
    cancellationWindow: "P7D",
    ...extra,
  };
}
