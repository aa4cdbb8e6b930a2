import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { PlaceOrderForm } from "./PlaceOrderForm";

const customer = {
  id: "cus-1",
  name: "Wingtip",
  status: "active",
  country: "US",
  currency: "USD",
} as Schemas["CustomerOut"];

function item(id: string, title: string, price: string | null, extra: Partial<Schemas["CatalogItemOut"]> = {}) {
  return {
    catalogItemId: `${id}:0001:AV:P1Y:monthly`,
    offerId: `${id}:0001:AV`,
    productId: id,
    skuId: "0001",
    availabilityId: "AV",
    title,
    skuTitle: title,
    termDuration: "P1Y",
    billingCycle: "monthly",
    country: "US",
    currency: "USD",
    price,
    minQuantity: 1,
    maxQuantity: 300,
    isAddon: false,
    status: "active",
    productFamily: "OnlineServicesNCE",
    productType: "OnlineServicesNCE",
    monthlyEquivalent: price,
    cancellationWindow: "P7D",
    ...extra,
  } as Schemas["CatalogItemOut"];
}

const basic = item("BASIC", "Business Basic", "19.99");
const phone = item("PHONE", "Teams Phone", "0.10", { maxQuantity: 5 });

async function build(user: ReturnType<typeof userEvent.setup>) {
  const picker = await screen.findByRole("table", { name: "Catalog items" });
  await user.click(within(picker).getByRole("button", { name: /^Add Business Basic/ }));
  await user.click(within(picker).getByRole("button", { name: /^Add Teams Phone/ }));
  const basicQuantity = screen.getByRole("spinbutton", { name: "Quantity of Business Basic" });
  await user.clear(basicQuantity);
  await user.type(basicQuantity, "3");
  const phoneQuantity = screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" });
  await user.clear(phoneQuantity);
  await user.type(phoneQuantity, "7");
}

