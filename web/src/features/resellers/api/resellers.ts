import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type Reseller = Schemas["ResellerOut"];
export type ResellerStatus = Reseller["status"];
export type ResellerInvitationIn = Schemas["ResellerInvitationIn"];

export const RESELLER_STATUSES: readonly ResellerStatus[] = ["invited", "active", "ended", "expired"];

export const resellerKeys = {
  all: ["resellers"] as const,
  list: (filters: { status: ResellerStatus | null }, token: string | null) =>
    ["resellers", "list", { ...filters, token }] as const,
  options: () => ["resellers", "options"] as const,
  detail: (id: string) => ["resellers", "detail", id] as const,
};

function getResellers(status: ResellerStatus | null, token: string | null, limit = 50) {
  return unwrap(
    api.GET("/api/resellers", {
      params: { query: { status: status ?? undefined, limit, continuationToken: token ?? undefined } },
    }),
  );
}

export const resellersPageQuery = (status: ResellerStatus | null) => (token: string | null) =>
  queryOptions({ queryKey: resellerKeys.list({ status }, token), queryFn: () => getResellers(status, token) });

/** The first 500 resellers, for pickers and for showing a reseller's name beside its customers. */
export function useResellerOptions(enabled = true) {
  return useQuery({
    queryKey: resellerKeys.options(),
    queryFn: () => getResellers(null, null, 500),
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
