import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";

export type ProviderSummary = Schemas["ProviderSummaryOut"];

export const summaryKeys = {
  all: ["dashboard"] as const,
  summary: (providerId: string) => ["dashboard", "summary", providerId] as const,
};

export const summaryQuery = (providerId: string) =>
  queryOptions({
    queryKey: summaryKeys.summary(providerId),
    queryFn: () =>
      unwrap(api.GET("/api/providers/{provider_id}/summary", { params: { path: { provider_id: providerId } } })),
    refetchInterval: 60 * 1000,
  });

export function useProviderSummary(providerId: string) {
  return useQuery(summaryQuery(providerId));
}