describe("Place an order", () => {
  it("shows the exact total at the reseller's own price before sending, and no provider cost", async () => {
    const api = fakeApi({ "GET /api/catalog": () => json({ items: [basic, phone], continuationToken: null }) });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.resellerStaff });
    await build(user);

    const lines = screen.getByRole("table", { name: "Order lines" });
    expect(within(lines).getByText("59.97 USD")).toBeInTheDocument(); // 19.99 × 3, not 59.96999…
    expect(within(lines).getByText("0.70 USD")).toBeInTheDocument();
    const total = screen.getByRole("group", { name: "Order total" });
    expect(total).toHaveTextContent("Reseller price total (reseller price × quantity): 60.67 USD");
    expect(screen.queryByText(/cost/i)).toBeNull();

    const [asked] = api.calls("GET /api/catalog");
    expect(new URL(asked!.url).searchParams.get("customerId")).toBe("cus-1");
  });

  it("sums thousands exactly and says a line without a valid quantity leaves the total open", async () => {
    fakeApi({
      "GET /api/catalog": () =>
        json({ items: [item("E5", "Office E5", "1234.57", { maxQuantity: null }), phone], continuationToken: null }),
    });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.providerStaff });
    const picker = await screen.findByRole("table", { name: "Catalog items" });
    await user.click(within(picker).getByRole("button", { name: /^Add Office E5/ }));
    const quantity = screen.getByRole("spinbutton", { name: "Quantity of Office E5" });
    await user.clear(quantity);
    await user.type(quantity, "1000");
    const total = screen.getByRole("group", { name: "Order total" });
    expect(total).toHaveTextContent("Cost total (cost × quantity): 1,234,570.00 USD");
    await user.clear(quantity);
    expect(total).toHaveTextContent("Cost total (cost × quantity): —");
    expect(total).toHaveTextContent("leaves the total open");
  });

  it("shows a line's refusal at that line, keeps the key for the same order and renews it for a changed one", async () => {
    const api = fakeApi({
      "GET /api/catalog": () => json({ items: [basic, phone], continuationToken: null }),
      "POST /api/orders": () =>
        problem(422, "lines[1].quantity: must be between 1 and 5", [
          { field: "lines[1].quantity", message: "must be between 1 and 5" },
        ]),
    });
    const user = userEvent.setup();
    const onPlaced = vi.fn();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={onPlaced} />, { me: members.resellerStaff });
    await build(user);
    // 7 is above the item's 5: refused at the line before anything is sent.
    await user.click(screen.getByRole("button", { name: "Place order" }));
    const phoneQuantity = screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" });
    expect(phoneQuantity).toHaveAttribute("aria-invalid", "true");
    expect(phoneQuantity).toHaveAccessibleDescription(/must be between 1 and 5/);
    expect(api.calls("POST /api/orders")).toHaveLength(0);

    // Within the item's limits, the API still refuses it: its message shows at that line, and only there.
    await user.clear(phoneQuantity);
    await user.type(phoneQuantity, "5");
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/orders")).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" })).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" })).toHaveAccessibleDescription(/must be between 1 and 5/);
    expect(screen.getByRole("spinbutton", { name: "Quantity of Business Basic" })).not.toHaveAttribute("aria-invalid", "true");

    const [first] = api.calls("POST /api/orders");
    expect(await first!.json()).toEqual({
      customerId: "cus-1",
      lines: [
        { catalogItemId: basic.catalogItemId, quantity: 3, termDuration: "P1Y", billingCycle: "monthly" },
        { catalogItemId: phone.catalogItemId, quantity: 5, termDuration: "P1Y", billingCycle: "monthly" },
      ],
    });
    // The same order again: the same key, so the API answers the first request instead of ordering twice.
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/orders")).toHaveLength(2));
    const [, again] = api.calls("POST /api/orders");
    expect(again!.headers.get("Idempotency-Key")).toBe(first!.headers.get("Idempotency-Key"));
    expect(first!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{20,}$/);
    // A changed order is a new request.
    const phoneAgain = screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" });
    await user.clear(phoneAgain);
    await user.type(phoneAgain, "4");
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/orders")).toHaveLength(3));
    expect(api.calls("POST /api/orders")[2]!.headers.get("Idempotency-Key")).not.toBe(first!.headers.get("Idempotency-Key"));
    expect(onPlaced).not.toHaveBeenCalled();
  });

  it("lets a line end with one of the customer's subscriptions, shows its end date and prorated first cycle", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const lastDay = new Date(Date.parse(`${today}T00:00:00Z`) + 45 * 86_400_000).toISOString().slice(0, 10);
    const api = fakeApi({
      "GET /api/catalog": () => json({ items: [basic], continuationToken: null }),
      "GET /api/subscriptions": () =>
        json({ items: [{ id: "sub-9", name: "Exchange Online", termEndDate: `${lastDay}T00:00:00+00:00` }], continuationToken: null }),
      "POST /api/orders": () =>
        problem(422, "lines[0].coterminateWith: no end date aligns", [
          { field: "lines[0].coterminateWith", message: "no end date aligns" },
        ]),
    });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.resellerStaff });
    const picker = await screen.findByRole("table", { name: "Catalog items" });
    await user.click(within(picker).getByRole("button", { name: /^Add Business Basic/ }));
    const ends = await screen.findByRole("combobox", { name: "End of Business Basic" });
    await user.selectOptions(ends, "sub-9");
    const lines = screen.getByRole("table", { name: "Order lines" });
    expect(within(lines).getByText(new RegExp(`Ends ${lastDay}; first cycle \\d+ of \\d+ days`))).toBeInTheDocument();
    expect(within(lines).getByText("first cycle, prorated")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/orders")).toHaveLength(1));
    const [sent] = api.calls("POST /api/orders");
    expect((await sent!.json()).lines[0].coterminateWith).toBe("sub-9");
    expect(await screen.findByText("no end date aligns")).toBeInTheDocument();
  });

  it("says what an add-on needs and shows the API's refusal at its line", async () => {
    const archiving = item("ARCH", "Exchange Online Archiving", "3.00", {
      isAddon: true,
      prerequisiteSkus: ["CFQ7TTC0LH16:0001"],
    });
    fakeApi({
      "GET /api/catalog": () => json({ items: [archiving], continuationToken: null }),
      "GET /api/subscriptions": () => json({ items: [], continuationToken: null }),
      "POST /api/orders": () =>
        problem(422, "base needed", [
          { field: "lines[0].catalogItemId", message: "this add-on needs an active subscription of Exchange Online (Plan 1) (CFQ7TTC0LH16:0001)" },
        ]),
    });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.resellerStaff });
    const picker = await screen.findByRole("table", { name: "Catalog items" });
    expect(within(picker).getByText(/Add-on: needs an active subscription of CFQ7TTC0LH16:0001/)).toBeInTheDocument();
    await user.click(within(picker).getByRole("button", { name: /^Add Exchange Online Archiving/ }));
    await user.click(screen.getByRole("button", { name: "Place order" }));
    const lines = screen.getByRole("table", { name: "Order lines" });
    expect(await within(lines).findByRole("alert")).toHaveTextContent("Exchange Online (Plan 1) (CFQ7TTC0LH16:0001)");
  });

  it("lets a line take a promotion of its item: the promotional price in the line and the total, promotionId sent, a refusal at the line", async () => {
    const promotion = {
      id: "39NFJQT1Q5KL:0001:39NFJQT1Q5KL", country: "US", name: "Business Basic annual 15% off", description: "",
      startDate: null, endDate: null, discountPercent: "15", minimumQuantity: 1, maximumQuantity: 300, firstPurchaseOnly: false,
      items: [{ catalogItemId: basic.catalogItemId, title: "Business Basic", termDuration: "P1Y", billingCycle: "monthly", currency: "USD", price: "19.99", promotionalPrice: "16.99" }],
    };
    const api = fakeApi({
      "GET /api/catalog": () => json({ items: [basic, phone], continuationToken: null }),
      "GET /api/catalog/promotions": () => json({ items: [promotion] }),
      "POST /api/orders": () =>
        problem(422, "lines[0].promotionId: the customer has already used this promotion", [
          { field: "lines[0].promotionId", message: "the customer has already used this promotion" },
        ]),
    });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.resellerStaff });
    await build(user);
    const choice = await screen.findByRole("combobox", { name: "Promotion for Business Basic" });
    expect(screen.queryByRole("combobox", { name: "Promotion for Teams Phone" })).toBeNull(); // none applies to it
    expect(within(choice).getByRole("option", { name: "Business Basic annual 15% off: −15%, 16.99 USD" })).toBeInTheDocument();
    await user.selectOptions(choice, promotion.id);
    const lines = screen.getByRole("table", { name: "Order lines" });
    expect(within(lines).getByText("16.99 USD")).toBeInTheDocument();
    expect(within(lines).getByText("instead of 19.99 USD")).toBeInTheDocument();
    expect(within(lines).getByText("50.97 USD")).toBeInTheDocument(); // 16.99 × 3
    expect(screen.getByRole("group", { name: "Order total" })).toHaveTextContent("51.67 USD"); // + 0.10 × 7

    const phoneQuantity = screen.getByRole("spinbutton", { name: "Quantity of Teams Phone" });
    await user.clear(phoneQuantity);
    await user.type(phoneQuantity, "5");
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/orders")).toHaveLength(1));
    const sent = (await api.calls("POST /api/orders")[0]!.json()) as { lines: Record<string, unknown>[] };
    expect(sent.lines[0]).toEqual({ catalogItemId: basic.catalogItemId, quantity: 3, termDuration: "P1Y", billingCycle: "monthly", promotionId: promotion.id });
    expect(sent.lines[1]).not.toHaveProperty("promotionId");
    expect(await within(lines).findByRole("alert")).toHaveTextContent("Promotion refused: the customer has already used this promotion");

    await user.selectOptions(choice, "");
    expect(within(lines).queryByRole("alert")).toBeNull();
    expect(screen.getByRole("group", { name: "Order total" })).toHaveTextContent("60.47 USD"); // 19.99 × 3 + 0.10 × 5
  });

  it("shows an inactive relationship (409) in a message bar", async () => {
    fakeApi({
      "GET /api/catalog": () => json({ items: [basic, phone], continuationToken: null }),
      "POST /api/orders": () => problem(409, "customer cus-1 is ended: orders need an active relationship"),
    });
    const user = userEvent.setup();
    renderWith(<PlaceOrderForm customer={customer} onPlaced={vi.fn()} />, { me: members.resellerStaff });
    const picker = await screen.findByRole("table", { name: "Catalog items" });
    await user.click(within(picker).getByRole("button", { name: /^Add Business Basic/ }));
    await user.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText("customer cus-1 is ended: orders need an active relationship")).toBeInTheDocument();
  });
});
