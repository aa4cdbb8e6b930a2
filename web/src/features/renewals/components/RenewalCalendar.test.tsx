import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import RenewalsRoute from "../../../app/routes/renewals";
import type { RenewalItem } from "../../../lib/api/extra";
import { fakeApi, json } from "../../../testing/fetch";
import type { Me } from "../../../lib/auth/me";
import { members, renderWith } from "../../../testing/render";
import { aSubscription } from "../../subscriptions/testing";

afterEach(() => {
  vi.unstubAllGlobals();
  
});

const renewal = (overrides: Partial<RenewalItem>): RenewalItem => ({
  subscriptionId: "sub-1", customerId: "cus-1", customerName: "Wingtip Toys", resellerId: "res-1", resellerName: "Contoso Reseller",
  name: "Microsoft 365 Business Basic", catalogItemId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", renewalDate: "2027-01-05",
  endOfTerm: "renew", quantity: 10, termDuration: "P1Y", billingCycle: "monthly",
  price: { unitPrice: "6.00", total: "60.00", currency: "USD" }, ...overrides,
});

const open = (me: Me = members.providerStaff) => renderWith(<RenewalsRoute />, { route: "/renewals", path: "/renewals", me });

describe("the renewal calendar", () => {
  it("asks for the next 90 days and groups the renewals by month with their customer, reseller and price", async () => {
    const api = fakeApi({
      "GET /api/renewals": () =>
        json({
          items: [
            renewal({}),
            renewal({ subscriptionId: "sub-2", renewalDate: "2027-02-10", endOfTerm: "cancel", price: null, name: "Office 365 E1" }),
            renewal({ subscriptionId: "sub-3", renewalDate: "2027-02-20", endOfTerm: "extendedServiceTerm", price: { unitPrice: "8.64", total: "86.40", currency: "USD" } }),
          ],
          continuationToken: null,
        }),
    });
    open();
    const january = await screen.findByRole("table", { name: "Renewals in January 2027" });
    const row = within(january).getAllByRole("row")[1]!;
    expect(within(row).getByRole("link", { name: "Wingtip Toys" })).toHaveAttribute("href", "/customers/cus-1");
    expect(within(row).getByRole("link", { name: "Contoso Reseller" })).toBeInTheDocument();
    expect(within(row).getByRole("link", { name: "Microsoft 365 Business Basic" })).toHaveAttribute("href", "/subscriptions/sub-1");
    expect(within(row).getByText("60.00 USD for the term's first period (6.00 USD per seat)")).toBeInTheDocument();
    const february = screen.getByRole("table", { name: "Renewals in February 2027" });
    expect(within(february).getByText("ends (cancel at end of term)")).toBeInTheDocument();
    expect(within(february).getByText("none: it ends")).toBeInTheDocument();
    expect(within(february).getByText("86.40 USD a month, with the premium (8.64 USD per seat)")).toBeInTheDocument();
    const url = new URL(api.calls("GET /api/renewals")[0]!.url);
    const from = url.searchParams.get("from")!;
    const to = url.searchParams.get("to")!;
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(90);
  });

  it("shows no reseller column to reseller staff, and another range when asked", async () => {
    const api = fakeApi({ "GET /api/renewals": () => json({ items: [renewal({})], continuationToken: null }) });
    const user = userEvent.setup();
    open(members.resellerStaff);
    const table = await screen.findByRole("table", { name: "Renewals in January 2027" });
    expect(within(table).queryByRole("columnheader", { name: "Reseller" })).toBeNull();
    const from = screen.getByLabelText("From");
    const to = screen.getByLabelText("To");
    await user.clear(from);
    await user.type(from, "2027-03-01");
    await user.clear(to);
    await user.type(to, "2027-06-30");
    await user.click(screen.getByRole("button", { name: "Show these days" }));
    await vi.waitFor(() => expect(api.calls("GET /api/renewals")).toHaveLength(2));
    const url = new URL(api.calls("GET /api/renewals")[1]!.url);
    expect([url.searchParams.get("from"), url.searchParams.get("to")]).toEqual(["2027-03-01", "2027-06-30"]);
  });

  it("lists the subscriptions heading into the Extended Service Term with the premium each will cost", async () => {
    const api = fakeApi({
      "GET /api/renewals": () => json({ items: [], continuationToken: null }),
      "GET /api/customers/cus-1": () => json({ id: "cus-1", name: "Wingtip Toys" }),
      "GET /api/subscriptions": () =>
        json({
          items: [
            aSubscription({
              endOfTerm: "extendedServiceTerm",
              endOfTermDate: "2027-09-30",
              extendedServiceTermPrice: { unitPrice: "8.64", total: "86.40", currency: "USD", premiumRate: "0.20" },
            }),
          ],
          continuationToken: null,
        }),
    });
    const user = userEvent.setup();
    open(members.resellerStaff);
    await screen.findByText(/No subscription renews or ends/);
    await user.click(screen.getByRole("switch", { name: "Only those heading into the Extended Service Term" }));
    const table = await screen.findByRole("table", { name: "Heading into the Extended Service Term" });
    expect(within(table).getByText("2027-09-30")).toBeInTheDocument();
    expect(within(table).getByText("86.40 USD a month (8.64 USD per seat, premium 20 %)")).toBeInTheDocument();
    expect(new URL(api.calls("GET /api/subscriptions")[0]!.url).searchParams.get("endOfTerm")).toBe("extendedServiceTerm");
  });
});
