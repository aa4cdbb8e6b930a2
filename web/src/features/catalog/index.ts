export {
  MARKET_ITEMS_LIMIT,
  catalogKeys,
  catalogPageQuery,
  useCatalogSettings,
  useCustomerMarkets,
  useMarkets,
  useMarketItems,
  useSetSellable,
  useSyncCatalog,
  type CatalogFilters,
  type CatalogItem,
  type MarketOf,
  type SyncResult,
} from "./api/catalog";
export { CatalogFilterBar, type DraftFilters } from "./components/CatalogFilterBar";
export { CatalogSettingsSwitch } from "./components/CatalogSettingsSwitch";
export { CatalogTable, NoMarket } from "./components/CatalogTable";
export { MarketField } from "./components/MarketField";
export { SellableOutcome } from "./components/SellableOutcome";
export { SyncButton, SyncOutcome } from "./components/SyncCatalog";
export { cycleLabel, isCountry, itemLabel, termLabel } from "./format";
