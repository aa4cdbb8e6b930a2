import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { CustomerPricingSection, ResellerPricingSection } from "./PricingSections";

afterEach(() => vi.unstubAllGlobals());

const reseller = {
  id: "res-1", providerId: "prov-1", name: "Fabrikam Reseller", partnerId: "1234567", tenantId: null,
  contactEmail: "ops@fabrikam.example", status: "active", invitationUrl: "https://partner.microsoft.com/x",
  invitedAt: "2026-12-01T00:00:00Z", expiresAt: "2026-12-31T00:00:00Z", activatedAt: "2026-12-02T00:00:00Z",
  endedAt: null, lastCheckedAt: null, lastCheckResult: null, nextCheckAt: null, updatedAt: "2026-12-02T00:00:00Z",
} satisfies Schemas["ResellerOut"];

const customer = {
  id: "cus-1", providerId: "prov-1", resellerId: "res-1", name: "Tailspin", domain: "tailspin.onmicrosoft.com",
  tenantId: null, contactEmail: null, status: "active", origin: "invited", invitationUrl: null, storefrontEnabled: false,
  storefrontPolicy: { allowedCatalogItemIds: null, allowSeatDecrease: false, maxTermDuration: null, approvalThreshold: null },
  country: "US", currency: "USD", marketReadAt: null, invitedAt: "2026-12-01T00:00:00Z", expiresAt: "2026-12-31T00:00:00Z",
  activatedAt: null, endedAt: null, failureReason: null, flag: null, lastCheckedAt: null, lastCheckResult: null,
  nextCheckAt: null, updatedAt: "2026-12-01T00:00:00Z",
} as unknown as Schemas["CustomerOut"];

function item(id: string, title: string, price: string, cost?: string) {
  return {
    catalogItemId: id, offerId: id, productId: id, skuId: "0001", availabilityId: "A", title, skuTitle: title,
    productFamily: "OnlineServicesNCE", productType: "OnlineServices", country: "US", currency: "USD",
    termDuration: "P1M", billingCycle: "monthly", minQuantity: 1, maxQuantity: 300, isAddon: false,
    cancellationWindow: "P7D", status: "active", price, monthlyEquivalent: price,
    ...(cost === undefined ? {} : { cost, sellable: true, firstSeen: "2026-12-01T00:00:00Z", lastSeen: "2026-12-01T00:00:00Z", retiredAt: null }),
  };
}

const empty = { margin: null, overrides: [], updatedAt: null, updatedBy: null };
const withEtag = (body: unknown, etag: string) => {
  const response = json(body);
  response.headers.set("ETag", etag);
  return response;
};

describe("what the provider charges a reseller", () => {
  it("is not shown to the reseller's own staff", () => {
    const api = fakeApi({});
    const { container } = renderWith(<ResellerPricingSection reseller={reseller} />, { me: members.resellerStaff });
    expect(container.firstElementChild).toBeEmptyDOMElement();
    expect(api.fetch).not.toHaveBeenCalled();
  });

  it("previews a margin and a fixed price exactly, then saves them with the ETag read", async () => {
    let stored: unknown = empty;
    const api = fakeApi({
      "GET /api/customers": () => json({ items: [customer], continuationToken: null }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "GET /api/resellers/res-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "GET /api/catalog": () =>
        json({ items: [item("E1", "Office 365 E1", "12.00", "12.00"), item("TE", "Teams Enterprise", "6.30", "6.30")], continuationToken: null }),
      "GET /api/resellers/res-1/pricing": () => withEtag(stored, '"unstored"'),
      "PUT /api/resellers/res-1/pricing": async (request) => {
        const body = (await request.json()) as { margin: string; overrides: unknown[] };
        stored = { margin: body.margin, overrides: [{ catalogItemId: "E1", currency: "USD", price: "11.00" }], updatedAt: "2026-12-07T03:00:00+00:00", updatedBy: "ps-1" };
        return withEtag(stored, 'W/"v2"');
      },
    });
    const user = userEvent.setup();
    renderWith(<ResellerPricingSection reseller={reseller} />, { me: members.providerStaff });
    const section = await screen.findByRole("region", { name: "Pricing" });
    const preview = await within(section).findByRole("table", { name: "Price preview" });
    await within(preview).findByRole("cell", { name: /Teams Enterprise/ });

    await user.type(within(section).getByRole("textbox", { name: "Margin over cost" }), "12.5");
    expect(within(section).getByText(/sent as the fraction 0\.125/)).toBeInTheDocument();
    await user.click(within(section).getByRole("button", { name: "Add a fixed price" }));
    await user.selectOptions(within(section).getByRole("combobox", { name: "Item of fixed price 1" }), "E1");
    await user.type(within(section).getByRole("textbox", { name: "Fixed price 1" }), "11.00");

    const teams = within(preview).getByRole("cell", { name: /Teams Enterprise/ }).closest("tr")!;
    expect(within(teams).getByText("7.09 USD (changes)")).toBeInTheDocument(); // 6.30 × 1.125 = 7.0875
    const e1 = within(preview).getByRole("cell", { name: /Office 365 E1/ }).closest("tr")!;
    expect(within(e1).getByText("11.00 USD (changes)")).toBeInTheDocument();

    await user.click(within(section).getByRole("button", { name: "Save pricing" }));
    expect(await within(section).findByText("Pricing saved. The catalog now shows the stored prices.")).toBeInTheDocument();
    const [put] = api.calls("PUT /api/resellers/res-1/pricing");
    expect(put!.headers.get("If-Match")).toBe('"unstored"');
    expect(await put!.json()).toEqual({ margin: "0.125", overrides: [{ catalogItemId: "E1", price: "11.00", currency: "USD" }] });
    expect(await within(section).findByText(/^Stored: margin 12\.5% \(0\.125\), 1 fixed price, changed 2026-12-07 03:00 UTC/)).toBeInTheDocument();
  });

  it("shows a refusal under the field it names, and says so when someone changed the pricing meanwhile", async () => {
    let version = 1;
    fakeApi({
      "GET /api/customers": () => json({ items: [], continuationToken: null }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: "0.05", updatedAt: null, updatedBy: null }),
      "GET /api/resellers/res-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "GET /api/catalog": () => json({ items: [item("E1", "Office 365 E1", "12.00", "12.00")], continuationToken: null }),
      "GET /api/resellers/res-1/pricing": () =>
        withEtag({ ...empty, overrides: [{ catalogItemId: "E1", currency: "USD", price: "11.00" }], margin: version > 1 ? "0.3" : null }, `W/"v${version}"`),
      "PUT /api/resellers/res-1/pricing": async (request) => {
        const body = (await request.json()) as { margin: string };
        if (body.margin === "abc") {
          return problem(422, "margin: ...; overrides[0].price: ...", [
            { field: "margin", message: 'margin must be a decimal string such as "7.50"' },
            { field: "overrides[0].price", message: "a USD price has at most 2 decimal places" },
          ]);
        }
        version = 2;
        return json({ type: "urn:csp-platform:problem:precondition-failed", title: "Precondition failed", status: 412, detail: "changed" }, 412);
      },
    });
    const user = userEvent.setup();
    renderWith(<ResellerPricingSection reseller={reseller} />, { me: members.providerAdmin });
    const section = await screen.findByRole("region", { name: "Pricing" });
    expect(await within(section).findByText(/default margin of 5% \(0\.05\)/)).toBeInTheDocument();
    const margin = await within(section).findByRole("textbox", { name: "Margin over cost" });
    await user.type(margin, "abc");
    await user.click(within(section).getByRole("button", { name: "Save pricing" }));
    expect(await within(section).findByRole("textbox", { name: "Margin over cost", description: 'margin must be a decimal string such as "7.50"' })).toHaveAttribute("aria-invalid", "true");
    expect(within(section).getByRole("textbox", { name: "Fixed price 1", description: "a USD price has at most 2 decimal places" })).toBeInTheDocument();

    await user.clear(margin);
    await user.type(margin, "20");
    await user.click(within(section).getByRole("button", { name: "Save pricing" }));
    expect(await within(section).findByText("Someone else changed this pricing")).toBeInTheDocument();
    // The current version is loaded again in place of the edit.
    await waitFor(() => expect(within(section).getByRole("textbox", { name: "Margin over cost" })).toHaveValue("30"));
  });
});

