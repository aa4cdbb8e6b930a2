import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import CatalogRoute from "../../app/routes/catalog";
import { fakeApi, json, problem } from "../../testing/fetch";
import { members, renderWith } from "../../testing/render";
import { passThroughFraction, passThroughPercent, promotionDates, seatLimits } from "./promotions";

afterEach(() => vi.unstubAllGlobals());

const BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K5FB:P1Y:monthly";

function catalogItem(id: string, title: string, price: string) {
  return {
    catalogItemId: id, offerId: id.split(":").slice(0, 3).join(":"), productId: id.split(":")[0], skuId: "0001",
    availabilityId: "AV", title, skuTitle: title, productFamily: "OnlineServicesNCE", productType: "OnlineServices",
    country: "US", currency: "USD", termDuration: "P1Y", billingCycle: "monthly", minQuantity: 1, maxQuantity: 300,
    isAddon: false, cancellationWindow: "P7D", status: "active", price, monthlyEquivalent: price,
  };
}

const promotion = {
  id: "39NFJQT1Q5KL:0001:39NFJQT1Q5KL", country: "US", name: "Business Basic annual 15% off",
  description: "15% off on one-year terms.", startDate: "2024-01-01T00:00:00+00:00", endDate: "2035-12-31T23:59:59+00:00",
  discountPercent: "15", minimumQuantity: 1, maximumQuantity: 300, firstPurchaseOnly: false,
  items: [{ catalogItemId: BASIC, title: "Microsoft 365 Business Basic", termDuration: "P1Y", billingCycle: "monthly", currency: "USD", price: "6.60", promotionalPrice: "5.61" }],
};

const base = {
  "GET /api/customers": () => json({ items: [{ id: "cus-1", country: "US" }], continuationToken: null }),
  "GET /api/catalog/markets": () => json({ items: ["US"] }),
  "GET /api/catalog": () =>
    json({ items: [catalogItem(BASIC, "Microsoft 365 Business Basic", "6.60"), catalogItem("OTHER:0001:AV:P1Y:monthly", "Office 365 E1", "10.00")], continuationToken: null }),
  "GET /api/catalog/promotions": () => json({ items: [promotion] }),
};

