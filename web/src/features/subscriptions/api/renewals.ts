/**
 * A subscription's life through the API: what happens at the end of its term, the changes scheduled for the next
 * one, upgrades (transitions) and a trial's conversion. Every change answers 202 with the change pending, applied
 * through the subscription-changes queue, and the subscription page follows it.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { authJson } from "../../../lib/api/client";
import type { Renewal, RenewalIn, UpgradeIn, UpgradeOption } from "../../../lib/api/extra";
import { WIPE_PROBLEM } from "../../../lib/api/extra";
import type { ScheduledChanges } from "../../../lib/api/extra";
import { isApiError } from "../../../lib/api/problem";
import { useStoreAnswer, type Subscription } from "./subscriptions";

const path = (id: string, rest = "") => `/api/subscriptions/${encodeURIComponent(id)}${rest}`;
const JSON_HEADERS = { "Content-Type": "application/json" };

export const renewalKeys = {
  renewal: (id: string) => ["subscriptions", "renewal", id] as const,
  upgrades: (id: string) => ["subscriptions", "upgrades", id] as const,
};

export const renewalQuery = (id: string) =>
  queryOptions({ queryKey: renewalKeys.renewal(id), queryFn: () => authJson<Renewal>(path(id, "/renewal")) });

/** What the subscription renews into, and the targets it may change to at renewal, at the caller's prices. */
export function useRenewal(id: string, enabled = true) {
  return useQuery({ ...renewalQuery(id), enabled });
}

/** The subscription as the answer holds it, and its renewal read again (what it renews into has changed). */
function useStoreRenewalAnswer(id: string) {
  const store = useStoreAnswer();
  const queryClient = useQueryClient();
  return async (sub: Subscription) => {
    await store(sub);
    await queryClient.invalidateQueries({ queryKey: renewalKeys.renewal(id) });
  };
}

/** PUT the changes for the next term (auto-renew is turned on with them). */
export function useScheduleChanges(id: string) {
  const store = useStoreRenewalAnswer(id);
  return useMutation({
    mutationFn: (body: RenewalIn) =>
      authJson<Subscription>(path(id, "/renewal"), { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify(body) }),
    onSuccess: store,
  });
}

/** DELETE the scheduled changes: the subscription renews as it is. */
export function useClearScheduledChanges(id: string) {
  const store = useStoreRenewalAnswer(id);
  return useMutation({
    mutationFn: () => authJson<Subscription>(path(id, "/renewal"), { method: "DELETE" }),
    onSuccess: store,
  });
}

/** The immediate transitions Partner Center offers (for a trial: its conversions), eligible or with reasons. */
export function useUpgrades(id: string, enabled = true) {
  return useQuery({
    queryKey: renewalKeys.upgrades(id),
    queryFn: () => authJson<{ items: UpgradeOption[] }>(path(id, "/upgrades")),
    enabled,
  });
}

/** POST an upgrade; one Idempotency-Key per dialog, so a second click or a retry is the same upgrade. */
export function useUpgrade(id: string, idempotencyKey: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: (body: UpgradeIn) =>
      authJson<Subscription>(path(id, "/upgrade"), {
        method: "POST",
        headers: { ...JSON_HEADERS, "Idempotency-Key": idempotencyKey },
        body: JSON.stringify(body),
      }),
    onSuccess: store,
  });
}

export interface WipeWarning {
  warning: string;
  scheduledChanges: ScheduledChanges | null;
}

/** The API's warning that a change would wipe the scheduled changes (409 of its own type), else null. */
export function wipeWarningOf(error: unknown): WipeWarning | null {
  if (!isApiError(error, 409) || error.problem.type !== WIPE_PROBLEM) return null;
  const extra = error.problem as unknown as { warning?: unknown; scheduledChanges?: ScheduledChanges | null };
  const warning = typeof extra.warning === "string" && extra.warning ? extra.warning : error.problem.detail;
  return { warning, scheduledChanges: extra.scheduledChanges ?? null };
}
