import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../../lib/api/client";
import { providerKeys } from "./keys";

export function getProvider(id: string) {
  return unwrap(api.GET("/api/providers/{provider_id}", { params: { path: { provider_id: id } } }));
}

export const providerQuery = (id: string) =>
  queryOptions({ queryKey: providerKeys.detail(id), queryFn: () => getProvider(id) });

export function useProvider(id: string) {
  return useQuery(providerQuery(id));
}
