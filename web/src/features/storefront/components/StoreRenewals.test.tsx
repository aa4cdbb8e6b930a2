import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me } from "../../../lib/auth/me";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Customer, StoreSubscription } from "../api/storefront";
import { StorefrontSection } from "./StorefrontSection";
import { StoreSubscriptions } from "./StoreSubscriptions";

afterEach(() => vi.unstubAllGlobals());

const customer = (allowRenewalChanges: boolean) =>
  ({
    id: "cus-1",
    currency: "EUR",
    storefrontEnabled: true,
    storefrontPolicy: { allowedCatalogItemIds: null, allowSeatDecrease: true, allowRenewalChanges, maxTermDuration: "P3Y", approvalThreshold: null },
  }) as unknown as Customer;

const sub = (overrides: Partial<StoreSubscription> = {}) =>
  ({
    id: "sub-1",
    name: "Business Basic",
    quantity: 5,
    removableQuantity: 0,
    cancellationWindowEndsAt: null,
    autoRenew: true,
    status: "active",
    termDuration: "P1Y",
    billingCycle: "monthly",
    termEndDate: "2027-12-06T00:00:00+00:00",
    endOfTerm: "renew",
    endOfTermDate: "2027-12-06",
    scheduledChanges: null,
    pendingChange: null,
    lots: [],
    ...overrides,
  }) as unknown as StoreSubscription;

const scheduled = {
  catalogItemId: "a:b:c:P1Y:annual", name: "Business Basic", quantity: 8, termDuration: "P1Y", billingCycle: "annual", customTermEndDate: null,
};

const admin = members.customerAdmin as Me;

describe("the storefront's renewals", () => {
  it("shows the customer when its subscription renews, and no change to schedule unless its reseller allows it", async () => {
    fakeApi({
      "GET /api/customers/cus-1": () => json(customer(false)),
      "GET /api/storefront/subscriptions": () => json({ items: [sub({ endOfTerm: "cancel" })], continuationToken: null }),
    });
    renderWith(<StoreSubscriptions customerId="cus-1" />, { me: admin });
    const card = await screen.findByRole("group", { name: "Business Basic" });
    expect(within(card).getByText(/Ends on 2027-12-06 \(cancel at end of term\)/)).toBeInTheDocument();
    expect(within(card).getByText("no change")).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: "Schedule changes" })).toBeNull();
  });

  it("lets the customer's admin schedule and clear changes where the reseller allows it", async () => {
    let current = sub();
    const api = fakeApi({
      "GET /api/customers/cus-1": () => json(customer(true)),
      "GET /api/storefront/subscriptions": () => json({ items: [current], continuationToken: null }),
      "PUT /api/storefront/subscriptions/sub-1/renewal": () => {
        current = sub({ endOfTerm: "renewWithChanges", scheduledChanges: scheduled });
        return json(current, 202);
      },
      "DELETE /api/storefront/subscriptions/sub-1/renewal": () => {
        current = sub();
        return json(current, 202);
      },
    });
    const user = userEvent.setup();
    renderWith(<StoreSubscriptions customerId="cus-1" />, { me: admin });
    const card = await screen.findByRole("group", { name: "Business Basic" });
    expect(within(card).getByText("Renews on 2027-12-06 for another 1 year, billed monthly.")).toBeInTheDocument();
    // a plain click: user-event's pointer sequence closes this modal again at once in jsdom
    fireEvent.click(within(card).getByRole("button", { name: "Schedule changes" }));
    const dialog = await screen.findByRole("dialog");
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Billed" }), "annual");
    const seats = within(dialog).getByRole("spinbutton", { name: "Seats in the next term" });
    await user.clear(seats);
    await user.type(seats, "8");
    await user.click(within(dialog).getByRole("button", { name: "Schedule these changes" }));
    await waitFor(() => expect(api.calls("PUT /api/storefront/subscriptions/sub-1/renewal")).toHaveLength(1));
    expect(await api.calls("PUT /api/storefront/subscriptions/sub-1/renewal")[0]!.json()).toEqual({ termDuration: "P1Y", billingCycle: "annual", quantity: 8 });
    expect(await screen.findByText("Business Basic, 8 seats, 1 year, billed annually")).toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: "Clear scheduled changes" }));
    expect(await screen.findByText("no change")).toBeInTheDocument();
  });

  it("lets staff switch the customer admins' changes at renewal in the storefront policy", async () => {
    const api = fakeApi({
      "PATCH /api/customers/cus-1": () => json(customer(true)),
    });
    const user = userEvent.setup();
    renderWith(<StorefrontSection customer={customer(false)} mayEdit />, { me: members.resellerStaff as Me });
    expect(screen.getByText("not allowed", { selector: "dd" })).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Edit storefront" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("checkbox", { name: /They may schedule changes at renewal/ }));
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.calls("PATCH /api/customers/cus-1")).toHaveLength(1));
    const body = (await api.calls("PATCH /api/customers/cus-1")[0]!.json()) as { storefrontPolicy: Record<string, unknown> };
    expect(body.storefrontPolicy["allowRenewalChanges"]).toBe(true);
  });
});
