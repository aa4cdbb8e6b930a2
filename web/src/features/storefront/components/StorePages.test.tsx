import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Me } from "../../../lib/auth/me";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Customer, StoreSubscription } from "../api/storefront";
import { StoreOrder } from "./StoreOrder";
import { StoreSubscriptions } from "./StoreSubscriptions";

const me = members.customerAdmin as Me;

const customer = (allowSeatDecrease: boolean) =>
  ({
    id: "cus-1",
    currency: "EUR",
    storefrontEnabled: true,
    storefrontPolicy: { allowedCatalogItemIds: null, allowSeatDecrease, maxTermDuration: "P3Y", approvalThreshold: null },
  }) as unknown as Customer;

const sub = {
  id: "sub-1",
  name: "Business Basic",
  quantity: 5,
  removableQuantity: 2,
  cancellationWindowEndsAt: "2026-12-14T08:00:00Z",
  autoRenew: true,
  status: "active",
  termDuration: "P1Y",
  billingCycle: "monthly",
  termEndDate: "2027-12-06",
  pendingChange: null,
  lots: [],
} as unknown as StoreSubscription;

const problem = (status: number, slug: string, detail: string) =>
  json({ type: `urn:csp-platform:problem:${slug}`, title: "Refused", status, detail }, status);

describe("the storefront's subscriptions", () => {
  it("shows the API's 409 reason at the seats field", async () => {
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer(true)),
      "GET /api/storefront/subscriptions": () => json({ items: [sub], continuationToken: null }),
      "PATCH /api/storefront/subscriptions/sub-1": () => problem(409, "conflict", "seats can be removed only within 168 hours"),
    });
    const user = userEvent.setup();
    renderWith(<StoreSubscriptions customerId="cus-1" />, { me });
    const seats = await screen.findByRole("spinbutton", { name: "Seats of Business Basic" });
    await user.clear(seats);
    await user.type(seats, "4");
    await user.click(screen.getByRole("button", { name: "Change seats" }));
    expect(await screen.findByText("seats can be removed only within 168 hours")).toBeInTheDocument();
    expect(await api.calls("PATCH /api/storefront/subscriptions/sub-1")[0]!.json()).toEqual({ quantity: 4 });
    expect(seats).toHaveAttribute("aria-invalid", "true");
  });

  it("does not send a decrease its reseller does not allow", async () => {
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer(false)),
      "GET /api/storefront/subscriptions": () => json({ items: [sub], continuationToken: null }),
    });
    const user = userEvent.setup();
    renderWith(<StoreSubscriptions customerId="cus-1" />, { me });
    const seats = await screen.findByRole("spinbutton", { name: "Seats of Business Basic" });
    await user.clear(seats);
    await user.type(seats, "4");
    expect(screen.getByText(/does not let you remove seats/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Change seats" })).toBeDisabled();
    expect(api.calls("PATCH /api/storefront/subscriptions/sub-1")).toHaveLength(0);
  });

  it("says why when the storefront is switched off", async () => {
    fakeApi({
      "GET /api/customers/cus-1": () => json(customer(true)),
      "GET /api/storefront/subscriptions": () => problem(403, "storefront-disabled", "your reseller has not enabled the storefront for you"),
    });
    renderWith(<StoreSubscriptions customerId="cus-1" />, { me });
    expect(await screen.findByText("Your storefront is not open")).toBeInTheDocument();
    expect(screen.getByText("your reseller has not enabled the storefront for you")).toBeInTheDocument();
  });
});

describe("a storefront order", () => {
  it("is the console's not-found page when it is another customer's", async () => {
    fakeApi({ "GET /api/storefront/orders/ord-x": () => problem(404, "not-found", "no such order") });
    renderWith(<StoreOrder id="ord-x" />, { me });
    expect(await screen.findByRole("heading", { name: "Not found", level: 1 })).toBeInTheDocument();
  });

  it("says it waits for approval, then shows it completed", async () => {
    let status = "pendingApproval";
    const order = () =>
      json({
        id: "ord-1", status, createdAt: "2026-12-07T08:00:00Z", updatedAt: "2026-12-07T08:00:00Z", failureReason: null,
        rejectionReason: null, totals: { currency: "EUR", customerPrice: "37.20" },
        lines: [{ lineNumber: 1, title: "Business Basic", termDuration: "P1Y", billingCycle: "monthly", quantity: 3,
          customerPrice: "12.40", customerPriceTotal: "37.20", currency: "EUR", status: status === "completed" ? "provisioned" : "pending", error: null }],
      });
    fakeApi({ "GET /api/storefront/orders/ord-1": order });
    renderWith(<StoreOrder id="ord-1" />, { me });
    expect(await screen.findByText("Waiting for your reseller's approval")).toBeInTheDocument();
    expect(screen.getAllByText("37.20 EUR").length).toBeGreaterThan(0);
    status = "completed";
    await waitFor(() => expect(screen.getByRole("status", { name: "Order status" })).toHaveTextContent("Completed"), { timeout: 5000 });
  });
});
