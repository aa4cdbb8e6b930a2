/** The orders and subscriptions of every customer in the caller's scope, one page at a time. */
import { queryOptions, useQuery, type Query } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { customerQuery } from "../../customers";
import { inFlight } from "../../orders";
import { ordersQuery, subscriptionsQuery, type OrderFilters, type SubscriptionFilters } from "../filters";

export type WorkOrder = Schemas["OrderOut"];
export type WorkSubscription = Schemas["SubscriptionOut"];

/** How often a page holding an order still being provisioned (or a subscription change being applied) is read again. */
export const FOLLOW_MS = 5000;

const PAGE_SIZE = 25;

export const worklistKeys = {
  // Under ["orders", "list"]: an approval or rejection anywhere reads these pages again.
  orders: (filters: OrderFilters, token: string | null) => ["orders", "list", "scope", { ...filters, token }] as const,
  subscriptions: (filters: SubscriptionFilters, now: string, token: string | null) =>
    ["subscriptions", "list", "scope", { ...filters, now, token }] as const,
};

export const workOrdersPageQuery = (filters: OrderFilters) => (token: string | null) =>
  queryOptions({
    queryKey: worklistKeys.orders(filters, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/orders", {
          params: { query: { ...ordersQuery(filters), limit: PAGE_SIZE, continuationToken: token ?? undefined } },
        }),
      ),
    refetchInterval: (query: Query<Schemas["OrderPage"]>) =>
      query.state.data?.items.some((o) => inFlight(o.status)) ? FOLLOW_MS : false,
  });

export const workSubscriptionsPageQuery = (filters: SubscriptionFilters, now: Date) => (token: string | null) =>
  queryOptions({
    queryKey: worklistKeys.subscriptions(filters, now.toISOString(), token),
    queryFn: () =>
      unwrap(
        api.GET("/api/subscriptions", {
          params: {
            query: { ...subscriptionsQuery(filters, now), limit: PAGE_SIZE, continuationToken: token ?? undefined },
          },
        }),
      ),
    refetchInterval: (query: Query<Schemas["SubscriptionPage"]>) =>
      query.state.data?.items.some((s) => s.pendingChange?.status === "pending") ? FOLLOW_MS : false,
  });

/** A customer's name for a row: read once per customer and kept a while (rows of one customer share it). */
export function useCustomerName(id: string): string | null {
  const customer = useQuery({ ...customerQuery(id), staleTime: 5 * 60 * 1000, retry: false });
  return customer.data?.name ?? null;
}
