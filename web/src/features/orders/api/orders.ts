/** Orders through the API: a customer's orders, one order followed while it provisions, placing, approving and
 * rejecting one, and the catalog of the customer's own market to build an order from. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type Order = Schemas["OrderOut"];
export type OrderLine = Schemas["OrderLineOut"];
export type OrderStatus = Order["status"];
export type OrderIn = Schemas["OrderIn"];
export type OrderLineIn = Schemas["OrderLineIn"];
export type CatalogItem = Schemas["CatalogItemOut"];

export const ORDER_STATUSES: readonly { value: OrderStatus; label: string }[] = [
  { value: "pendingApproval", label: "Waiting for approval" },
  { value: "accepted", label: "Accepted" },
  { value: "provisioning", label: "Provisioning" },
  { value: "completed", label: "Completed" },
  { value: "partiallyCompleted", label: "Partially completed" },
  { value: "failed", label: "Failed" },
  { value: "rejected", label: "Rejected" },
];

/** Still being provisioned: worth reading again until it settles. */
export const inFlight = (status: OrderStatus) => status === "accepted" || status === "provisioning";

export const FOLLOW_MS = 2000;

export const orderKeys = {
  all: ["orders"] as const,
  list: (customerId: string, status: OrderStatus | null, token: string | null) =>
    ["orders", "list", { customerId, status, token }] as const,
  detail: (id: string) => ["orders", "detail", id] as const,
  catalog: (customerId: string, q: string) => ["orders", "catalog", customerId, q] as const,
};

/** One page of a customer's orders, newest first; read again while one of them is still provisioning. */
export const customerOrdersPageQuery = (customerId: string, status: OrderStatus | null) => (token: string | null) =>
  queryOptions({
    queryKey: orderKeys.list(customerId, status, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/orders", {
          params: {
            query: { customerId, status: status ? [status] : undefined, limit: 20, continuationToken: token ?? undefined },
          },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.items.some((o) => inFlight(o.status)) ? FOLLOW_MS : false),
  });

export const orderQuery = (id: string) =>
  queryOptions({
    queryKey: orderKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/orders/{order_id}", { params: { path: { order_id: id } } })),
    refetchInterval: (query) => (query.state.data && inFlight(query.state.data.status) ? FOLLOW_MS : false),
  });

/** An order, followed without a refresh while it is accepted or provisioning. */
export function useOrder(id: string) {
  return useQuery(orderQuery(id));
}

/** The first items of the customer's own market matching the search, at the caller's own buy price. */
export function useOrderCatalog(customerId: string, q: string) {
  return useQuery({
    queryKey: orderKeys.catalog(customerId, q),
    queryFn: () =>
      unwrap(api.GET("/api/catalog", { params: { query: { customerId, q: q || undefined, limit: 25 } } })),
    staleTime: 60 * 1000,
  });
}

export function usePlaceOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: OrderIn; idempotencyKey: string }) =>
      unwrap(api.POST("/api/orders", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: (order) => {
      queryClient.setQueryData(orderKeys.detail(order.id), order);
      return queryClient.invalidateQueries({ queryKey: ["orders", "list"] });
    },
  });
}

/** Shows an order as the API answered it (after a decision, for instance). */
export function useShowOrder() {
  const queryClient = useQueryClient();
  return (order: Order) => {
    queryClient.setQueryData(orderKeys.detail(order.id), order);
    void queryClient.invalidateQueries({ queryKey: ["orders", "list"] });
  };
}

/** Reads the order again (after a refusal: decided meanwhile). */
export function useRefreshOrder(id: string) {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: orderKeys.detail(id) });
}

export function useApproveOrder(id: string) {
  const show = useShowOrder();
  const refresh = useRefreshOrder(id);
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/orders/{order_id}/approve", { params: { path: { order_id: id } } })),
    onSuccess: show,
    onError: refresh,
  });
}

/** The answer is shown by the caller once its dialog has closed (the order then leaves pendingApproval and the
 * dialog's button with it). */
export function useRejectOrder(id: string) {
  return useMutation({
    mutationFn: ({ reason }: { reason: string }) =>
      unwrap(api.POST("/api/orders/{order_id}/reject", { params: { path: { order_id: id } }, body: { reason } })),
  });
}

/** The customer's active subscriptions a new line may end with (co-terming): id, name and its term's last day. */
export function useCotermTargets(customerId: string): { id: string; name: string; lastDay: string }[] {
  const listed = useQuery({
    queryKey: ["orders", "coterm-targets", customerId],
    queryFn: () =>
      unwrap(api.GET("/api/subscriptions", { params: { query: { customerId, status: ["active"], limit: 100 } } })),
    staleTime: 60 * 1000,
  });
  return (listed.data?.items ?? [])
    .filter((sub) => sub.termEndDate)
    .map((sub) => ({ id: sub.id, name: sub.name, lastDay: (sub.termEndDate ?? "").slice(0, 10) }));
}
