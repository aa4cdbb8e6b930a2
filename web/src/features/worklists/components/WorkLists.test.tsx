import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import OrdersRoute from "../../../app/routes/orders";
import SubscriptionsRoute from "../../../app/routes/subscriptions";
import type { Schemas } from "../../../lib/api/client";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { aSubscription } from "../../subscriptions/testing";

afterEach(() => vi.unstubAllGlobals());

type Order = Schemas["OrderOut"];

function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: "ord-1",
    customerId: "cus-1",
    resellerId: "res-1",
    status: "completed",
    source: "staff",
    createdBy: "rs-0001-aaaa",
    createdAt: "2026-10-01T09:30:00+00:00",
    updatedAt: "2026-10-01T09:31:00+00:00",
    failureReason: null,
    rejectionReason: null,
    totals: { currency: "USD", resellerPrice: "62.70", customerPrice: "72.10" },
    lines: [
      {
        lineNumber: 1, catalogItemId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
        title: "Microsoft 365 Business Basic", quantity: 10, termDuration: "P1Y", billingCycle: "monthly", status: "provisioned",
        subscriptionId: "sub-1", error: null, currency: "USD", resellerPrice: "6.27", resellerPriceTotal: "62.70",
        customerPrice: "7.21", customerPriceTotal: "72.10",
      },
    ],
    ...overrides,
  };
}

const customers: Record<string, { id: string; name: string }> = {
  "cus-1": { id: "cus-1", name: "Wingtip" },
  "cus-2": { id: "cus-2", name: "Contoso" },
};

const customerRoutes = {
  "GET /api/customers/cus-1": () => json(customers["cus-1"]),
  "GET /api/customers/cus-2": () => json(customers["cus-2"]),
};

const resellers = {
  "GET /api/resellers": () =>
    json({ items: [{ id: "res-1", name: "Fabrikam" }, { id: "res-2", name: "Litware" }], continuationToken: null }),
};

const query = (request: Request | undefined) => new URL(request!.url).searchParams;

describe("the orders across customers", () => {
  it("shows reseller staff their customers' orders by customer name, without a cost or a reseller column", async () => {
    const api = fakeApi({
      ...customerRoutes,
      "GET /api/orders": () =>
        json({ items: [anOrder(), anOrder({ id: "ord-2", customerId: "cus-2", status: "failed" })], continuationToken: null }),
    });
    renderWith(<OrdersRoute />, { route: "/orders?queue=failed", path: "/orders", me: members.resellerStaff });
    const table = await screen.findByRole("table", { name: "Orders" });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Order", "Customer", "Status", "Lines", "Placed through", "Reseller price total", "Customer price total"]);
    expect(await within(table).findByRole("link", { name: "Contoso" })).toHaveAttribute("href", "/customers/cus-2");
    const wingtip = within(table).getByRole("row", { name: /Wingtip/ });
    expect(within(wingtip).getByText("62.70 USD")).toBeInTheDocument();
    expect(within(wingtip).getByRole("link", { name: "Order of 2026-10-01 09:30 UTC" })).toHaveAttribute("href", "/orders/ord-1");
    expect(screen.queryByText(/cost/i)).toBeNull();
    expect(screen.queryByLabelText("Reseller")).toBeNull();
    expect(screen.getByRole("tab", { name: "Failed" })).toHaveAttribute("aria-selected", "true");
    const asked = query(api.calls("GET /api/orders")[0]);
    expect(asked.getAll("status")).toEqual(["failed", "partiallyCompleted"]);
    expect(asked.get("resellerId")).toBeNull();
  });

  it("lets provider staff narrow by reseller and days, and decide from the approval queue", async () => {
    const waiting = anOrder({ status: "pendingApproval", source: "storefront", totals: { currency: "USD", providerCost: "56.00", resellerPrice: "62.70", customerPrice: "72.10" } });
    const api = fakeApi({
      ...customerRoutes,
      ...resellers,
      "GET /api/orders": () => json({ items: [waiting], continuationToken: null }),
      "POST /api/orders/ord-1/approve": () => json({ ...waiting, status: "accepted" }, 202),
    });
    renderWith(<OrdersRoute />, { route: "/orders", path: "/orders", me: members.providerStaff });
    const table = await screen.findByRole("table", { name: "Orders" });
    expect(within(table).getByRole("columnheader", { name: "Cost total" })).toBeInTheDocument();
    expect(within(table).getByText("56.00 USD")).toBeInTheDocument();
    expect(await within(table).findByRole("link", { name: "Fabrikam" })).toHaveAttribute("href", "/resellers/res-1");
    expect(within(table).queryByRole("columnheader", { name: "Decision" })).toBeNull();

    await userEvent.selectOptions(await screen.findByLabelText("Reseller"), "Litware");
    await waitFor(() => expect(query(api.calls("GET /api/orders").at(-1)).get("resellerId")).toBe("res-2"));
    await userEvent.type(screen.getByLabelText("Placed from (inclusive, UTC)"), "2026-10-01");
    await userEvent.type(screen.getByLabelText("Placed until (inclusive, UTC)"), "2026-10-31");
    await waitFor(() => {
      const asked = query(api.calls("GET /api/orders").at(-1));
      expect(asked.get("createdFrom")).toBe("2026-10-01T00:00:00Z");
      expect(asked.get("createdBefore")).toBe("2026-11-01T00:00:00Z");
    });

    await userEvent.click(screen.getByRole("tab", { name: "Waiting for approval" }));
    await waitFor(() => expect(query(api.calls("GET /api/orders").at(-1)).getAll("status")).toEqual(["pendingApproval"]));
    const row = await screen.findByRole("row", { name: /Wingtip/ });
    expect(screen.getByRole("columnheader", { name: "Decision" })).toBeInTheDocument();
    await userEvent.click(within(row).getByRole("button", { name: "Approve the order of 2026-10-01 09:30 UTC" }));
    expect(await screen.findByText(/The order of Wingtip is approved and being provisioned\./)).toBeInTheDocument();
    expect(api.calls("POST /api/orders/ord-1/approve")).toHaveLength(1);
  });
});

