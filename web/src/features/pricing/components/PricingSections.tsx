/** The pricing of a reseller (what the provider charges it) and of a customer (what its reseller charges it). */
import type { UseMutationResult, UseQueryResult } from "@tanstack/react-query";
import { MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type ReactNode } from "react";
import { Section } from "../../../components/Page";
import { ErrorState, Loading } from "../../../components/States";
import type { Schemas } from "../../../lib/api/client";
import { isApiError } from "../../../lib/api/problem";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../../lib/roles";
import { MARKET_ITEMS_LIMIT, MarketField, isCountry, useCustomerMarkets, useMarkets, useMarketItems, type CatalogItem } from "../../catalog";
import { useDefaultMargin, usePricing, useSavePricing, type Buyer, type Pricing, type PricingSave, type Versioned } from "../api/pricing";
import { changedAt, describeMargin } from "../margin";
import { ruleOf, tierPrice } from "../rules";
import { DefaultMarginForm } from "./DefaultMarginForm";
import { PricingForm } from "./PricingForm";
import type { Supplier } from "./PricePreview";

const useStyles = makeStyles({
  part: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

function storedSummary(pricing: Pricing): string {
  const fixed = pricing.overrides.length === 1 ? "1 fixed price" : `${pricing.overrides.length} fixed prices`;
  const when = pricing.updatedAt
    ? `, changed ${changedAt(pricing.updatedAt)}${pricing.updatedBy ? ` by ${pricing.updatedBy}` : ""}`
    : ", never changed";
  return `Stored: margin ${describeMargin(pricing.margin)}, ${fixed}${when}.`;
}

function Outcome({ save }: { save: UseMutationResult<Versioned, Error, PricingSave, unknown> }) {
  if (isApiError(save.error, 412)) {
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Someone else changed this pricing</MessageBarTitle>
          It changed after you opened it, so nothing was saved. The current version is loaded again: check it and make
          your change once more.
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (!save.isSuccess) return null;
  return (
    <MessageBar intent="success">
      <MessageBarBody>Pricing saved. The catalog now shows the stored prices.</MessageBarBody>
    </MessageBar>
  );
}

function itemsNote(items: UseQueryResult<{ items: CatalogItem[]; continuationToken: string | null }>, noMarket: string | null) {
  if (noMarket) return <Text>{noMarket}</Text>;
  if (items.isPending) return <Loading label="Loading the market's items…" />;
  if (items.isError) return <ErrorState error={items.error} onRetry={() => void items.refetch()} />;
  if (items.data.continuationToken) return <Text>The item list holds the market&apos;s first {MARKET_ITEMS_LIMIT} items.</Text>;
  if (items.data.items.length === 0) return <Text>This market&apos;s catalog has no items yet.</Text>;
  return null;
}

/** Loads a buyer's pricing and shows the form once it is known; a reload after a 412 remounts it. */
function BuyerPricing({
  buyer,
  children,
}: {
  buyer: Buyer;
  children: (saved: Versioned, save: UseMutationResult<Versioned, Error, PricingSave, unknown>) => ReactNode;
}) {
  const styles = useStyles();
  const pricing = usePricing(buyer);
  const save = useSavePricing(buyer);
  if (pricing.isPending) return <Loading label="Loading the pricing…" />;
  if (pricing.isError) return <ErrorState error={pricing.error} onRetry={() => void pricing.refetch()} />;
  return (
    <div className={styles.part}>
      <Text role="status">{storedSummary(pricing.data.pricing)}</Text>
      <Outcome save={save} />
      <div key={pricing.data.etag ?? "none"}>{children(pricing.data, save)}</div>
    </div>
  );
}

/** What a buyer without a margin of its own pays. */
function fallbackText(known: boolean, margin: string | null, supplier: string, price: string): string {
  if (!known) return "";
  return margin === null
    ? `Without a margin of its own it pays ${price} as it is (${supplier} has no default margin).`
    : `Without a margin of its own it pays ${supplier}'s default margin of ${describeMargin(margin)}.`;
}

// -- a reseller ------------------------------------------------------------------------------------------------------

export function ResellerPricingSection({ reseller }: { reseller: Schemas["ResellerOut"] }) {
  const me = useMe();
  if (!isProviderStaff(me.role)) return null;
  return <ResellerPricing reseller={reseller} />;
}

function ResellerPricing({ reseller }: { reseller: Schemas["ResellerOut"] }) {
  const styles = useStyles();
  const own = useCustomerMarkets(reseller.id);
  const all = useMarkets();
  const providerDefault = useDefaultMargin({ kind: "provider", id: reseller.providerId });
  const suggestions = [...new Set([...(own.data ?? []), ...(all.data ?? [])])];
  const [typed, setTyped] = useState<string | null>(null);
  const market = typed ?? suggestions[0] ?? "";
  const items = useMarketItems(isCountry(market) ? { country: market } : null);
  const supplier: Supplier = { label: "Cost", price: (item) => item.cost ?? null };
  const defaultMargin = providerDefault.data?.margin ?? null;

  return (
    <Section title="Pricing">
      <Text>
        What the provider charges {reseller.name}: a margin over the provider&apos;s cost, and fixed prices for some
        items. {fallbackText(providerDefault.isSuccess, defaultMargin, "the provider", "the cost")}
      </Text>
      {providerDefault.isError ? <ErrorState error={providerDefault.error} /> : null}
      <div className={styles.part}>
        <MarketField
          label="Market for the item list and the preview"
          value={market}
          onValue={setTyped}
          suggestions={suggestions}
        />
      </div>
      <BuyerPricing buyer={{ kind: "reseller", id: reseller.id }}>
        {(saved, save) => (
          <PricingForm
            saved={saved}
            save={save}
            items={items.data?.items ?? []}
            itemsNote={itemsNote(items, isCountry(market) ? null : "Choose a market to pick items and see their prices.")}
            supplier={supplier}
            marginLabel="Margin over cost"
            defaultLabel="the provider's default margin"
            defaultMargin={defaultMargin}
          />
        )}
      </BuyerPricing>
      <div className={styles.part}>
        <Subtitle2 as="h3">Default margin for its customers</Subtitle2>
        <DefaultMarginForm
          of={{ kind: "reseller", id: reseller.id }}
          label="Reseller's default margin over its price"
          emptyMeans="customers without a margin of their own pay the reseller's price as it is"
          editable
        />
      </div>
    </Section>
  );
}

// -- a customer ------------------------------------------------------------------------------------------------------

export function CustomerPricingSection({ customer }: { customer: Schemas["CustomerOut"] }) {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const ownReseller = isResellerStaff(me.role) && me.orgId === customer.resellerId;
  if (!providerStaff && !ownReseller) return null;
  return <CustomerPricing customer={customer} providerStaff={providerStaff} resellerAdmin={ownReseller && me.role === "reseller.admin"} />;
}

/** Provider staff price a customer from the cost, through its reseller's pricing; reseller staff from their own
 * price as the catalog gives it. */
function useResellerPrice(customer: Schemas["CustomerOut"], providerStaff: boolean): { supplier: Supplier; note: string | null } {
  const resellerPricing = usePricing(providerStaff ? { kind: "reseller", id: customer.resellerId } : null);
  const providerDefault = useDefaultMargin(providerStaff ? { kind: "provider", id: customer.providerId } : null);
  if (!providerStaff) {
    return {
      supplier: { label: "Your price", price: (item) => item.price },
      note:
        "The preview starts from your price as the catalog shows it; where your own price has fractions of a cent, " +
        "the stored price can differ by one minor unit.",
    };
  }
  const rule = resellerPricing.data ? ruleOf(resellerPricing.data.pricing) : null;
  const fallback = providerDefault.data?.margin ?? null;
  return {
    supplier: {
      label: "Reseller's price",
      price: (item) => (rule ? tierPrice(item.cost ?? null, item, rule, fallback).exact : null),
    },
    note: null,
  };
}

function CustomerPricing({
  customer,
  providerStaff,
  resellerAdmin,
}: {
  customer: Schemas["CustomerOut"];
  providerStaff: boolean;
  resellerAdmin: boolean;
}) {
  const styles = useStyles();
  const resellerDefault = useDefaultMargin({ kind: "reseller", id: customer.resellerId });
  const items = useMarketItems(customer.country ? { customerId: customer.id } : null);
  const { supplier, note } = useResellerPrice(customer, providerStaff);
  const defaultMargin = resellerDefault.data?.margin ?? null;
  const noMarket = customer.country
    ? null
    : "The customer's market is not known yet: check its relationship first to pick items for fixed prices.";

  return (
    <Section title="Pricing">
      <Text>
        What the reseller charges {customer.name}
        {customer.country ? ` in its market (${customer.country}${customer.currency ? `, ${customer.currency}` : ""})` : ""}: a
        margin over the reseller&apos;s price, and fixed prices for some items.{" "}
        {fallbackText(resellerDefault.isSuccess, defaultMargin, "the reseller", "the reseller's price")}
      </Text>
      {note ? <Text size={200}>{note}</Text> : null}
      {resellerDefault.isError ? <ErrorState error={resellerDefault.error} /> : null}
      <BuyerPricing buyer={{ kind: "customer", id: customer.id }}>
        {(saved, save) => (
          <PricingForm
            saved={saved}
            save={save}
            items={items.data?.items ?? []}
            itemsNote={itemsNote(items, noMarket)}
            supplier={supplier}
            marginLabel="Margin over the reseller's price"
            defaultLabel="the reseller's default margin"
            defaultMargin={defaultMargin}
          />
        )}
      </BuyerPricing>
      {resellerAdmin ? (
        <div className={styles.part}>
          <Subtitle2 as="h3">Your default margin</Subtitle2>
          <DefaultMarginForm
            of={{ kind: "reseller", id: customer.resellerId }}
            label="Default margin for customers without their own"
            emptyMeans="those customers pay your price as it is"
            editable
          />
        </div>
      ) : null}
    </Section>
  );
}