describe("promotions in the catalog", () => {
  it("lists the market's promotions with their terms and the caller's promotional price, and badges the rows", async () => {
    const api = fakeApi(base);
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.resellerStaff });
    const section = await screen.findByRole("region", { name: "Promotions in US" });
    expect(await within(section).findByText("Business Basic annual 15% off")).toBeInTheDocument();
    expect(within(section).getByText(/2024-01-01 to 2035-12-31 · 1 to 300 seats/)).toBeInTheDocument();
    const items = within(section).getByRole("table", { name: "Items of Business Basic annual 15% off" });
    expect(within(items).getByRole("cell", { name: "6.60 USD" })).toBeInTheDocument();
    expect(within(items).getByRole("cell", { name: "5.61 USD" })).toBeInTheDocument();

    const table = await screen.findByRole("table", { name: "Catalog US" });
    const promoted = within(table).getByRole("row", { name: /Microsoft 365 Business Basic/ });
    expect(within(promoted).getByText("Promotion −15%")).toBeInTheDocument();
    expect(within(promoted).getByText(/5\.61 USD under Business Basic annual 15% off/)).toBeInTheDocument();
    expect(within(within(table).getByRole("row", { name: /Office 365 E1/ })).queryByText(/Promotion/)).toBeNull();
    const [asked] = api.calls("GET /api/catalog/promotions");
    expect(new URL(asked!.url).searchParams.get("country")).toBe("US");
  });

  it("says so when the market has no promotion", async () => {
    fakeApi({ ...base, "GET /api/catalog/promotions": () => json({ items: [] }) });
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.resellerStaff });
    expect(await screen.findByText("No promotion is active in the US market.")).toBeInTheDocument();
  });

  it("lets a provider admin set the pass-through share as a percentage, sent as the fraction, and shows a 422 on the field", async () => {
    let stored = "1";
    const api = fakeApi({
      ...base,
      "GET /api/catalog/settings": () => json({ newItemsSellable: true, promotionPassThrough: stored }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "PUT /api/catalog/settings": async (request) => {
        const body = (await request.json()) as { promotionPassThrough: string };
        if (body.promotionPassThrough === "0.1234") {
          return problem(422, "promotionPassThrough: is not in the expected format", [
            { field: "promotionPassThrough", message: "is not in the expected format" },
          ]);
        }
        stored = body.promotionPassThrough;
        return json({ newItemsSellable: true, promotionPassThrough: stored });
      },
    });
    const user = userEvent.setup();
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.providerAdmin });
    const field = await screen.findByRole("textbox", { name: /Share of a promotion's discount/ });
    expect(field).toHaveValue("100");
    const save = () => user.click(screen.getByRole("button", { name: "Save pass-through share" }));

    // Above 100% or not a number: refused at the field, nothing sent.
    for (const typed of ["150", "half"]) {
      await user.clear(field);
      await user.type(field, typed);
      await save();
      expect(field).toHaveAccessibleDescription(/Enter a percentage from 0 to 100/);
    }
    expect(api.calls("PUT /api/catalog/settings")).toHaveLength(0);

    // The API's refusal shows at the field too.
    await user.clear(field);
    await user.type(field, "12.34");
    await save();
    await waitFor(() => expect(field).toHaveAccessibleDescription(/is not in the expected format/));
    expect(await api.calls("PUT /api/catalog/settings")[0]!.json()).toEqual({ promotionPassThrough: "0.1234" });
    expect(stored).toBe("1");

    await user.clear(field);
    await user.type(field, "62.5");
    await save();
    expect(await screen.findByText("Saved: 62.5% of a promotion's discount passes down.")).toBeInTheDocument();
    expect(await api.calls("PUT /api/catalog/settings")[1]!.json()).toEqual({ promotionPassThrough: "0.625" });
    expect(field).not.toHaveAttribute("aria-invalid", "true");
  });

  it("shows other provider staff the pass-through share without a field", async () => {
    fakeApi({
      ...base,
      "GET /api/catalog/settings": () => json({ newItemsSellable: true, promotionPassThrough: "0.5" }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
    });
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.providerStaff });
    expect(await screen.findByText("Resellers and customers get 50% of a promotion's discount.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /Share of a promotion's discount/ })).toBeNull();
  });
});

describe("promotion wording", () => {
  it("turns the stored fraction into a percentage and back exactly", () => {
    expect(passThroughPercent("1")).toBe("100");
    expect(passThroughPercent("0.5")).toBe("50");
    expect(passThroughPercent("0.125")).toBe("12.5");
    expect(passThroughPercent("0")).toBe("0");
    expect(passThroughFraction("50")).toBe("0.5");
    expect(passThroughFraction("100")).toBe("1");
    expect(passThroughFraction("12,5")).toBe("0.125");
    expect(passThroughFraction("0")).toBe("0");
    expect(passThroughFraction("-5")).toBeNull();
    expect(passThroughFraction("100.5")).toBeNull();
    expect(passThroughFraction("12.345")).toBeNull();
    expect(passThroughFraction("")).toBeNull();
  });

  it("reads seat limits and dates", () => {
    expect(seatLimits({ minimumQuantity: 10, maximumQuantity: 2400 })).toBe("10 to 2400 seats");
    expect(seatLimits({ minimumQuantity: 10, maximumQuantity: null })).toBe("at least 10 seats");
    expect(seatLimits({ minimumQuantity: null, maximumQuantity: null })).toBeNull();
    expect(promotionDates({ startDate: null, endDate: "2030-01-31T00:00:00Z" })).toBe("until 2030-01-31");
  });
});
