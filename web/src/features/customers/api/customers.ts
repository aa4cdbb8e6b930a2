import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { auditKeys } from "../../audit";

export type Customer = Schemas["CustomerOut"];
export type CustomerStatus = Customer["status"];
export type CustomerInvitationIn = Schemas["CustomerInvitationIn"];
export type NewCustomerIn = Schemas["NewCustomerIn"];
export type CustomerCreated = Schemas["CustomerCreatedOut"];

export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ["invited", "creating", "active", "ended", "expired", "failed"];

export interface CustomerFilters {
  status: CustomerStatus | null;
  resellerId: string | null;
  /** Offboarded customers are hidden unless asked for (docs/business.md#offboarding). */
  showOffboarded: boolean;
}

/** What an edit changes: the fields sent are changed, the rest kept. */
export interface CustomerEdit {
  name?: string;
  contactEmail?: string;
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
              offboarded: filters.showOffboarded ? undefined : "false",
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

/** A changed customer is shown at once on its page and read again in the lists. */
function useCustomerChange<TVariables>(id: string, change: (variables: TVariables) => Promise<Customer>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (customer) => {
      queryClient.setQueryData(customerKeys.detail(id), customer);
      void queryClient.invalidateQueries({ queryKey: auditKeys.all }); // its audit trail shows the change
      return queryClient.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

/** PATCH /api/customers/{id} with its name and contact e-mail. */
export function useEditCustomer(id: string) {
  return useCustomerChange(id, (body: CustomerEdit) =>
    unwrap(api.PATCH("/api/customers/{customer_id}", { params: { path: { customer_id: id } }, body })),
  );
}

/** No new orders from now on; 409 with the reason when it cannot be. */
export function useOffboardCustomer(id: string) {
  return useCustomerChange(id, ({ reason }: { reason: string | null }) =>
    unwrap(
      api.POST("/api/customers/{customer_id}/offboard", {
        params: { path: { customer_id: id } },
        body: reason ? { reason } : {},
      }),
    ),
  );
}

/** Back in business; 409 while its reseller is offboarded. */
export function useRestoreCustomer(id: string) {
  return useCustomerChange<void>(id, () =>
    unwrap(api.POST("/api/customers/{customer_id}/restore", { params: { path: { customer_id: id } } })),
  );
}

export type CustomerAgreement = Customer["agreement"];
export type AgreementAcceptanceIn = Schemas["AgreementAcceptanceIn"];

/** Records in Partner Center the Microsoft Customer Agreement acceptance the customer gave; 200 with the customer. */
export function useRecordAgreement(id: string) {
  return useCustomerChange(id, (body: AgreementAcceptanceIn) =>
    unwrap(api.POST("/api/customers/{customer_id}/agreement", { params: { path: { customer_id: id } }, body })),
  );
}
