import { describe, expect, it } from "vitest";
import { formatMoney, fromMinor, sumMoney, timesQuantity, toMinor } from "./money";

describe("money in the browser, without floats", () => {
  it("shows an amount at its currency's minor unit, grouped, with its currency", () => {
    expect(formatMoney("1234.5", "EUR")).toBe("1,234.50 EUR");
    expect(formatMoney("1200", "JPY")).toBe("1,200 JPY");
    expect(formatMoney("-0.1", "USD")).toBe("-0.10 USD");
    expect(formatMoney("7.125", "KWD")).toBe("7.125 KWD");
    expect(formatMoney(null, "EUR")).toBe("—");
  });

  it("sums exactly where a float would not (0.1 + 0.2)", () => {
    expect(sumMoney(["0.10", "0.20"], "EUR")).toBe("0.30");
    expect(sumMoney(["9007199254740993.01", "0.01"], "USD")).toBe("9007199254740993.02");
    expect(sumMoney(["1.00", null], "USD")).toBeNull();
  });

  it("rounds half up only when an amount has more places than its currency", () => {
    expect(toMinor("2.345", "EUR")).toBe(235n);
    expect(toMinor("2.344", "EUR")).toBe(234n);
    expect(fromMinor(5n, "EUR")).toBe("0.05");
    expect(timesQuantity("6.50", 3, "EUR")).toBe("19.50");
  });
});
