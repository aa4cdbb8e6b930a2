/** /catalog: the catalog of a market at the caller's own prices; the provider's sellable switch and sync. */
import { Text } from "@fluentui/react-components";
import { useSearchParams } from "react-router";
import { Page, Section } from "../../components/Page";
import { Loading } from "../../components/States";
import {
  CatalogFilterBar,
  CatalogSettingsSwitch,
  CatalogTable,
  NoMarket,
  PromotionPassThroughField,
  PromotionsSection,
  SellableOutcome,
  SyncButton,
  SyncOutcome,
  isCountry,
  useMarkets,
  useSetSellable,
  useSyncCatalog,
  type DraftFilters,
} from "../../features/catalog";
import { DefaultMarginForm } from "../../features/pricing";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

function filtersOf(params: URLSearchParams, fallbackCountry: string | null, providerStaff: boolean): DraftFilters {
  const country = params.get("country");
  const sellable = params.get("sellable");
  return {
    country: country && isCountry(country) ? country.toUpperCase() : fallbackCountry,
    q: params.get("q") || null,
    productFamily: params.get("productFamily") || null,
    termDuration: params.get("termDuration") || null,
    billingCycle: params.get("billingCycle") || null,
    sellable: providerStaff && (sellable === "true" || sellable === "false") ? sellable === "true" : null,
    includeRetired: providerStaff && params.get("includeRetired") === "true",
  };
}

function searchOf(filters: DraftFilters): Record<string, string> {
  const search: Record<string, string> = {};
  if (filters.country) search.country = filters.country;
  if (filters.q) search.q = filters.q;
  if (filters.productFamily) search.productFamily = filters.productFamily;
  if (filters.termDuration) search.termDuration = filters.termDuration;
  if (filters.billingCycle) search.billingCycle = filters.billingCycle;
  if (filters.sellable !== null) search.sellable = String(filters.sellable);
  if (filters.includeRetired) search.includeRetired = "true";
  return search;
}

export default function CatalogRoute() {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const providerAdmin = me.role === "provider.admin";
  const [params, setParams] = useSearchParams();
  const markets = useMarkets();
  const sync = useSyncCatalog();
  const setSellable = useSetSellable();
  const suggestions = markets.data ?? [];
  const filters = filtersOf(params, suggestions[0] ?? null, providerStaff);

  const waitingForDefault = !params.get("country") && markets.isPending;
  const toolbar = (
    <CatalogFilterBar
      filters={filters}
      onFilters={(next) => setParams(searchOf(next), { replace: true })}
      suggestions={suggestions}
      providerStaff={providerStaff}
    />
  );

  return (
    <Page
      title="Catalog"
      actions={providerStaff ? <SyncButton sync={sync} country={filters.country} /> : undefined}
    >
      <Text>
        {providerStaff
          ? "Each item at the provider's cost, as Microsoft prices it. Switch off what resellers and their customers may not buy."
          : "Each item at your own price: what the provider charges you."}
      </Text>
      {providerStaff ? <SyncOutcome sync={sync} /> : null}
      {providerAdmin ? <SellableOutcome setSellable={setSellable} /> : null}
      {waitingForDefault ? (
        <Loading label="Loading your markets…" />
      ) : filters.country ? (
        <CatalogTable
          filters={{ ...filters, country: filters.country }}
          toolbar={toolbar}
          providerStaff={providerStaff}
          setSellable={providerAdmin ? setSellable : null}
        />
      ) : (
        <NoMarket toolbar={toolbar} />
      )}
      {filters.country ? <PromotionsSection country={filters.country} providerStaff={providerStaff} /> : null}
      {providerStaff ? (
        <Section title="Catalog settings">
          <CatalogSettingsSwitch mayChange={providerAdmin} />
          <PromotionPassThroughField mayChange={providerAdmin} />
          <DefaultMarginForm
            of={{ kind: "provider", id: me.orgId }}
            label="Provider's default margin over cost"
            emptyMeans="resellers without a margin of their own pay the cost as it is"
            editable={providerAdmin}
          />
        </Section>
      ) : null}
    </Page>
  );
}
