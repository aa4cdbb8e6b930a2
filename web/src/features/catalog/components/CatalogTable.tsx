/** The catalog of one market at the caller's own prices; provider staff also see the cost and the sellable switch. */
import { Badge, Text } from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { EmptyState } from "../../../components/States";
import { formatMoney } from "../../../lib/money";
import {
  catalogPageQuery,
  offersByItem,
  usePromotions,
  type CatalogFilters,
  type CatalogItem,
  type PromotionOffer,
  type SellableChange,
} from "../api/catalog";
import { cycleLabel, termLabel } from "../format";
import { PromotionBadge } from "./PromotionsSection";
import { SellableCell } from "./SellableCell";

type SetSellable = UseMutationResult<unknown, Error, SellableChange, unknown>;

const price = (amount: string | null | undefined, currency: string): ReactNode =>
  amount === null || amount === undefined ? <Text italic>not priced</Text> : formatMoney(amount, currency);

function columnsFor(
  providerStaff: boolean,
  includeRetired: boolean,
  setSellable: SetSellable | null,
  promoted: Map<string, PromotionOffer[]>,
): Column<CatalogItem>[] {
  const columns: Column<CatalogItem>[] = [
    {
      key: "title",
      header: "Product",
      cell: (i) => (
        <>
          {i.title}
          {(promoted.get(i.catalogItemId) ?? []).map(({ promotion, item }) => (
            <Text block size={200} key={promotion.id}>
              <PromotionBadge discountPercent={promotion.discountPercent} />{" "}
              {item.promotionalPrice !== null ? `${formatMoney(item.promotionalPrice, item.currency)} under ${promotion.name}` : promotion.name}
            </Text>
          ))}
        </>
      ),
    },
    {
      key: "sku",
      header: "SKU",
      cell: (i) =>
        i.isAddon && i.prerequisiteSkus?.length ? (
          <>
            {i.skuTitle}
            <Text block size={200}>
              Add-on of {i.prerequisiteSkus.join(" or ")}
            </Text>
          </>
        ) : (
          i.skuTitle
        ),
    },
    { key: "term", header: "Term", cell: (i) => termLabel(i.termDuration) },
    { key: "cycle", header: "Billing cycle", cell: (i) => cycleLabel(i.billingCycle) },
    { key: "price", header: providerStaff ? "Price (yours)" : "Your price", cell: (i) => price(i.price, i.currency) },
    { key: "monthly", header: "Monthly equivalent", cell: (i) => price(i.monthlyEquivalent, i.currency) },
  ];
  if (!providerStaff) return columns;
  columns.push({ key: "cost", header: "Cost", cell: (i) => ("cost" in i ? price(i.cost, i.currency) : "—") });
  columns.push({
    key: "sellable",
    header: "Sellable",
    cell: (i) => ("sellable" in i ? <SellableCell item={i} setSellable={i.status === "active" ? setSellable : null} /> : "—"),
  });
  if (includeRetired) {
    columns.push({
      key: "status",
      header: "Status",
      cell: (i) =>
        i.status === "retired" ? (
          <Badge appearance="tint" color="subtle" shape="rounded">
            retired{i.retiredAt ? ` ${i.retiredAt.slice(0, 10)}` : ""}
          </Badge>
        ) : (
          "listed"
        ),
    });
  }
  return columns;
}

export function CatalogTable({
  filters,
  toolbar,
  providerStaff,
  setSellable,
}: {
  filters: CatalogFilters;
  toolbar: ReactNode;
  providerStaff: boolean;
  /** Provider admins only; null shows the state read-only. */
  setSellable: SetSellable | null;
}) {
  const promotions = usePromotions(filters.country);
  const promoted = offersByItem(promotions.data);
  const filtered = Boolean(filters.q || filters.productFamily || filters.termDuration || filters.billingCycle || filters.sellable !== null);
  const empty = filtered
    ? "No item of this market matches these filters."
    : providerStaff
      ? `Nothing in the ${filters.country} catalog yet. Sync it now to read it from Partner Center.`
      : `Nothing is on sale in the ${filters.country} market yet.`;
  return (
    <PagedTable
      label={`Catalog ${filters.country}`}
      columns={columnsFor(providerStaff, filters.includeRetired, setSellable, promoted)}
      rowKey={(i) => `${i.catalogItemId}|${i.country}`}
      page={catalogPageQuery(filters)}
      resetKey={JSON.stringify(filters)}
      toolbar={toolbar}
      empty={empty}
    />
  );
}

export function NoMarket({ toolbar }: { toolbar: ReactNode }) {
  return (
    <>
      {toolbar}
      <EmptyState>Choose a market (a two-letter country code) to see its catalog.</EmptyState>
    </>
  );
}
