import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type CatalogItem = Schemas["CatalogItemOut"];
export type CatalogPage = Schemas["CatalogPageOut"];
export type SyncResult = Schemas["SyncOut"];
export type MarketSync = Schemas["MarketSyncOut"];
export type CatalogSettings = Schemas["CatalogSettingsOut"];
export type Promotion = Schemas["PromotionOut"];
export type PromotionItem = Schemas["PromotionItemOut"];

export interface CatalogFilters {
  /** Two letters, upper case. */
  country: string;
  q: string | null;
  productFamily: string | null;
  termDuration: string | null;
  billingCycle: string | null;
  /** Provider staff: only sellable (true) or only switched-off (false) items. */
  sellable: boolean | null;
  /** Provider staff: retired items too. */
  includeRetired: boolean;
}

export const catalogKeys = {
  all: ["catalog"] as const,
  page: (filters: CatalogFilters, token: string | null) => ["catalog", "page", { ...filters, token }] as const,
  market: (where: MarketOf) => ["catalog", "market", where] as const,
  settings: () => ["catalog", "settings"] as const,
  customerMarkets: (resellerId: string | null) => ["catalog", "customer-markets", resellerId] as const,
  markets: () => ["catalog", "markets"] as const,
  promotions: (country: string | null) => ["catalog", "promotions", country] as const,
};

export const catalogPageQuery = (filters: CatalogFilters) => (token: string | null) =>
  queryOptions({
    queryKey: catalogKeys.page(filters, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/catalog", {
          params: {
            query: {
              country: filters.country,
              q: filters.q ?? undefined,
              productFamily: filters.productFamily ?? undefined,
              termDuration: filters.termDuration ?? undefined,
              billingCycle: filters.billingCycle ?? undefined,
              sellable: filters.sellable ?? undefined,
              includeRetired: filters.includeRetired || undefined,
              limit: 50,
              continuationToken: token ?? undefined,
            },
          },
        }),
      ),
  });

/** One market's catalog (by country, or a customer's own market), at the caller's prices. */
export type MarketOf = { country: string } | { customerId: string };

export const MARKET_ITEMS_LIMIT = 500;

/** The first 500 items of a market, for pickers and previews (the caller's prices; provider staff also cost). */
export function useMarketItems(where: MarketOf | null) {
  return useQuery({
    queryKey: catalogKeys.market(where ?? { country: "" }),
    enabled: where !== null,
    staleTime: 60 * 1000,
    queryFn: () =>
      unwrap(
        api.GET("/api/catalog", {
          params: {
            query: {
              ...(where && "customerId" in where ? { customerId: where.customerId } : { country: where?.country }),
              limit: MARKET_ITEMS_LIMIT,
            },
          },
        }),
      ),
  });
}

/** The markets whose catalog the caller can read (the provider's: those synced, then its customers'). */
export function useMarkets() {
  return useQuery({
    queryKey: catalogKeys.markets(),
    staleTime: 60 * 1000,
    queryFn: () => unwrap(api.GET("/api/catalog/markets")),
    select: (answer) => answer.items,
  });
}

/** The markets of the caller's customers (one reseller's, when named), most common first: the ones to offer first
 * in a market field. */
export function useCustomerMarkets(resellerId: string | null = null) {
  return useQuery({
    queryKey: catalogKeys.customerMarkets(resellerId),
    staleTime: 60 * 1000,
    queryFn: () =>
      unwrap(api.GET("/api/customers", { params: { query: { resellerId: resellerId ?? undefined, limit: 500 } } })),
    select: (page) => {
      const counts = new Map<string, number>();
      for (const customer of page.items) {
        if (customer.country) counts.set(customer.country.toUpperCase(), (counts.get(customer.country.toUpperCase()) ?? 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([country]) => country);
    },
  });
}

/** The active promotions of a market (a customer admin's own market when null), each with the items it applies
 * to at the caller's own price and promotional price. */
export function usePromotions(country: string | null, enabled = true) {
  return useQuery({
    queryKey: catalogKeys.promotions(country),
    enabled,
    staleTime: 60 * 1000,
    queryFn: () =>
      unwrap(api.GET("/api/catalog/promotions", { params: { query: { country: country ?? undefined } } })),
    select: (answer) => answer.items,
  });
}

/** A promotion as it applies to one catalog item (its term and cycle), with the caller's promotional price. */
export interface PromotionOffer {
  promotion: Promotion;
  item: PromotionItem;
}

/** The promotions that apply to each catalog item, by catalog item id. */
export function offersByItem(promotions: Promotion[] | undefined): Map<string, PromotionOffer[]> {
  const byItem = new Map<string, PromotionOffer[]>();
  for (const promotion of promotions ?? []) {
    for (const item of promotion.items) {
      byItem.set(item.catalogItemId, [...(byItem.get(item.catalogItemId) ?? []), { promotion, item }]);
    }
  }
  return byItem;
}

export function useCatalogSettings(enabled: boolean) {
  return useQuery({
    queryKey: catalogKeys.settings(),
    enabled,
    queryFn: () => unwrap(api.GET("/api/catalog/settings")),
  });
}

export function useSetCatalogSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["CatalogSettingsIn"]) => unwrap(api.PUT("/api/catalog/settings", { body })),
    onSuccess: (settings) => queryClient.setQueryData(catalogKeys.settings(), settings),
  });
}

export interface SellableChange {
  item: CatalogItem;
  sellable: boolean;
}

/** Provider admins: one item switched on or off in its market; the listing is read again. */
export function useSetSellable() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ item, sellable }: SellableChange) =>
      unwrap(
        api.PUT("/api/catalog/items/{catalog_item_id}/sellable", {
          params: { path: { catalog_item_id: item.catalogItemId } },
          body: { sellable, country: item.country },
        }),
      ),
    onSuccess: (answer) => {
      // Show the stored state at once, then read the listing again (a filtered page may lose the item).
      const stored = new Map(answer.items.map((i) => [`${i.catalogItemId}|${i.country}`, i.sellable]));
      queryClient.setQueriesData<CatalogPage>({ queryKey: ["catalog", "page"] }, (page) =>
        page
          ? {
              ...page,
              items: page.items.map((i) => {
                const sellable = stored.get(`${i.catalogItemId}|${i.country}`);
                return sellable === undefined ? i : { ...i, sellable };
              }),
            }
          : page,
      );
      return queryClient.invalidateQueries({ queryKey: catalogKeys.all });
    },
  });
}

/** Provider staff: reads a market (or, without one, every market) from Partner Center now. */
export function useSyncCatalog() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (country: string | null) =>
      unwrap(api.POST("/api/catalog/sync", { body: country ? { country } : {} })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: catalogKeys.all }),
  });
}
