import { describe, expect, it } from "vitest";
import { formatMoment } from "./moment";

describe("moments on screen", () => {
  it("are written in UTC to the minute, whatever offset the API gave", () => {
    expect(formatMoment("2026-10-01T11:30:59+02:00")).toBe("2026-10-01 09:30 UTC");
    expect(formatMoment(null)).toBe("—");
    expect(formatMoment("not a moment")).toBe("not a moment");
  });
});
