import { describe, expect, it } from "vitest";
import type { RenewalItem } from "../../lib/api/extra";
import { byMonth, defaultRange, monthLabel } from "./calendar";

const item = (renewalDate: string, subscriptionId = renewalDate): RenewalItem => ({
  subscriptionId, customerId: "cus-1", customerName: "Wingtip", resellerId: "res-1", resellerName: "Reseller", name: "Business Basic",
  catalogItemId: "a:b:c:P1Y:monthly", renewalDate, endOfTerm: "renew", quantity: 1, termDuration: "P1Y", billingCycle: "monthly", price: null,
});

describe("the renewal calendar's dates", () => {
  it("opens on the next 90 days", () => {
    expect(defaultRange(new Date("2026-12-07T19:00:00Z"))).toEqual({ from: "2026-12-07", to: "2027-03-07" });
  });

  it("groups renewals by month, in date order", () => {
    const groups = byMonth([item("2027-02-03"), item("2027-01-20"), item("2027-01-05")]);
    expect(groups.map((g) => [g.month, g.items.map((i) => i.renewalDate)])).toEqual([
      ["2027-01", ["2027-01-05", "2027-01-20"]],
      ["2027-02", ["2027-02-03"]],
    ]);
    expect(monthLabel("2027-01")).toBe("January 2027");
  });
});
