import { queryOptions, useMutation, useQuery, useQueryClient, type Query } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import type { SubscriptionLifeFields, SubscriptionLifePatch } from "../../../lib/api/extra";
import type { paths } from "../../../lib/api/schema";

export type Subscription = Schemas["SubscriptionOut"] & SubscriptionLifeFields;
export type SubscriptionPage = Omit<Schemas["SubscriptionPage"], "items"> & { items: Subscription[] };
export type SubscriptionPatch = Schemas["SubscriptionPatch"] & SubscriptionLifePatch;
export type PendingChange = Schemas["ChangeOut"];
export type SeatLot = Schemas["LotOut"];

/** The states Partner Center gives a subscription ("deleted" is a cancelled one). */
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = [
  "active",
  "suspended",
  "pending",
  "deleted",
  "expired",
  "disabled",
];

/** Whether a value (from a filter's select) is one of the statuses a list can be narrowed to. */
export const isSubscriptionStatus = (value: string): value is SubscriptionStatus =>
  (SUBSCRIPTION_STATUSES as readonly string[]).includes(value);

/** How often a change being applied is looked at again, until it is applied or refused. */
export const FOLLOW_INTERVAL_MS = 1500;

export const subscriptionKeys = {
  all: ["subscriptions"] as const,
  customer: (customerId: string) => ["subscriptions", "list", customerId] as const,
  list: (customerId: string, status: string | null, token: string | null) =>
    ["subscriptions", "list", customerId, { status, token }] as const,
  detail: (id: string) => ["subscriptions", "detail", id] as const,
};

export const isPending = (sub: Subscription) => sub.pendingChange?.status === "pending";

/** The statuses a list can be narrowed to (the API's `status` filter). */
export type SubscriptionStatus = NonNullable<
  NonNullable<paths["/api/subscriptions"]["get"]["parameters"]["query"]>["status"]
>[number];

export const subscriptionsPageQuery = (customerId: string, status: SubscriptionStatus | null) => (token: string | null) =>
  queryOptions({
    queryKey: subscriptionKeys.list(customerId, status, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/subscriptions", {
          params: {
            query: { customerId, status: status ? [status] : undefined, limit: 50, continuationToken: token ?? undefined },
          },
        }),
      ),
    // A change in flight on any row: read the page again until it settles.
    refetchInterval: (query: Query<SubscriptionPage>) =>
      query.state.data?.items.some(isPending) ? FOLLOW_INTERVAL_MS : false,
  });

export const subscriptionQuery = (id: string) =>
  queryOptions({
    queryKey: subscriptionKeys.detail(id),
    queryFn: () =>
      unwrap(api.GET("/api/subscriptions/{subscription_id}", { params: { path: { subscription_id: id } } })),
    refetchInterval: (query: Query<Subscription>) =>
      query.state.data && isPending(query.state.data) ? FOLLOW_INTERVAL_MS : false,
  });

export function useSubscription(id: string) {
  return useQuery(subscriptionQuery(id));
}

/** What an answer brings: the subscription as the API now holds it, and the customer's lists read again. */
export function useStoreAnswer() {
  const queryClient = useQueryClient();
  return (sub: Subscription) => {
    queryClient.setQueryData(subscriptionKeys.detail(sub.id), sub);
    return queryClient.invalidateQueries({ queryKey: subscriptionKeys.customer(sub.customerId) });
  };
}

/** PATCH one of `{quantity}`, `{autoRenew}`, `{status}`, `{endOfTerm}`: 202 with the change pending, applied
 * through the queue. */
export function useChangeSubscription(id: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: (body: SubscriptionPatch): Promise<Subscription> =>
      unwrap(
        api.PATCH("/api/subscriptions/{subscription_id}", {
          params: { path: { subscription_id: id } },
          body: body as Schemas["SubscriptionPatch"],
        }),
      ),
    onSuccess: store,
  });
}

/** 202 inside the cancellation window, 409 with the reason outside. */
export function useCancelSubscription(id: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/subscriptions/{subscription_id}/cancel", { params: { path: { subscription_id: id } } })),
    onSuccess: store,
  });
}

/** Read from Partner Center now (503 when it does not answer). */
export function useSyncSubscription(id: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/subscriptions/{subscription_id}/sync", { params: { path: { subscription_id: id } } })),
    onSuccess: store,
  });
}

/** Every subscription of the customer read from Partner Center now: `{synced}`, and the list read again. */
export function useSyncCustomerSubscriptions(customerId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/customers/{customer_id}/subscriptions/sync", { params: { path: { customer_id: customerId } } }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: subscriptionKeys.customer(customerId) }),
        queryClient.invalidateQueries({ queryKey: ["subscriptions", "detail"] }),
      ]),
  });
}
