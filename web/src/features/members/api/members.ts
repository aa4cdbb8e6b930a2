import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type MemberRow = Schemas["MemberOut"];
export type MemberIn = Schemas["MemberIn"];
export type OrgType = Schemas["OrgType"];
export type Role = Schemas["Role"];

export const memberKeys = {
  all: ["members"] as const,
  list: (orgType: OrgType, orgId: string) => ["members", "list", { orgType, orgId }] as const,
};

/** GET /api/members is not paged: it answers one page without a continuation token. */
export const membersQuery = (orgType: OrgType, orgId: string) =>
  queryOptions({
    queryKey: memberKeys.list(orgType, orgId),
    queryFn: async () => {
      const page = await unwrap(api.GET("/api/members", { params: { query: { orgType, orgId } } }));
      return { items: page.items, continuationToken: null as string | null };
    },
  });

export function useAddMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: MemberIn; idempotencyKey: string }) =>
      unwrap(api.POST("/api/members", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

export function useChangeRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(api.PATCH("/api/members/{user_id}", { params: { path: { user_id: userId } }, body: { role } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (userId: string) => {
      await unwrap(api.DELETE("/api/members/{user_id}", { params: { path: { user_id: userId } } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}
