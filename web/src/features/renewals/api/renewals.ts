/** The renewal calendar through the API: the renewals in a date range, and the subscriptions heading into the
 * paid Extended Service Term with what its premium month costs at the caller's tier. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { authJson } from "../../../lib/api/client";
import type { RenewalPage } from "../../../lib/api/extra";
import type { Subscription } from "../../subscriptions";

export const renewalCalendarKeys = {
  range: (from: string, to: string) => ["renewals", { from, to }] as const,
  extended: ["subscriptions", "list", "endOfTerm", "extendedServiceTerm"] as const,
};

/** Every page of `GET /api/renewals` read so far ("Show more" reads the next). */
export function useRenewalCalendar(from: string, to: string) {
  return useInfiniteQuery({
    queryKey: renewalCalendarKeys.range(from, to),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ from, to, limit: "100" });
      if (pageParam) query.set("continuationToken", pageParam);
      return authJson<RenewalPage>(`/api/renewals?${query.toString()}`);
    },
    getNextPageParam: (page) => page.continuationToken ?? null,
  });
}

/** The subscriptions whose term ends into the Extended Service Term, each with its premium price. */
export function useHeadingIntoExtendedTerm(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: renewalCalendarKeys.extended,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ endOfTerm: "extendedServiceTerm", limit: "100" });
      if (pageParam) query.set("continuationToken", pageParam);
      return authJson<{ items: Subscription[]; continuationToken?: string | null }>(`/api/subscriptions?${query.toString()}`);
    },
    getNextPageParam: (page) => page.continuationToken ?? null,
    enabled,
  });
}
