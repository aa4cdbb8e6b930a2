/** The organisations below an admin's own whose members it may manage: a provider's resellers and customers, a
 * reseller's customers. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../../lib/api/client";
import type { Role } from "../../../lib/roles";
import type { OrgType } from "./members";

export interface OrgOption {
  orgType: OrgType;
  orgId: string;
  name: string;
}

/** The kinds of organisation below the caller's own whose members the caller's role manages. */
export function managedOrgTypes(role: Role): OrgType[] {
  if (role === "provider.admin") return ["reseller", "customer"];
  if (role === "reseller.admin") return ["customer"];
  return [];
}

export function useManagedOrgs(role: Role) {
  const types = managedOrgTypes(role);
  const resellers = useQuery({
    queryKey: ["members", "orgs", "resellers"],
    queryFn: () => unwrap(api.GET("/api/resellers", { params: { query: { limit: 500 } } })),
    enabled: types.includes("reseller"),
    staleTime: 60 * 1000,
  });
  const customers = useQuery({
    queryKey: ["members", "orgs", "customers"],
    queryFn: () => unwrap(api.GET("/api/customers", { params: { query: { limit: 500 } } })),
    enabled: types.includes("customer"),
    staleTime: 60 * 1000,
  });
  const options: OrgOption[] = [
    ...(resellers.data?.items ?? []).map((r) => ({ orgType: "reseller" as const, orgId: r.id, name: r.name })),
    ...(customers.data?.items ?? []).map((c) => ({ orgType: "customer" as const, orgId: c.id, name: c.name })),
  ];
  return { types, options, isPending: (types.includes("reseller") && resellers.isPending) || (types.includes("customer") && customers.isPending) };
}
