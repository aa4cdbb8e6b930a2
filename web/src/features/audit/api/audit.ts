import { queryOptions } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { isApiError } from "../../../lib/api/problem";
import type { JsonValue } from "../diff";

/** An entry, its snapshots typed as JSON values. */
export type AuditEntry = Omit<Schemas["AuditEntryOut"], "before" | "after"> & { before: JsonValue; after: JsonValue };
export interface AuditPage {
  items: AuditEntry[];
  continuationToken: string | null;
}

export interface FeedFilters {
  /** ISO 8601 moments; empty: the API's default (the last 7 days). */
  from: string;
  to: string;
  actorId: string;
  /** Operator: whose feed; empty: the platform's own. */
  providerId: string;
}

export const auditKeys = {
  all: ["audit"] as const,
  entity: (entityId: string, token: string | null) => ["audit", "entity", entityId, { token }] as const,
  feed: (filters: FeedFilters, token: string | null) => ["audit", "feed", { ...filters, token }] as const,
};

const LIMIT = 25;
const orUndefined = (value: string) => (value ? value : undefined);

/** One entity's trail, newest first. No entry visible to the caller is a 404: an empty trail, not an error. */
export const entityAuditPageQuery = (entityId: string) => (token: string | null) =>
  queryOptions({
    queryKey: auditKeys.entity(entityId, token),
    queryFn: async (): Promise<AuditPage> => {
      try {
        const page = await unwrap(
          api.GET("/api/audit", {
            params: { query: { entityId, limit: LIMIT, continuationToken: token ?? undefined } },
          }),
        );
        return page as AuditPage; // the generated reading type loses the recursive snapshots' type
      } catch (error) {
        if (token === null && isApiError(error, 404)) return { items: [], continuationToken: null };
        throw error;
      }
    },
  });

/** The feed of the caller's scope between two moments, optionally one actor's. */
export const auditFeedPageQuery = (filters: FeedFilters) => (token: string | null) =>
  queryOptions({
    queryKey: auditKeys.feed(filters, token),
    queryFn: async (): Promise<AuditPage> => {
      const page = await unwrap(
        api.GET("/api/audit", {
          params: {
            query: {
              from: orUndefined(filters.from),
              to: orUndefined(filters.to),
              actorId: orUndefined(filters.actorId.trim()),
              providerId: orUndefined(filters.providerId),
              limit: LIMIT,
              continuationToken: token ?? undefined,
            },
          },
        }),
      );
      // The generated reading type loses the recursive snapshots' type: they are the schema's JsonValue.
      return page as AuditPage;
    },
  });
