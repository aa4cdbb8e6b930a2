import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type Customer = Schemas["CustomerOut"];
export type CustomerStatus = Customer["status"];
export type CustomerInvitationIn = Schemas["CustomerInvitationIn"];
export type NewCustomerIn = Schemas["NewCustomerIn"];
export type CustomerCreated = Schemas["CustomerCreatedOut"];

export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ["invited", "creating", "active", "ended", "expired", "failed"];

export interface CustomerFilters {
  status: CustomerStatus | null;
  resellerId: string | null;
}

export const customerKeys = {
  all: ["customers"] as const,
  list: (filters: CustomerFilters, token: string | null) => ["customers", "list", { ...filters, token }] as const,
  detail: (id: string) => ["customers", "detail", id] as const,
};

export const customersPageQuery = (filters: CustomerFilters) => (token: string | null) =>
  queryOptions({
    queryKey: customerKeys.list(filters, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/customers", {
          params: {
            query: {
              status: filters.status ?? undefined,
              resellerId: filters.resellerId ?? undefined,
              limit: 50,
              continuationToken: token ?? undefined,
            },
          },
        }),
      ),
  });

export const customerQuery = (id: string) =>
  queryOptions({
    queryKey: customerKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/customers/{customer_id}", { params: { path: { customer_id: id } } })),
  });

export function useCustomer(id: string) {
  return useQuery(customerQuery(id));
}

export function useInviteCustomer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CustomerInvitationIn; idempotencyKey: string }) =>
      unwrap(
        api.POST("/api/customer-invitations", { body, params: { header: { "Idempotency-Key": idempotencyKey } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.all }),
  });
}

export function useCreateCustomer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: NewCustomerIn; idempotencyKey: string }) =>
      unwrap(api.POST("/api/customers", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.all }),
  });
}

/** 202: a check is queued; the customer is read again so its status and last check show. */
export function useCheckCustomer(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/customers/{customer_id}/relationship-check", { params: { path: { customer_id: id } } })),
    onSuccess: (customer) => {
      queryClient.setQueryData(customerKeys.detail(id), customer);
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: customerKeys.detail(id) }), 3000);
      return queryClient.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}
