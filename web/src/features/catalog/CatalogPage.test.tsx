import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import CatalogRoute from "../../app/routes/catalog";
import { fakeApi, json } from "../../testing/fetch";
import { members, renderWith } from "../../testing/render";

afterEach(() => vi.unstubAllGlobals());

function item(provider: boolean, sellable = true) {
  return {
    catalogItemId: "CFQ7TTC0LF8Q:0001:CFQ7TTC0EC4D:P1Y:annual", offerId: "CFQ7TTC0LF8Q:0001:CFQ7TTC0EC4D",
    productId: "CFQ7TTC0LF8Q", skuId: "0001", availabilityId: "CFQ7TTC0EC4D", title: "Office 365 E1",
    skuTitle: "Office 365 E1", productFamily: "OnlineServicesNCE", productType: "OnlineServices", country: "US",
    currency: "USD", termDuration: "P1Y", billingCycle: "annual", minQuantity: 1, maxQuantity: 300, isAddon: false,
    cancellationWindow: "P7D", status: "active", price: provider ? "120.00" : "132.00", monthlyEquivalent: provider ? "10.00" : "11.00",
    ...(provider ? { cost: "120.00", sellable, firstSeen: "2026-12-01T00:00:00Z", lastSeen: "2026-12-01T00:00:00Z", retiredAt: null } : {}),
  };
}

// The item id travels encoded in the path (its colons as %3A).
const SELLABLE = `PUT /api/catalog/items/${encodeURIComponent("CFQ7TTC0LF8Q:0001:CFQ7TTC0EC4D:P1Y:annual")}/sellable`;

const customers = () => json({ items: [{ id: "cus-1", country: "US" }], continuationToken: null });

describe("the catalog page", () => {
  it("shows reseller staff their own price, without cost, sellable switch, sync or settings", async () => {
    const api = fakeApi({
      "GET /api/customers": customers,
      "GET /api/catalog/markets": () => json({ items: ["US", "NL"] }),
      "GET /api/catalog": () => json({ items: [item(false)], continuationToken: null }),
    });
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.resellerStaff });
    const table = await screen.findByRole("table", { name: "Catalog US" });
    expect(await within(table).findByRole("cell", { name: "132.00 USD" })).toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "11.00 USD" })).toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "1 year" })).toBeInTheDocument();
    expect(within(table).queryByRole("columnheader", { name: "Cost" })).toBeNull();
    expect(within(table).queryByRole("columnheader", { name: "Sellable" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Sync/ })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Catalog settings" })).toBeNull();
    const url = new URL(api.calls("GET /api/catalog")[0]!.url);
    expect(url.searchParams.get("country")).toBe("US"); // the customers' market by default
    expect(url.searchParams.has("sellable")).toBe(false);
  });

  it("lets a provider admin switch an item off in its market, search, and sync with the figures shown", async () => {
    let sellable = true;
    const api = fakeApi({
      "GET /api/customers": customers,
      "GET /api/catalog/markets": () => json({ items: ["US", "NL"] }),
      "GET /api/catalog": () => json({ items: [item(true, sellable)], continuationToken: null }),
      "GET /api/catalog/settings": () => json({ newItemsSellable: false }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: "0.05", updatedAt: null, updatedBy: null }),
      [SELLABLE]: async (request) => {
        sellable = ((await request.json()) as { sellable: boolean }).sellable;
        return json({ items: [{ catalogItemId: item(true).catalogItemId, country: "US", sellable, status: "active" }] });
      },
      "POST /api/catalog/sync": () =>
        json({
          added: 2, updated: 1, retired: 0, unchanged: 38, reactivated: 0, priced: 41, priceSheet: "loaded",
          priceSheetError: null, retirementSkipped: false, country: "US",
          markets: [{ added: 2, updated: 1, retired: 0, unchanged: 38, reactivated: 0, priced: 41, priceSheet: "loaded", priceSheetError: null, retirementSkipped: false, country: "US" }],
        }),
    });
    const user = userEvent.setup();
    renderWith(<CatalogRoute />, { route: "/catalog", me: members.providerAdmin });
    const table = await screen.findByRole("table", { name: "Catalog US" });
    expect(within(table).getByRole("columnheader", { name: "Cost" })).toBeInTheDocument();
    const toggle = within(table).getByRole("switch", { name: "Sellable: Office 365 E1 · 1 year · Annual" });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    expect(await screen.findByText(/Office 365 E1 · 1 year · Annual is switched off in US/)).toBeInTheDocument();
    const [put] = api.calls(SELLABLE);
    expect(await put!.json()).toEqual({ sellable: false, country: "US" });
    await waitFor(() => expect(within(table).getByRole("switch", { name: /^Sellable: / })).not.toBeChecked());

    await user.type(screen.getByRole("searchbox", { name: "Search titles" }), "E1");
    await user.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(api.calls("GET /api/catalog").some((r) => new URL(r.url).searchParams.get("q") === "E1")).toBe(true));

    await user.click(screen.getByRole("button", { name: "Sync US now" }));
    expect(await screen.findByText("US synced")).toBeInTheDocument();
    expect(screen.getByText(/US: 2 added, 1 updated, 0 retired, 38 unchanged, 41 priced, price sheet loaded/)).toBeInTheDocument();
    expect(await api.calls("POST /api/catalog/sync")[0]!.json()).toEqual({ country: "US" });
    expect(await screen.findByRole("switch", { name: "New items are sellable as soon as a sync brings them in" })).not.toBeChecked();
  });
});
