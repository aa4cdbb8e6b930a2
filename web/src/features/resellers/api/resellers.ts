import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { auditKeys } from "../../audit";

export type Reseller = Schemas["ResellerOut"];
export type ResellerStatus = Reseller["status"];
export type ResellerInvitationIn = Schemas["ResellerInvitationIn"];

export const RESELLER_STATUSES: readonly ResellerStatus[] = ["invited", "active", "ended", "expired"];

export interface ResellerFilters {
  status: ResellerStatus | null;
  /** Offboarded resellers are hidden unless asked for (docs/business.md#offboarding). */
  showOffboarded: boolean;
}

/** What an edit changes: the fields sent are changed, the rest kept. */
export interface ResellerEdit {
  name?: string;
  contactEmail?: string;
}

export const resellerKeys = {
  all: ["resellers"] as const,
  list: (filters: ResellerFilters, token: string | null) => ["resellers", "list", { ...filters, token }] as const,
  options: () => ["resellers", "options"] as const,
  detail: (id: string) => ["resellers", "detail", id] as const,
};

function getResellers(filters: ResellerFilters, token: string | null, limit = 50) {
  return unwrap(
    api.GET("/api/resellers", {
      params: {
        query: {
          status: filters.status ?? undefined,
          offboarded: filters.showOffboarded ? undefined : "false",
          limit,
          continuationToken: token ?? undefined,
        },
      },
    }),
  );
}

export const resellersPageQuery = (filters: ResellerFilters) => (token: string | null) =>
  queryOptions({ queryKey: resellerKeys.list(filters, token), queryFn: () => getResellers(filters, token) });

/** The first 500 resellers, for pickers and for showing a reseller's name beside its customers. */
export function useResellerOptions(enabled = true) {
  return useQuery({
    queryKey: resellerKeys.options(),
    queryFn: () => getResellers({ status: null, showOffboarded: true }, null, 500),
    enabled,
    staleTime: 60 * 1000,
    select: (page) => page.items.map((r) => ({ value: r.id, label: r.name })),
  });
}

export const resellerQuery = (id: string) =>
  queryOptions({
    queryKey: resellerKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/resellers/{reseller_id}", { params: { path: { reseller_id: id } } })),
  });

/** An empty id reads nothing (for a reseller that is not known yet). */
export function useReseller(id: string) {
  return useQuery({ ...resellerQuery(id), enabled: id !== "" });
}

export function useInviteReseller() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ResellerInvitationIn; idempotencyKey: string }) =>
      unwrap(
        api.POST("/api/reseller-invitations", { body, params: { header: { "Idempotency-Key": idempotencyKey } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellerKeys.all }),
  });
}

/** 202: a check is queued; the reseller is read again so its status and last check show. */
export function useCheckReseller(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/resellers/{reseller_id}/relationship-check", { params: { path: { reseller_id: id } } })),
    onSuccess: (reseller) => {
      queryClient.setQueryData(resellerKeys.detail(id), reseller);
      // The check runs in the background: read the reseller again once it has had a moment to run.
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: resellerKeys.detail(id) }), 3000);
      return queryClient.invalidateQueries({ queryKey: resellerKeys.all });
    },
  });
}

/** A changed reseller is shown at once on its page and read again in the lists and pickers. */
function useResellerChange<TVariables>(id: string, change: (variables: TVariables) => Promise<Reseller>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (reseller) => {
      queryClient.setQueryData(resellerKeys.detail(id), reseller);
      void queryClient.invalidateQueries({ queryKey: auditKeys.all }); // its audit trail shows the change
      return queryClient.invalidateQueries({ queryKey: resellerKeys.all });
    },
  });
}

/** PATCH /api/resellers/{id}: provider staff its name and contact e-mail, its own admins the contact e-mail. */
export function useEditReseller(id: string) {
  return useResellerChange(id, (body: ResellerEdit) =>
    unwrap(api.PATCH("/api/resellers/{reseller_id}", { params: { path: { reseller_id: id } }, body })),
  );
}

/** 409 with the reason while any of its customers is still on. */
export function useOffboardReseller(id: string) {
  return useResellerChange(id, ({ reason }: { reason: string | null }) =>
    unwrap(
      api.POST("/api/resellers/{reseller_id}/offboard", {
        params: { path: { reseller_id: id } },
        body: reason ? { reason } : {},
      }),
    ),
  );
}

export function useRestoreReseller(id: string) {
  return useResellerChange<void>(id, () =>
    unwrap(api.POST("/api/resellers/{reseller_id}/restore", { params: { path: { reseller_id: id } } })),
  );
}
