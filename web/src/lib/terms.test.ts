import { describe, expect, it } from "vitest";
import { termLabel } from "./terms";

describe("terms on screen", () => {
  it("read as people say them", () => {
    expect(termLabel("P1M")).toBe("1 month");
    expect(termLabel("P1Y")).toBe("1 year");
    expect(termLabel("P3Y")).toBe("3 years");
    expect(termLabel("p7d")).toBe("7 days");
    expect(termLabel("")).toBe("—");
    expect(termLabel("someday")).toBe("someday");
  });
});
