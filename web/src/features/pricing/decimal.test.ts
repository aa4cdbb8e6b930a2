import { describe, expect, it } from "vitest";
import {
  applyMargin,
  applyMarginExact,
  fractionToPercent,
  parseDecimal,
  percentToFraction,
  roundToCurrency,
} from "./decimal";

describe("margins and prices without floats", () => {
  it("turns the percentage a person types into the fraction the API takes, and back", () => {
    expect(percentToFraction("12")).toBe("0.12");
    expect(percentToFraction("10")).toBe("0.10");
    expect(percentToFraction("12.5")).toBe("0.125");
    expect(percentToFraction("-5")).toBe("-0.05");
    expect(percentToFraction("150")).toBe("1.50");
    expect(percentToFraction(" 7 ")).toBe("0.07");
    expect(percentToFraction("abc")).toBeNull();
    expect(percentToFraction("1e2")).toBeNull();
    expect(percentToFraction("")).toBeNull();
    expect(fractionToPercent("0.12")).toBe("12");
    expect(fractionToPercent("0.1")).toBe("10");
    expect(fractionToPercent("0.125")).toBe("12.5");
    expect(fractionToPercent("1")).toBe("100");
    expect(fractionToPercent("-0.05")).toBe("-5");
    expect(fractionToPercent("0.000001")).toBe("0.0001");
  });

  it("applies a margin exactly where a float would not", () => {
    // 0.1 + 0.2 style traps: 10.00 × 1.10 is 11.00, never 11.000000000000002.
    expect(applyMargin("10.00", "0.10", "USD")).toBe("11.00");
    expect(applyMargin("22.00", "0.10", "USD")).toBe("24.20");
    expect(applyMarginExact("6.30", "0.125")).toBe("7.08750");
    expect(applyMargin("9007199254740993.00", "0.10", "USD")).toBe("9907919180215092.30");
    expect(applyMargin("26.40", "-0.5", "EUR")).toBe("13.20");
    expect(applyMargin("12.00", "0", "USD")).toBe("12.00");
  });

  it("rounds half up at the currency's minor unit", () => {
    expect(applyMargin("6.30", "0.125", "USD")).toBe("7.09"); // 7.0875
    expect(applyMargin("0.05", "0.1", "USD")).toBe("0.06"); // 0.055: the tie goes up
    expect(applyMargin("0.05", "0.09", "USD")).toBe("0.05"); // 0.0545
    expect(applyMargin("1200", "0.125", "JPY")).toBe("1350");
    expect(applyMargin("1001", "0.0005", "JPY")).toBe("1002"); // 1001.5005
    expect(applyMargin("7.125", "0.1", "KWD")).toBe("7.838"); // 7.8375
    expect(roundToCurrency("-0.005", "USD")).toBe("-0.01"); // ties away from zero
    expect(roundToCurrency("24.2", "USD")).toBe("24.20");
  });

  it("refuses what is not a decimal", () => {
    expect(parseDecimal("12,5")).toBeNull();
    expect(applyMargin("abc", "0.1", "USD")).toBeNull();
    expect(applyMargin("10.00", "ten", "USD")).toBeNull();
    expect(parseDecimal(".5")).toEqual({ units: 5n, scale: 1 });
    expect(parseDecimal("7.")).toEqual({ units: 7n, scale: 0 });
  });
});
