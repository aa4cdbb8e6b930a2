import { describe, expect, it } from "vitest";
import { addMonths, firstCycle, firstCycleTotal, mayEndWith } from "./coterm";

describe("co-terming arithmetic", () => {
  it("counts monthly cycles back from the end date and charges the first one by day", () => {
    expect(firstCycle("2026-12-07", "2027-07-31", "monthly")).toEqual({ days: 25, whole: 31 });
    expect(firstCycle("2026-12-07", "2027-01-06", "monthly")).toEqual({ days: 31, whole: 31 });
  });

  it("charges an annual first cycle for the shortened term", () => {
    const cycle = firstCycle("2026-12-07", "2027-07-31", "annual");
    expect(cycle).toEqual({ days: 237, whole: 365 });
  });

  it("prices the first cycle exactly, rounding half up once", () => {
    expect(firstCycleTotal("12.10", 3, { days: 25, whole: 31 }, "USD")).toBe("29.27");
    expect(firstCycleTotal(null, 3, { days: 25, whole: 31 }, "USD")).toBeNull();
  });

  it("clamps month ends and only lets a line end within its own term", () => {
    expect(addMonths("2027-01-31", 1)).toBe("2027-02-28");
    expect(mayEndWith("2026-12-07", "P1Y", "2027-07-31")).toBe(true);
    expect(mayEndWith("2026-12-07", "P1M", "2027-07-31")).toBe(false);
    expect(mayEndWith("2026-12-07", "P1Y", null)).toBe(false);
  });
});
