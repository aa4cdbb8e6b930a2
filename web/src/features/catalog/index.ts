export {
  MARKET_ITEMS_LIMIT,
  catalogKeys,
  offersByItem,
  catalogPageQuery,
  useCatalogSettings,
  useCustomerMarkets,
  useMarkets,
  useMarketItems,
  usePromotions,
  useSetSellable,
  useSyncCatalog,
  type CatalogFilters,
  type CatalogItem,
  type MarketOf,
  type Promotion,
  type PromotionOffer,
  type SyncResult,
} from "./api/catalog";
export { CatalogFilterBar, type DraftFilters } from "./components/CatalogFilterBar";
export { CatalogSettingsSwitch } from "./components/CatalogSettingsSwitch";
export { CatalogTable, NoMarket } from "./components/CatalogTable";
export { PromotionBadge, PromotionsSection } from "./components/PromotionsSection";
export { PromotionPassThroughField } from "./components/PromotionPassThroughField";
export { passThroughFraction, passThroughPercent, promotionDates, seatLimits } from "./promotions";
export { MarketField } from "./components/MarketField";
export { SellableOutcome } from "./components/SellableOutcome";
export { SyncButton, SyncOutcome } from "./components/SyncCatalog";
export { cycleLabel, isCountry, itemLabel, termLabel } from "./format";
