/** A subscription as the API answers it, for component tests: ten active seats of Business Basic, overridable. */
import type { Subscription } from "./api/subscriptions";

export function aSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: "sub-1",
    customerId: "cus-1",
    resellerId: "res-1",
    catalogItemId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly",
    offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
    name: "Microsoft 365 Business Basic",
    quantity: 10,
    status: "active",
    autoRenew: true,
    termDuration: "P1Y",
    billingCycle: "monthly",
    termStartDate: "2026-10-01T00:00:00+00:00",
    termEndDate: "2027-09-30T00:00:00+00:00",
    cancellationWindowEndsAt: null,
    removableQuantity: 0,
    lots: [],
    partnerIdOnRecord: "1234567",
    orderId: "ord-1",
    pendingChange: null,
    syncedAt: "2026-10-02T15:00:03+00:00",
    flag: null,
    ...overrides,
  };
}
