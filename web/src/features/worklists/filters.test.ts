import { describe, expect, it } from "vitest";
import {
  daysInverted,
  orderFiltersFrom,
  orderSearch,
  ordersQuery,
  productIdOf,
  queueStatuses,
  startOfNextDay,
  subscriptionFiltersFrom,
  subscriptionSearch,
  subscriptionsQuery,
  toTheMinute,
  validDay,
  type OrderFilters,
} from "./filters";

const none: OrderFilters = { queue: "all", resellerId: null, createdFrom: null, createdTo: null };

describe("the orders' queues", () => {
  it("ask the API for the statuses of each queue", () => {
    expect(queueStatuses("all")).toEqual([]);
    expect(queueStatuses("approval")).toEqual(["pendingApproval"]);
    expect(queueStatuses("failed")).toEqual(["failed", "partiallyCompleted"]);
    expect(queueStatuses("inflight")).toEqual(["accepted", "provisioning"]);
    expect(ordersQuery(none).status).toBeUndefined();
    expect(ordersQuery({ ...none, queue: "failed" }).status).toEqual(["failed", "partiallyCompleted"]);
  });

  it("send inclusive days as the start of the first day and the start of the day after the last, in UTC", () => {
    const query = ordersQuery({ ...none, createdFrom: "2026-10-01", createdTo: "2026-10-31" });
    expect(query.createdFrom).toBe("2026-10-01T00:00:00Z");
    expect(query.createdBefore).toBe("2026-11-01T00:00:00Z");
    expect(startOfNextDay("2028-02-28")).toBe("2028-02-29T00:00:00Z");
    expect(startOfNextDay("2026-12-31")).toBe("2027-01-01T00:00:00Z");
    expect(ordersQuery(none)).toEqual({ status: undefined, resellerId: undefined, createdFrom: undefined, createdBefore: undefined });
  });

  it("read the queue and filters from the address and write them back", () => {
    const params = new URLSearchParams("queue=approval&resellerId=res-2&createdFrom=2026-10-01&createdTo=2026-02-30");
    const filters = orderFiltersFrom(params, true);
    expect(filters).toEqual({ queue: "approval", resellerId: "res-2", createdFrom: "2026-10-01", createdTo: null });
    expect(orderSearch(filters)).toEqual({ queue: "approval", resellerId: "res-2", createdFrom: "2026-10-01" });
    // reseller staff have no reseller filter; an unknown queue is every order
    expect(orderFiltersFrom(new URLSearchParams("queue=nope&resellerId=res-2"), false)).toEqual(none);
    expect(orderSearch(none)).toEqual({});
  });

  it("know a real day and an inverted range", () => {
    expect(validDay("2026-02-29")).toBeNull();
    expect(validDay("2028-02-29")).toBe("2028-02-29");
    expect(validDay("2026-1-1")).toBeNull();
    expect(daysInverted({ createdFrom: "2026-10-02", createdTo: "2026-10-01" })).toBe(true);
    expect(daysInverted({ createdFrom: "2026-10-01", createdTo: "2026-10-01" })).toBe(false);
  });
});

describe("the subscriptions' filters", () => {
  const now = new Date("2026-10-01T09:30:00Z");

  it("turn a renewal window into terms ending from now to now plus its days", () => {
    const filters = subscriptionFiltersFrom(new URLSearchParams("within=30&autoRenew=false&status=suspended"), false);
    expect(subscriptionsQuery(filters, now)).toEqual({
      status: ["suspended"],
      termEndsFrom: "2026-10-01T09:30:00Z",
      termEndsBefore: "2026-10-31T09:30:00Z",
      autoRenew: false,
      productId: undefined,
      resellerId: undefined,
    });
  });

  it("ask for everything without filters, and keep only known values from the address", () => {
    const filters = subscriptionFiltersFrom(new URLSearchParams("within=12&status=deleted&productId=a:b&resellerId=r"), false);
    expect(filters).toEqual({ status: null, within: null, endsWithoutRenewal: false, productId: null, resellerId: null });
    expect(subscriptionsQuery(filters, now)).toEqual({
      status: undefined, termEndsFrom: undefined, termEndsBefore: undefined, autoRenew: undefined, productId: undefined, resellerId: undefined,
    });
    const kept = subscriptionFiltersFrom(new URLSearchParams("within=7&productId=CFQ7TTC0LH18&resellerId=r"), true);
    expect(subscriptionSearch(kept)).toEqual({ within: "7", productId: "CFQ7TTC0LH18", resellerId: "r" });
  });

  it("name a product by the offer id's first part, and take now to the minute", () => {
    expect(productIdOf("CFQ7TTC0LH18:0001:CFQ7TTC0K971")).toBe("CFQ7TTC0LH18");
    expect(toTheMinute(Date.parse("2026-10-01T09:30:59.999Z")).toISOString()).toBe("2026-10-01T09:30:00.000Z");
  });
});
