import { describe, expect, it } from "vitest";
import { diffSnapshots } from "./diff";

describe("the fields an audit entry changed", () => {
  it("lists only the top-level fields whose value differs, old and new", () => {
    const before = { name: "Fabrikam", status: "invited", activatedAt: null, check: { attempt: 1, lastResult: null } };
    const after = { name: "Fabrikam", status: "active", activatedAt: "2026-10-01T09:30:00+00:00", check: { attempt: 2, lastResult: "active" } };
    expect(diffSnapshots(before, after)).toEqual([
      { field: "status", before: "invited", after: "active" },
      { field: "activatedAt", before: "null", after: "2026-10-01T09:30:00+00:00" },
      { field: "check", before: '{"attempt":1,"lastResult":null}', after: '{"attempt":2,"lastResult":"active"}' },
    ]);
  });

  it("treats nested objects with the same content in another key order as unchanged", () => {
    const before = { overrides: [{ price: "6.10", currency: "EUR" }], margin: "0.10" };
    const after = { margin: "0.12", overrides: [{ currency: "EUR", price: "6.10" }] };
    expect(diffSnapshots(before, after)).toEqual([{ field: "margin", before: "0.10", after: "0.12" }]);
  });

  it("gives a created entity's values alone (without its empty fields) and a removed one's before alone", () => {
    expect(diffSnapshots(null, { userId: "u-1", role: "provider.staff", endedAt: null })).toEqual([
      { field: "userId", after: "u-1" },
      { field: "role", after: "provider.staff" },
    ]);
    expect(diffSnapshots({ userId: "u-1", role: "provider.admin", seats: 3 }, null)).toEqual([
      { field: "userId", before: "u-1" },
      { field: "role", before: "provider.admin" },
      { field: "seats", before: "3" },
    ]);
  });

  it("names a field that appeared or went away, and shows lists and numbers as compact JSON", () => {
    expect(diffSnapshots({ a: 1, gone: true }, { a: 1, tags: ["x", "y"] })).toEqual([
      { field: "tags", after: '["x","y"]' },
      { field: "gone", before: "true" },
    ]);
  });

  it("shows a bare value as one field and nothing for no change", () => {
    expect(diffSnapshots("off", "on")).toEqual([{ field: "value", before: "off", after: "on" }]);
    expect(diffSnapshots({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});