describe("the approval queue", () => {
  it("says when another decided first, and reads the queue again", async () => {
    let decided = false;
    const api = fakeApi({
      ...customerRoutes,
      "GET /api/orders": () =>
        json({ items: decided ? [] : [anOrder({ status: "pendingApproval", source: "storefront" })], continuationToken: null }),
      "GET /api/orders/ord-1": () => json(anOrder({ status: "rejected" })),
      "POST /api/orders/ord-1/approve": () => {
        decided = true;
        return problem(409, "The order is not waiting for approval: it is rejected.");
      },
    });
    renderWith(<OrdersRoute />, { route: "/orders?queue=approval", path: "/orders", me: members.resellerStaff });
    const row = await screen.findByRole("row", { name: /Wingtip/ });
    await userEvent.click(within(row).getByRole("button", { name: /^Approve the order of/ }));
    expect(await screen.findByText("Already decided")).toBeInTheDocument();
    expect(screen.getByText(/it is rejected\./)).toBeInTheDocument();
    expect(await screen.findByText("No order is waiting for approval.")).toBeInTheDocument();
    expect(api.calls("GET /api/orders").length).toBeGreaterThanOrEqual(2);
  });
});

describe("the subscriptions across customers", () => {
  it("lists each with its customer, seats and term end, and asks for what renews within 30 days", async () => {
    const api = fakeApi({
      ...customerRoutes,
      "GET /api/subscriptions": () =>
        json({
          items: [
            aSubscription({ customerId: "cus-2", quantity: 7, termEndDate: "2026-10-20T00:00:00+00:00", termDuration: "P1M", autoRenew: false }),
            aSubscription({ id: "sub-2", name: "Office 365 E3" }),
          ],
          continuationToken: null,
        }),
    });
    renderWith(<SubscriptionsRoute />, { route: "/subscriptions", path: "/subscriptions", me: members.resellerStaff });
    const table = await screen.findByRole("table", { name: "Subscriptions" });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Subscription (product id)", "Customer", "Seats", "Status", "Term ends", "Auto-renew", "Term and billing"]);
    const basic = within(table).getByRole("row", { name: /Microsoft 365 Business Basic/ });
    expect(await within(basic).findByRole("link", { name: "Contoso" })).toHaveAttribute("href", "/customers/cus-2");
    expect(within(basic).getByText("7")).toBeInTheDocument();
    expect(within(basic).getByText("2026-10-20")).toBeInTheDocument();
    expect(within(basic).getByText("1 month, billed monthly")).toBeInTheDocument();
    expect(within(basic).getByText("off")).toBeInTheDocument();
    expect(within(basic).getByText("CFQ7TTC0LH18")).toBeInTheDocument();
    expect(within(table).getByRole("link", { name: "Office 365 E3" })).toHaveAttribute("href", "/subscriptions/sub-2");

    const before = Date.now();
    await userEvent.selectOptions(screen.getByLabelText("Renewing within"), "30 days");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "Active");
    await userEvent.click(screen.getByRole("switch", { name: /Ends without renewal/ }));
    await userEvent.type(screen.getByLabelText("Product id"), "CFQ7TTC0LH18{Enter}");
    await waitFor(() => expect(query(api.calls("GET /api/subscriptions").at(-1)).get("productId")).toBe("CFQ7TTC0LH18"));
    const asked = query(api.calls("GET /api/subscriptions").at(-1));
    expect(asked.getAll("status")).toEqual(["active"]);
    expect(asked.get("autoRenew")).toBe("false");
    const from = Date.parse(asked.get("termEndsFrom")!);
    expect(before - from).toBeLessThan(2 * 60_000);
    expect(Date.parse(asked.get("termEndsBefore")!) - from).toBe(30 * 24 * 60 * 60 * 1000);
  });
});
