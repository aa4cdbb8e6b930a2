import { describe, expect, it } from "vitest";
import { moneyTimes, percentOf, scheduledText, withPremium } from "./life";

describe("the end of term on screen", () => {
  it("reads a premium rate as a percentage without a float", () => {
    expect(percentOf("0.20")).toBe("20 %");
    expect(percentOf("0.125")).toBe("12.5 %");
    expect(percentOf("0.07")).toBe("7 %");
    expect(percentOf("1")).toBe("100 %");
  });

  it("puts the premium on a price exactly", () => {
    expect(withPremium("6.00", "0.20")).toBe("7.2000");
    expect(withPremium("12.50", "0.125")).toBe("14.06250");
    expect(withPremium("x", "0.20")).toBeNull();
  });

  it("multiplies a unit price by the seats at the currency's minor unit", () => {
    expect(moneyTimes("7.2000", 12, "USD")).toBe("86.40 USD");
    expect(moneyTimes(null, 12, "USD")).toBe("—");
  });

  it("says what is scheduled for the next term", () => {
    expect(
      scheduledText({
        catalogItemId: "a:b:c:P1Y:annual",
        name: "Microsoft 365 Business Standard",
        quantity: 12,
        termDuration: "P1Y",
        billingCycle: "annual",
        customTermEndDate: "2028-06-30",
      }),
    ).toBe("Microsoft 365 Business Standard, 12 seats, 1 year, billed annually, term ending 2028-06-30");
  });
});
