/**
 * The work lists' filters as the address bar holds them (so a queue can be shared and the back button works) and
 * as the API reads them: a queue is a set of order statuses; inclusive calendar days (UTC) are a half-open range
 * of moments; "renewing within N days" is the terms ending from now to now + N days.
 */
import type { paths } from "../../lib/api/schema";

type OrdersQuery = NonNullable<paths["/api/orders"]["get"]["parameters"]["query"]>;
type SubscriptionsQuery = NonNullable<paths["/api/subscriptions"]["get"]["parameters"]["query"]>;
export type OrderStatusFilter = NonNullable<OrdersQuery["status"]>[number];
export type SubscriptionStatusFilter = NonNullable<SubscriptionsQuery["status"]>[number];

// ---- orders ----

export type OrderQueue = "all" | "approval" | "inflight" | "failed";

export const ORDER_QUEUES: readonly { value: OrderQueue; label: string; statuses: OrderStatusFilter[] }[] = [
  { value: "all", label: "All", statuses: [] },
  { value: "approval", label: "Waiting for approval", statuses: ["pendingApproval"] },
  { value: "inflight", label: "In flight", statuses: ["accepted", "provisioning"] },
  { value: "failed", label: "Failed", statuses: ["failed", "partiallyCompleted"] },
];

export const isOrderQueue = (value: string | null): value is OrderQueue =>
  ORDER_QUEUES.some((q) => q.value === value);

/** The statuses the API is asked for (none: every status). */
export const queueStatuses = (queue: OrderQueue): OrderStatusFilter[] =>
  ORDER_QUEUES.find((q) => q.value === queue)?.statuses ?? [];

export interface OrderFilters {
  queue: OrderQueue;
  resellerId: string | null;
  /** Calendar days (YYYY-MM-DD, UTC), both inclusive. */
  createdFrom: string | null;
  createdTo: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day as typed in a date input, or null when it is not one. */
export function validDay(value: string | null | undefined): string | null {
  if (!value || !DAY.test(value)) return null;
  const parsed = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value ? null : value;
}

const iso = (moment: Date) => moment.toISOString().replace(".000Z", "Z");

/** The first moment of a day, in UTC ("2026-10-01" → "2026-10-01T00:00:00Z"). */
export const startOfDay = (day: string): string => iso(new Date(`${day}T00:00:00Z`));

/** The first moment of the next day: the exclusive end of an inclusive last day. */
export function startOfNextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return iso(next);
}

/** Whether the last day comes before the first (nothing can match). */
export const daysInverted = (f: Pick<OrderFilters, "createdFrom" | "createdTo">): boolean =>
  f.createdFrom !== null && f.createdTo !== null && f.createdTo < f.createdFrom;

export function orderFiltersFrom(params: URLSearchParams, resellerFilter: boolean): OrderFilters {
  const queue = params.get("queue");
  return {
    queue: isOrderQueue(queue) ? queue : "all",
    resellerId: resellerFilter ? params.get("resellerId") || null : null,
    createdFrom: validDay(params.get("createdFrom")),
    createdTo: validDay(params.get("createdTo")),
  };
}

export function orderSearch(filters: OrderFilters): Record<string, string> {
  const search: Record<string, string> = {};
  if (filters.queue !== "all") search.queue = filters.queue;
  if (filters.resellerId) search.resellerId = filters.resellerId;
  if (filters.createdFrom) search.createdFrom = filters.createdFrom;
  if (filters.createdTo) search.createdTo = filters.createdTo;
  return search;
}

/** GET /api/orders's query for the filters (without paging). */
export function ordersQuery(filters: OrderFilters): OrdersQuery {
  const statuses = queueStatuses(filters.queue);
  return {
    status: statuses.length ? statuses : undefined,
    resellerId: filters.resellerId ?? undefined,
    createdFrom: filters.createdFrom ? startOfDay(filters.createdFrom) : undefined,
    createdBefore: filters.createdTo ? startOfNextDay(filters.createdTo) : undefined,
  };
}

// ---- subscriptions ----

export const RENEWAL_WINDOWS = [7, 30, 90] as const;
export type RenewalWindow = (typeof RENEWAL_WINDOWS)[number];
export const SUBSCRIPTION_STATUS_CHOICES: readonly { value: SubscriptionStatusFilter; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "suspended", label: "Suspended" },
];

export interface SubscriptionFilters {
  status: SubscriptionStatusFilter | null;
  /** Days from now within which the term ends; null: any time. */
  within: RenewalWindow | null;
  /** Only those that end at their term's end (auto-renew off). */
  endsWithoutRenewal: boolean;
  productId: string | null;
  resellerId: string | null;
}

const PRODUCT_ID = /^[A-Za-z0-9]+$/;

export function subscriptionFiltersFrom(params: URLSearchParams, resellerFilter: boolean): SubscriptionFilters {
  const status = params.get("status");
  const within = Number(params.get("within"));
  const productId = params.get("productId")?.trim() ?? "";
  return {
    status: SUBSCRIPTION_STATUS_CHOICES.find((s) => s.value === status)?.value ?? null,
    within: RENEWAL_WINDOWS.find((days) => days === within) ?? null,
    endsWithoutRenewal: params.get("autoRenew") === "false",
    productId: PRODUCT_ID.test(productId) ? productId : null,
    resellerId: resellerFilter ? params.get("resellerId") || null : null,
  };
}

export function subscriptionSearch(filters: SubscriptionFilters): Record<string, string> {
  const search: Record<string, string> = {};
  if (filters.status) search.status = filters.status;
  if (filters.within) search.within = String(filters.within);
  if (filters.endsWithoutRenewal) search.autoRenew = "false";
  if (filters.productId) search.productId = filters.productId;
  if (filters.resellerId) search.resellerId = filters.resellerId;
  return search;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** GET /api/subscriptions's query for the filters as of `now` (without paging). */
export function subscriptionsQuery(filters: SubscriptionFilters, now: Date): SubscriptionsQuery {
  return {
    status: filters.status ? [filters.status] : undefined,
    termEndsFrom: filters.within ? iso(now) : undefined,
    termEndsBefore: filters.within ? iso(new Date(now.getTime() + filters.within * DAY_MS)) : undefined,
    autoRenew: filters.endsWithoutRenewal ? false : undefined,
    productId: filters.productId ?? undefined,
    resellerId: filters.resellerId ?? undefined,
  };
}

/** Partner Center's product id of an offer ("CFQ7TTC0LH18:0001:…" → "CFQ7TTC0LH18"). */
export const productIdOf = (offerId: string): string => offerId.split(":")[0] ?? offerId;

/** The moment "now" is taken as for a page's queries: to the minute, so that re-renders ask the same question. */
export const toTheMinute = (moment: number): Date => new Date(Math.floor(moment / 60_000) * 60_000);
