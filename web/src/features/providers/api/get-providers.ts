import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { providerKeys } from "./keys";

export type Provider = Schemas["ProviderOut"];

export function getProviders(token: string | null, limit = 50) {
  return unwrap(
    api.GET("/api/providers", { params: { query: { limit, continuationToken: token ?? undefined } } }),
  );
}

export const providersPageQuery = (token: string | null) =>
  queryOptions({ queryKey: providerKeys.list(token), queryFn: () => getProviders(token) });

/** The first 500 providers, for pickers. */
export function useProviderOptions(enabled = true) {
  return useQuery({
    queryKey: [...providerKeys.all, "options"],
    queryFn: () => getProviders(null, 500),
    enabled,
    select: (page) => page.items.map((p) => ({ value: p.id, label: p.name })),
  });
}
