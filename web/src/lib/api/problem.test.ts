import { describe, expect, it } from "vitest";
import { viewProblem, type Problem } from "./problem";

const base: Problem = { type: "about:blank", title: "The request is not valid", status: 422, detail: "summary" };

describe("viewProblem", () => {
  it("puts each field error under its field path", () => {
    const view = viewProblem(
      { ...base, errors: [{ field: "billingProfile.defaultAddress.city", message: "is required" }] },
      ["billingProfile.defaultAddress.city", "resellerId"],
    );
    expect(view?.fields).toEqual({ "billingProfile.defaultAddress.city": "is required" });
    expect(view?.general).toBeNull();
  });

  it("matches a list item's field by its path with the index in brackets, as the API writes it", () => {
    const view = viewProblem(
      {
        ...base,
        errors: [
          { field: "lines[0].quantity", message: "must be a whole number" },
          { field: "storefrontPolicy.allowedCatalogItemIds[2]", message: "X is not a catalog item of the customer's market (US)" },
        ],
      },
      ["lines[0].quantity", "lines[1].quantity"],
    );
    expect(view?.fields).toEqual({ "lines[0].quantity": "must be a whole number" });
    expect(view?.general).toBe(
      "storefrontPolicy.allowedCatalogItemIds[2]: X is not a catalog item of the customer's market (US)",
    );
  });

  it("joins two errors of the same field", () => {
    const view = viewProblem(
      { ...base, errors: [{ field: "name", message: "too short" }, { field: "name", message: "bad characters" }] },
      ["name"],
    );
    expect(view?.fields["name"]).toBe("too short; bad characters");
  });

  it("shows the detail when no error matches a field of the form", () => {
    const view = viewProblem({ ...base, detail: "the app was refused by Partner Center" }, ["name"]);
    expect(view?.fields).toEqual({});
    expect(view?.general).toBe("the app was refused by Partner Center");
  });

  it("lists the errors no field claimed beside the matched ones", () => {
    const view = viewProblem(
      { ...base, errors: [{ field: "name", message: "required" }, { field: "billingProfile", message: "missing" }] },
      ["name"],
    );
    expect(view?.fields).toEqual({ name: "required" });
    expect(view?.general).toBe("billingProfile: missing");
  });
});
