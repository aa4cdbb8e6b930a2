/** The storefront through the API: the customer's own catalog, orders, subscriptions and charges, and its
 * customer record (the storefront switch and policy, its currency). Every store route answers 403 while the
 * storefront is off or the customer offboarded; the pages show that reason. */
import { infiniteQueryOptions, keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient, type Query } from "@tanstack/react-query";
import { api, authJson, unwrap, type Schemas } from "../../../lib/api/client";
import type { RenewalIn, StorefrontPolicyLife, SubscriptionLifeFields } from "../../../lib/api/extra";

export type CatalogItem = Schemas["CatalogItemOut"];
export type OrderLineIn = Schemas["OrderLineIn"];
export type StoreOrder = Schemas["OrderOut"];
export type StoreOrderStatus = StoreOrder["status"];
export type StoreSubscription = Schemas["SubscriptionOut"] & SubscriptionLifeFields;
export type StoreSubscriptionPage = Omit<Schemas["SubscriptionPage"], "items"> & { items: StoreSubscription[] };
export type Charges = Schemas["ChargesOut"];
export type Customer = Schemas["CustomerOut"];

/** Whether the customer's admins may schedule changes at renewal themselves (off unless the reseller allows it). */
export const allowsRenewalChanges = (customer: Customer | undefined): boolean =>
  (customer?.storefrontPolicy as (Customer["storefrontPolicy"] & StorefrontPolicyLife) | undefined)?.allowRenewalChanges === true;

/** Not settled yet: waiting for approval or being provisioned; worth reading again. */
export const orderUnsettled = (status: StoreOrderStatus) =>
  status === "pendingApproval" || status === "accepted" || status === "provisioning";

export const ORDER_FOLLOW_MS = 2000;
export const CHANGE_FOLLOW_MS = 1500;

export const storeKeys = {
  all: ["storefront"] as const,
  customer: (id: string) => ["storefront", "customer", id] as const,
  catalog: (q: string) => ["storefront", "catalog", q] as const,
  orders: (token: string | null) => ["storefront", "orders", { token }] as const,
  order: (id: string) => ["storefront", "order", id] as const,
  subscriptions: (token: string | null) => ["storefront", "subscriptions", { token }] as const,
  charges: (period: string) => ["storefront", "charges", period] as const,
};

/** The customer's own record: its storefront policy and currency. */
export function useStoreCustomer(customerId: string) {
  return useQuery({
    queryKey: storeKeys.customer(customerId),
    queryFn: () => unwrap(api.GET("/api/customers/{customer_id}", { params: { path: { customer_id: customerId } } })),
    staleTime: 60 * 1000,
  });
}

/** The catalog at the customer's own prices, page after page ("Show more products"). */
export const storeCatalogQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: storeKeys.catalog(q),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/storefront/catalog", {
          params: { query: { q: q || undefined, limit: 100, continuationToken: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.continuationToken ?? null,
    // the cards stay while a new search is read: a choice being made in one is not lost
    placeholderData: keepPreviousData,
    staleTime: 60 * 1000,
    retry: false,
  });

export const storeOrdersPageQuery = (token: string | null) =>
  queryOptions({
    queryKey: storeKeys.orders(token),
    queryFn: () =>
      unwrap(api.GET("/api/storefront/orders", { params: { query: { limit: 20, continuationToken: token ?? undefined } } })),
    refetchInterval: (query) => (query.state.data?.items.some((o) => orderUnsettled(o.status)) ? ORDER_FOLLOW_MS : false),
    retry: false,
  });

/** One order, followed while it waits for approval or provisions; settled, it is no longer read again. */
export function useStoreOrder(id: string) {
  return useQuery({
    queryKey: storeKeys.order(id),
    queryFn: () => unwrap(api.GET("/api/storefront/orders/{order_id}", { params: { path: { order_id: id } } })),
    refetchInterval: (query) => (query.state.data && orderUnsettled(query.state.data.status) ? ORDER_FOLLOW_MS : false),
    retry: false,
  });
}

export function usePlaceStoreOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ lines, idempotencyKey }: { lines: OrderLineIn[]; idempotencyKey: string }) =>
      unwrap(
        api.POST("/api/storefront/orders", {
          body: { lines },
          params: { header: { "Idempotency-Key": idempotencyKey } },
        }),
      ),
    onSuccess: (order) => {
      queryClient.setQueryData(storeKeys.order(order.id), order);
      return queryClient.invalidateQueries({ queryKey: ["storefront", "orders"] });
    },
  });
}

const changeInFlight = (sub: StoreSubscription) => sub.pendingChange?.status === "pending";

export const storeSubscriptionsPageQuery = (token: string | null) =>
  queryOptions({
    queryKey: storeKeys.subscriptions(token),
    queryFn: (): Promise<StoreSubscriptionPage> =>
      unwrap(
        api.GET("/api/storefront/subscriptions", { params: { query: { limit: 50, continuationToken: token ?? undefined } } }),
      ),
    // A change being applied on any row: read again until Partner Center shows it applied or refused.
    refetchInterval: (query: Query<StoreSubscriptionPage>) =>
      query.state.data?.items.some(changeInFlight) ? CHANGE_FOLLOW_MS : false,
    retry: false,
  });

export function useStoreSubscriptions(token: string | null) {
  return useQuery(storeSubscriptionsPageQuery(token));
}

export type StoreChange = { quantity: number } | { autoRenew: boolean };

export function useChangeStoreSubscription(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StoreChange) =>
      unwrap(
        api.PATCH("/api/storefront/subscriptions/{subscription_id}", {
          params: { path: { subscription_id: id } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["storefront", "subscriptions"] }),
  });
}

const renewalPath = (id: string) => `/api/storefront/subscriptions/${encodeURIComponent(id)}/renewal`;

/** The customer's admin schedules changes for the next term (where the storefront policy allows it). */
export function useScheduleStoreChanges(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RenewalIn) =>
      authJson<StoreSubscription>(renewalPath(id), { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["storefront", "subscriptions"] }),
  });
}

/** ... and clears them: the subscription renews as it is. */
export function useClearStoreChanges(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => authJson<StoreSubscription>(renewalPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["storefront", "subscriptions"] }),
  });
}

export function useStoreCharges(period: string) {
  return useQuery({
    queryKey: storeKeys.charges(period),
    queryFn: () => unwrap(api.GET("/api/storefront/charges", { params: { query: { period } } })),
    retry: false,
  });
}

export type StoreAgreement = Schemas["StorefrontAgreementOut"];
export type StoreAgreementIn = Schemas["StorefrontAgreementIn"];

/** The problem type of an order refused because the agreement is not accepted (docs/api-guide.md#problem-types). */
export const AGREEMENT_MISSING_TYPE = "urn:csp-platform:problem:customer-agreement-missing";

/** Whether the organisation has accepted the Microsoft Customer Agreement, with Microsoft's link to its text. */
export function useStoreAgreement() {
  return useQuery({
    queryKey: ["storefront", "agreement"] as const,
    queryFn: () => unwrap(api.GET("/api/storefront/agreement")),
    staleTime: 60 * 1000,
    retry: false,
  });
}

/** The admin accepts for its organisation, now; the agreement and the customer record are shown as accepted. */
export function useAcceptStoreAgreement() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StoreAgreementIn) => unwrap(api.POST("/api/storefront/agreement", { body })),
    onSuccess: (agreement) => {
      queryClient.setQueryData(["storefront", "agreement"], agreement);
      return queryClient.invalidateQueries({ queryKey: ["storefront", "customer"] });
    },
  });
}
