import { describe, expect, it } from "vitest";
import { windowLeft } from "./window";

const now = new Date("2026-10-01T09:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("windowLeft", () => {
  it("says days and hours while more than a day is left", () => {
    expect(windowLeft(at(2 * DAY + 4 * HOUR + 30 * MIN), now)).toEqual({ open: true, text: "2 days 4 hours left" });
    expect(windowLeft(at(DAY + HOUR), now)).toEqual({ open: true, text: "1 day 1 hour left" });
    expect(windowLeft(at(7 * DAY), now)).toEqual({ open: true, text: "7 days left" });
  });

  it("says hours and minutes, then minutes, within the last day", () => {
    expect(windowLeft(at(3 * HOUR + 12 * MIN + 5000), now).text).toBe("3 hours 12 minutes left");
    expect(windowLeft(at(HOUR), now).text).toBe("1 hour left");
    expect(windowLeft(at(35 * MIN), now).text).toBe("35 minutes left");
    expect(windowLeft(at(30_000), now)).toEqual({ open: true, text: "less than a minute left" });
  });

  it("is closed at and after its end, and when no end is known", () => {
    expect(windowLeft(at(0), now)).toEqual({ open: false, text: "closed" });
    expect(windowLeft(at(-DAY), now)).toEqual({ open: false, text: "closed" });
    expect(windowLeft(null, now)).toEqual({ open: false, text: "closed" });
    expect(windowLeft("not a date", now)).toEqual({ open: false, text: "closed" });
  });

  it("reads the API's offset form", () => {
    expect(windowLeft("2026-10-08T09:00:00+00:00", now).text).toBe("7 days left");
    expect(windowLeft("2026-10-01T11:30:00+02:00", now).text).toBe("30 minutes left");
  });
});
