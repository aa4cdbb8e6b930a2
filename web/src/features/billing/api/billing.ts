/** Billing runs through the API: the runs of a period, one run followed while it computes, starting one, its
 * discrepancies and lines (JSON pages), and every line as one CSV file. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, authFetch, unwrap, type Schemas } from "../../../lib/api/client";
import { ApiError } from "../../../lib/api/problem";

export type Run = Schemas["RunOut"];
export type RunSummary = Schemas["RunSummaryOut"];
export type RunStatus = Run["status"];
export type RunKind = Run["kind"];
export type RunIn = Schemas["RunIn"];
export type Totals = Schemas["Totals"];
export type CurrencyTotal = Schemas["CurrencyTotal"];
export type Discrepancy = Schemas["DiscrepancyOut"];
export type DiscrepancyKind = Discrepancy["kind"];
export type Line = Schemas["LineOut"];

export const RUN_KINDS: readonly { value: RunKind; label: string }[] = [
  { value: "billed", label: "Billed (the month's invoices)" },
  { value: "unbilled", label: "Unbilled (the open period so far)" },
];

export const DISCREPANCY_KINDS: readonly { value: DiscrepancyKind; label: string }[] = [
  { value: "unknownSubscription", label: "Unknown subscription" },
  { value: "quantityMismatch", label: "Quantity mismatch" },
  { value: "priceMismatch", label: "Price mismatch" },
  { value: "missingCharge", label: "Missing charge" },
  { value: "endedRelationship", label: "Ended relationship" },
  { value: "partnerOfRecordMismatch", label: "Partner of record mismatch" },
  { value: "unpricedCharge", label: "Unpriced charge" },
];

export const kindLabel = (kind: DiscrepancyKind): string =>
  DISCREPANCY_KINDS.find((k) => k.value === kind)?.label ?? kind;

/** Still computing: worth reading again until it settles. */
export const inFlight = (status: RunStatus) => status === "queued" || status === "running";

export const FOLLOW_MS = 2000;

export interface LineFilters {
  resellerId: string | null;
  customerId: string | null;
}

export const billingKeys = {
  all: ["billing"] as const,
  runs: (period: string | null, token: string | null) => ["billing", "runs", { period, token }] as const,
  run: (id: string) => ["billing", "run", id] as const,
  discrepancies: (id: string, kind: DiscrepancyKind | null, token: string | null) =>
    ["billing", "run", id, "discrepancies", { kind, token }] as const,
  lines: (id: string, filters: LineFilters, limit: number, token: string | null) =>
    ["billing", "run", id, "lines", { ...filters, limit, token }] as const,
};

/** One page of runs, newest first; read again while one of them is still queued or running. */
export const runsPageQuery = (period: string | null) => (token: string | null) =>
  queryOptions({
    queryKey: billingKeys.runs(period, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/billing/runs", {
          params: { query: { period: period ?? undefined, limit: 25, continuationToken: token ?? undefined } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.items.some((r) => inFlight(r.status)) ? FOLLOW_MS : false),
  });

export const runQuery = (id: string) =>
  queryOptions({
    queryKey: billingKeys.run(id),
    queryFn: () => unwrap(api.GET("/api/billing/runs/{run_id}", { params: { path: { run_id: id } } })),
    refetchInterval: (query) => (query.state.data && inFlight(query.state.data.status) ? FOLLOW_MS : false),
  });

/** A run, followed without a refresh while it is queued or running. */
export function useRun(id: string) {
  return useQuery(runQuery(id));
}

export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: RunIn; idempotencyKey: string }) =>
      unwrap(api.POST("/api/billing/runs", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: (run) => {
      queryClient.setQueryData(billingKeys.run(run.id), run);
      return queryClient.invalidateQueries({ queryKey: ["billing", "runs"] });
    },
  });
}

export const discrepanciesPageQuery = (runId: string, kind: DiscrepancyKind | null) => (token: string | null) =>
  queryOptions({
    queryKey: billingKeys.discrepancies(runId, kind, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/billing/runs/{run_id}/discrepancies", {
          params: {
            path: { run_id: runId },
            query: { kind: kind ?? undefined, limit: 25, continuationToken: token ?? undefined },
          },
        }),
      ),
  });

export const linesPageQuery = (runId: string, filters: LineFilters, limit: number) => (token: string | null) =>
  queryOptions({
    queryKey: billingKeys.lines(runId, filters, limit, token),
    queryFn: () =>
      unwrap(
        api.GET("/api/billing/runs/{run_id}/lines", {
          params: {
            path: { run_id: runId },
            query: {
              format: "json",
              resellerId: filters.resellerId ?? undefined,
              customerId: filters.customerId ?? undefined,
              limit,
              continuationToken: token ?? undefined,
            },
          },
        }),
      ) as Promise<Schemas["LinePage"]>,
  });

/** Every line the caller may read, as the API's CSV stream, fetched with the bearer token. */
export async function fetchLinesCsv(runId: string): Promise<Blob> {
  const url = new URL(`/api/billing/runs/${encodeURIComponent(runId)}/lines?format=csv`, window.location.origin);
  let response: Response;
  try {
    response = await authFetch(new Request(url, { headers: { Accept: "text/csv" } }));
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not problem details: the text is the detail
    }
    throw ApiError.from(response, body);
  }
  return response.blob();
}

/** Saves a blob under a file name through a temporary `<a download>` and an object URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function useDownloadLinesCsv(runId: string) {
  return useMutation({
    mutationFn: async () => {
      const blob = await fetchLinesCsv(runId);
      saveBlob(blob, `${runId}.csv`);
      return blob.size;
    },
  });
}
