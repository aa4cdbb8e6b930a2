import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type EventSubscription = Schemas["EventSubscriptionOut"];
export type EventSubscriptionWithSecret = Schemas["EventSubscriptionSecretOut"];
export type EventSubscriptionIn = Schemas["EventSubscriptionIn"];
export type EventSubscriptionPatch = Schemas["EventSubscriptionPatch"];
export type EventType = EventSubscription["events"][number];
export type Delivery = Schemas["DeliveryOut"];
export type DeliveryStatus = Delivery["status"];

/** Every event an endpoint may subscribe to, with what it tells staff. */
export const EVENT_TYPES: readonly { value: EventType; label: string }[] = [
  { value: "order.pendingApproval", label: "An order waits for approval" },
  { value: "order.failed", label: "An order failed or was only partly provisioned" },
  { value: "subscription.changeFailed", label: "Partner Center refused a subscription change" },
  { value: "relationship.ended", label: "A reseller's or customer's relationship ended" },
  { value: "billing.runCompleted", label: "A billing run completed (with its discrepancy count)" },
  { value: "subscription.expiring", label: "A subscription ends within 7 days without renewing" },
];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "delivered", "failed"];

export const eventSubscriptionKeys = {
  all: ["event-subscriptions"] as const,
  list: (token: string | null) => ["event-subscriptions", "list", { token }] as const,
  detail: (id: string) => ["event-subscriptions", "detail", id] as const,
  deliveries: (id: string, status: DeliveryStatus | null, token: string | null) =>
    ["event-subscriptions", "deliveries", id, { status, token }] as const,
};

const path = (id: string) => ({ path: { event_subscription_id: id } });

export const eventSubscriptionsPageQuery = (token: string | null) =>
  queryOptions({
    queryKey: eventSubscriptionKeys.list(token),
    queryFn: () =>
      unwrap(api.GET("/api/event-subscriptions", { params: { query: { continuationToken: token ?? undefined } } })),
  });

export function useEventSubscription(id: string) {
  return useQuery({
    queryKey: eventSubscriptionKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/event-subscriptions/{event_subscription_id}", { params: path(id) })),
    enabled: id !== "",
  });
}

/** Deliveries are read again every few seconds while the page is open: attempts happen in the background. */
export const deliveriesPageQuery = (id: string, status: DeliveryStatus | null) => (token: string | null) =>
  queryOptions({
    queryKey: eventSubscriptionKeys.deliveries(id, status, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/event-subscriptions/{event_subscription_id}/deliveries", {
          params: { ...path(id), query: { status: status ?? undefined, continuationToken: token ?? undefined } },
        }),
      ),
    refetchInterval: 3000,
  });

export function useRegisterEventSubscription() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: EventSubscriptionIn; idempotencyKey: string }) =>
      unwrap(api.POST("/api/event-subscriptions", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: eventSubscriptionKeys.all }),
  });
}

export function useChangeEventSubscription(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EventSubscriptionPatch) =>
      unwrap(api.PATCH("/api/event-subscriptions/{event_subscription_id}", { params: path(id), body })),
    onSuccess: (changed) => {
      queryClient.setQueryData(eventSubscriptionKeys.detail(id), changed);
      return queryClient.invalidateQueries({ queryKey: eventSubscriptionKeys.all });
    },
  });
}

export function useRotateSecret(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/event-subscriptions/{event_subscription_id}/rotate-secret", { params: path(id) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: eventSubscriptionKeys.detail(id) }),
  });
}

export function usePing(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/event-subscriptions/{event_subscription_id}/ping", { params: path(id) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["event-subscriptions", "deliveries", id] }),
  });
}

export function useDeleteEventSubscription(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(api.DELETE("/api/event-subscriptions/{event_subscription_id}", { params: path(id) }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: eventSubscriptionKeys.all }),
  });
}

export function useReplay(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST("/api/event-subscriptions/{event_subscription_id}/deliveries/{delivery_id}/replay", {
          params: { path: { event_subscription_id: id, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["event-subscriptions", "deliveries", id] }),
  });
}
