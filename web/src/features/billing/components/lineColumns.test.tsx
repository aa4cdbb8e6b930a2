import { describe, expect, it } from "vitest";
import type { Line } from "../api/billing";
import { lineColumns, presentColumns } from "./lineColumns";

const names = { reseller: () => null, customer: () => null };
const base: Line = {
  catalogItemId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly",
  chargeEndDate: "2026-10-31",
  chargeStartDate: "2026-10-01",
  chargeType: "new",
  currency: "EUR",
  customerCharge: "72.10",
  customerId: "cus-1",
  lineItemIds: ["9f2c:0"],
  proration: "1",
  quantity: 10,
  subscriptionId: "sub-1",
};

describe("the columns of billing lines", () => {
  it("shows Microsoft's prices and the provider cost only when the lines carry them", () => {
    const reseller = presentColumns(lineColumns(names), [{ ...base, resellerId: "res-1", resellerCharge: "62.70" }]);
    const headers = reseller.map((c) => c.header);
    expect(headers).toContain("Reseller charge");
    expect(headers).toContain("Customer charge");
    for (const hidden of ["Provider cost", "Microsoft unit price", "Microsoft prorated unit price", "Invoice", "Billable"]) {
      expect(headers).not.toContain(hidden);
    }
    const provider = presentColumns(lineColumns(names), [
      { ...base, resellerId: "res-1", resellerCharge: "62.70", providerCost: "56.00", unitPrice: "5.60", effectiveUnitPrice: null, billable: true },
    ]).map((c) => c.header);
    expect(provider).toEqual(expect.arrayContaining(["Provider cost", "Microsoft unit price", "Microsoft prorated unit price", "Billable"]));
  });
});
