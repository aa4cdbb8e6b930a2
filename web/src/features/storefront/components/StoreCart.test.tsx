import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { Me } from "../../../lib/auth/me";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Customer } from "../api/storefront";
import { catalogItem } from "../testing";
import { StoreCart } from "./StoreCart";

const customer = (threshold: string | null) =>
  ({
    id: "cus-1",
    name: "Wingtip",
    country: "DE",
    currency: "EUR",
    storefrontEnabled: true,
    storefrontPolicy: { allowedCatalogItemIds: null, allowSeatDecrease: true, maxTermDuration: "P3Y", approvalThreshold: threshold },
  }) as unknown as Customer;

const basic = catalogItem("BASIC", "Business Basic", "12.40");

function withCart(quantity: number) {
  window.sessionStorage.setItem("storefront-cart:cus-1", JSON.stringify([{ item: basic, quantity }]));
}

afterEach(() => window.sessionStorage.clear());

describe("the cart", () => {
  it("shows each line's total and the cart's, and that the order stays under the approval threshold", async () => {
    withCart(3);
    fakeApi({ "GET /api/customers/cus-1": () => json(customer("500.00")) });
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    const table = await screen.findByRole("table", { name: "Cart lines" });
    expect(within(table).getByText("12.40 EUR")).toBeInTheDocument();
    expect(within(table).getByText("37.20 EUR")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Cart total" })).toHaveTextContent("Total: 37.20 EUR");
    expect(screen.getByText("Orders over 500.00 EUR wait for your reseller's approval.")).toBeInTheDocument();
    expect(screen.queryByText(/This order will wait/)).not.toBeInTheDocument();
  });

  it("says the order will wait once its quantity takes it over the threshold", async () => {
    withCart(3);
    fakeApi({ "GET /api/customers/cus-1": () => json(customer("500.00")) });
    const user = userEvent.setup();
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    const quantity = await screen.findByRole("spinbutton", { name: "Quantity of Business Basic" });
    await user.clear(quantity);
    await user.type(quantity, "41");
    expect(screen.getByRole("group", { name: "Cart total" })).toHaveTextContent("Total: 508.40 EUR");
    expect(screen.getByText("This order will wait for your reseller's approval")).toBeInTheDocument();
  });

  it("places the order with an Idempotency-Key and empties the cart", async () => {
    withCart(2);
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer(null)),
      "POST /api/storefront/orders": () => json({ id: "ord-1", status: "accepted", lines: [], totals: { currency: "EUR" } }, 202),
    });
    const user = userEvent.setup();
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    await user.click(await screen.findByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/storefront/orders")).toHaveLength(1));
    const request = api.calls("POST /api/storefront/orders")[0]!;
    expect(request.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await request.json()).toEqual({
      lines: [{ catalogItemId: basic.catalogItemId, quantity: 2, termDuration: "P1Y", billingCycle: "monthly" }],
    });
    await waitFor(() => expect(window.sessionStorage.getItem("storefront-cart:cus-1")).toBeNull());
    expect(screen.queryByText(/wait for your reseller/)).not.toBeInTheDocument();
  });

  it("lets a line take a promotion of its item at the promotional price, sends it, and shows why it was refused", async () => {
    withCart(4);
    const promotion = {
      id: "PROMO:0001:PROMO", country: "DE", name: "Business Basic annual 15% off", description: "", startDate: null,
      endDate: null, discountPercent: "15", minimumQuantity: 1, maximumQuantity: 300, firstPurchaseOnly: false,
      items: [{ catalogItemId: basic.catalogItemId, title: "Business Basic", termDuration: "P1Y", billingCycle: "monthly", currency: "EUR", price: "12.40", promotionalPrice: "10.54" }],
    };
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer(null)),
      "GET /api/catalog/promotions": () => json({ items: [promotion] }),
      "POST /api/storefront/orders": () =>
        problem(422, "lines[0].promotionId: not eligible", [{ field: "lines[0].promotionId", message: "this promotion is for first purchases only" }]),
    });
    const user = userEvent.setup();
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    await user.selectOptions(await screen.findByRole("combobox", { name: "Promotion for Business Basic" }), promotion.id);
    const table = screen.getByRole("table", { name: "Cart lines" });
    expect(within(table).getByText("10.54 EUR")).toBeInTheDocument();
    expect(within(table).getByText("instead of 12.40 EUR")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Cart total" })).toHaveTextContent("Total: 42.16 EUR");
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/storefront/orders")).toHaveLength(1));
    expect(((await api.calls("POST /api/storefront/orders")[0]!.json()) as { lines: unknown[] }).lines).toEqual([
      { catalogItemId: basic.catalogItemId, quantity: 4, termDuration: "P1Y", billingCycle: "monthly", promotionId: promotion.id },
    ]);
    expect(await within(table).findByRole("alert")).toHaveTextContent("Promotion refused: this promotion is for first purchases only");
    expect(window.sessionStorage.getItem("storefront-cart:cus-1")).toContain(promotion.id); // the cart is kept
  });
});