describe("what a reseller charges its customer", () => {
  it("previews from the reseller's own price for its staff, with its default margin, and no cost", async () => {
    fakeApi({
      "GET /api/resellers/res-1/default-margin": () => json({ margin: "0.1", updatedAt: null, updatedBy: null }),
      "GET /api/catalog": () => json({ items: [item("SB", "Business Standard", "16.50")], continuationToken: null }),
      "GET /api/customers/cus-1/pricing": () => withEtag(empty, '"unstored"'),
    });
    const user = userEvent.setup();
    renderWith(<CustomerPricingSection customer={customer} />, { me: members.resellerStaff });
    const section = await screen.findByRole("region", { name: "Pricing" });
    const preview = await within(section).findByRole("table", { name: "Price preview" });
    const row = (await within(preview).findByRole("cell", { name: /Business Standard/ })).closest("tr")!;
    expect(within(row).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      "Business Standard · 1 month · Monthly", "16.50 USD", "18.15 USD", "18.15 USD", "the reseller's default margin 10% (0.1)",
    ]);
    await user.type(within(section).getByRole("textbox", { name: "Margin over the reseller's price" }), "20");
    expect(within(row).getByText("19.80 USD (changes)")).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Cost" })).toBeNull();
  });

  it("previews for provider staff from the reseller's unrounded price, as the API carries it between tiers", async () => {
    fakeApi({
      "GET /api/resellers/res-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "GET /api/providers/prov-1/default-margin": () => json({ margin: null, updatedAt: null, updatedBy: null }),
      "GET /api/resellers/res-1/pricing": () => withEtag({ ...empty, margin: "0.1" }, '"r1"'),
      "GET /api/catalog": () => json({ items: [item("TINY", "Tiny add-on", "0.05", "0.05")], continuationToken: null }),
      "GET /api/customers/cus-1/pricing": () => withEtag(empty, '"unstored"'),
    });
    const user = userEvent.setup();
    renderWith(<CustomerPricingSection customer={customer} />, { me: members.providerStaff });
    const section = await screen.findByRole("region", { name: "Pricing" });
    const preview = await within(section).findByRole("table", { name: "Price preview" });
    const row = (await within(preview).findByRole("cell", { name: /Tiny add-on/ })).closest("tr")!;
    await waitFor(() => expect(within(row).getAllByRole("cell")[1]).toHaveTextContent("0.06 USD")); // 0.055, shown rounded
    await user.type(within(section).getByRole("textbox", { name: "Margin over the reseller's price" }), "9");
    // 0.055 × 1.09 = 0.05995 → 0.06, where the rounded 0.06 × 1.09 would have made 0.07.
    expect(within(row).getAllByRole("cell")[3]).toHaveTextContent(/^0\.06 USD$/);
  });

  it("renders nothing for the staff of another reseller", () => {
    fakeApi({});
    const { container } = renderWith(<CustomerPricingSection customer={{ ...customer, resellerId: "res-2" }} />, {
      me: members.resellerStaff,
    });
    expect(container.firstElementChild).toBeEmptyDOMElement();
  });
});
