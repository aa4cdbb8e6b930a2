import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { Me } from "../../../lib/auth/me";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Customer } from "../api/storefront";
import { catalogItem } from "../testing";
import { StoreCart } from "./StoreCart";

const customer = {
  id: "cus-1",
  name: "Wingtip",
  currency: "EUR",
  storefrontEnabled: true,
  storefrontPolicy: { allowedCatalogItemIds: null, allowSeatDecrease: true, maxTermDuration: "P3Y", approvalThreshold: null },
} as unknown as Customer;

const missing = {
  status: "missing",
  acceptedAt: null,
  contact: null,
  templateId: null,
  confirmedAt: null,
  agreementLink: "https://aka.ms/customeragreement",
  currentTemplateId: "117a69e3-a2d9-4d8b-93cc-e5b3a4f2ef9c",
};
const accepted = {
  ...missing,
  status: "accepted",
  acceptedAt: "2026-10-01T09:30:00Z",
  contact: { firstName: "Nina", lastName: "Winters", email: "nina@wingtip.example", phoneNumber: null },
  templateId: missing.currentTemplateId,
};
const refusal = json(
  {
    type: "urn:csp-platform:problem:customer-agreement-missing",
    title: "The Microsoft Customer Agreement is not accepted",
    status: 409,
    detail: "the customer has not accepted the Microsoft Customer Agreement",
  },
  409,
);

afterEach(() => window.sessionStorage.clear());

function withCart() {
  const item = catalogItem("BASIC", "Business Basic", "12.40");
  window.sessionStorage.setItem("storefront-cart:cus-1", JSON.stringify([{ item, quantity: 1 }]));
}

describe("the agreement step of the cart", () => {
  it("links to Microsoft's agreement, explains a refused order and accepts only once ticked", async () => {
    withCart();
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer),
      "GET /api/storefront/agreement": () => json(missing),
      "POST /api/storefront/orders": () => refusal.clone(),
      "POST /api/storefront/agreement": () => json(accepted),
    });
    const user = userEvent.setup();
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    const link = await screen.findByRole("link", { name: "Microsoft's Customer Agreement" });
    expect(link).toHaveAttribute("href", "https://aka.ms/customeragreement");
    await user.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText(/Your order was not placed: your organisation has not accepted/)).toBeInTheDocument();
    const acceptButton = screen.getByRole("button", { name: "I accept" });
    expect(acceptButton).toBeDisabled();
    await user.type(screen.getByRole("textbox", { name: /^Your first name/ }), "Nina");
    await user.type(screen.getByRole("textbox", { name: /^Your last name/ }), "Winters");
    await user.type(screen.getByRole("textbox", { name: /^Your email/ }), "nina@wingtip.example");
    await user.click(screen.getByRole("checkbox", { name: /accept it on behalf of my organisation/ }));
    await user.click(acceptButton);
    expect(await screen.findByText(/Microsoft Customer Agreement accepted on 2026-10-01 09:30 UTC by Nina Winters/)).toBeInTheDocument();
    expect(await api.calls("POST /api/storefront/agreement")[0]!.json()).toEqual({
      firstName: "Nina",
      lastName: "Winters",
      email: "nina@wingtip.example",
    });
    await waitFor(() => expect(screen.queryByText(/Your order was not placed/)).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(api.calls("POST /api/storefront/orders")).toHaveLength(2));
    const keys = api.calls("POST /api/storefront/orders").map((request) => request.headers.get("Idempotency-Key"));
    expect(keys[0]).not.toEqual(keys[1]); // the second order is not a replay of the refused one
  });

  it("shows only a line once the agreement is accepted", async () => {
    withCart();
    fakeApi({ "GET /api/customers/cus-1": () => json(customer), "GET /api/storefront/agreement": () => json(accepted) });
    renderWith(<StoreCart customerId="cus-1" />, { me: members.customerAdmin as Me });
    expect(await screen.findByRole("note")).toHaveTextContent("accepted on 2026-10-01 09:30 UTC by Nina Winters");
    expect(screen.queryByRole("button", { name: "I accept" })).not.toBeInTheDocument();
  });
});
