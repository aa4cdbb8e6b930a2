/** Names for the resellers and customers a run names by id, from the features that read them (ids otherwise). */
import { useQueries } from "@tanstack/react-query";
import { customerQuery } from "../../customers";
import { useReseller, useResellerOptions } from "../../resellers";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../../lib/roles";

const MAX_CUSTOMER_LOOKUPS = 50;

export interface Names {
  reseller: (id: string) => string | null;
  customer: (id: string) => string | null;
}

export function useNames(customerIds: readonly string[]): Names {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const options = useResellerOptions(providerStaff);
  const own = useReseller(isResellerStaff(me.role) ? me.orgId : "");
  const distinct = [...new Set(customerIds)].slice(0, MAX_CUSTOMER_LOOKUPS);
  const customers = useQueries({
    queries: distinct.map((id) => ({ ...customerQuery(id), staleTime: 60 * 1000, retry: false })),
  });
  const resellerNames = new Map((options.data ?? []).map((o) => [o.value, o.label]));
  if (own.data) resellerNames.set(own.data.id, own.data.name);
  const customerNames = new Map<string, string>();
  for (const query of customers) if (query.data) customerNames.set(query.data.id, query.data.name);
  return {
    reseller: (id) => resellerNames.get(id) ?? null,
    customer: (id) => customerNames.get(id) ?? null,
  };
}
