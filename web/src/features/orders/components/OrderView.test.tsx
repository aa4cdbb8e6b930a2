import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import OrderRoute from "../../../app/routes/order";
import type { Schemas } from "../../../lib/api/client";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";

type Order = Schemas["OrderOut"];

function order(status: Order["status"], lines: Partial<Schemas["OrderLineOut"]>[]): Order {
  return {
    id: "ord-1",
    customerId: "cus-1",
    resellerId: "res-1",
    status,
    source: "storefront",
    createdBy: "ca-0001-aaaa",
    createdAt: "2026-10-01T09:30:00+00:00",
    updatedAt: "2026-10-01T09:30:00+00:00",
    failureReason: null,
    rejectionReason: null,
    totals: { currency: "USD", resellerPrice: "62.70", customerPrice: "72.10" },
    lines: lines.map((line, index) => ({
      lineNumber: index + 1,
      catalogItemId: `ITEM${index}:0001:AV:P1Y:monthly`,
      offerId: `ITEM${index}:0001:AV`,
      title: `Item ${index + 1}`,
      quantity: 10,
      termDuration: "P1Y",
      billingCycle: "monthly",
      status: "pending",
      subscriptionId: null,
      error: null,
      currency: "USD",
      resellerPrice: "6.27",
      resellerPriceTotal: "62.70",
      customerPrice: "7.21",
      customerPriceTotal: "72.10",
      ...line,
    })),
  };
}

const customer = { id: "cus-1", name: "Wingtip", status: "active", country: "US", currency: "USD" };

describe("the order page", () => {
  it("follows a provisioning order until it completes, each line then linking its subscription", async () => {
    let reads = 0;
    fakeApi({
      "GET /api/orders/ord-1": () => {
        reads += 1;
        return json(
          reads < 2
            ? order("provisioning", [{ status: "provisioned", subscriptionId: "sub-1" }, {}])
            : order("completed", [
                { status: "provisioned", subscriptionId: "sub-1" },
                { status: "provisioned", subscriptionId: "sub-2" },
              ]),
        );
      },
      "GET /api/customers/cus-1": () => json(customer),
    });
    renderWith(<OrderRoute />, { route: "/orders/ord-1", path: "/orders/:id", me: members.resellerStaff });
    expect(await screen.findByText("provisioning")).toBeInTheDocument();
    expect(await screen.findByText("completed")).toBeInTheDocument();
    const lines = screen.getByRole("table", { name: "Order lines" });
    expect(within(lines).getByRole("link", { name: "sub-1" })).toHaveAttribute("href", "/subscriptions/sub-1");
    expect(within(lines).getByRole("link", { name: "sub-2" })).toHaveAttribute("href", "/subscriptions/sub-2");
    expect(screen.getByText("62.70 USD")).toBeInTheDocument(); // the reseller price total
    expect(screen.getByText("72.10 USD")).toBeInTheDocument();
    expect(screen.queryByText(/cost/i)).toBeNull();
    expect(await screen.findByRole("link", { name: "Back to Wingtip" })).toHaveAttribute("href", "/customers/cus-1");
    const settled = reads;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(reads).toBe(settled); // settled: no more polling
  });

  it("shows a decision already taken meanwhile (409) and reads the order again", async () => {
    let reads = 0;
    fakeApi({
      "GET /api/orders/ord-1": () => {
        reads += 1;
        return json(order(reads < 2 ? "pendingApproval" : "rejected", [{}]));
      },
      "GET /api/customers/cus-1": () => json(customer),
      "POST /api/orders/ord-1/approve": () => problem(409, "order ord-1 is rejected, not waiting for approval"),
    });
    const user = userEvent.setup();
    renderWith(<OrderRoute />, { route: "/orders/ord-1", path: "/orders/:id", me: members.resellerStaff });
    await user.click(await screen.findByRole("button", { name: "Approve order" }));
    expect(await screen.findByText("order ord-1 is rejected, not waiting for approval")).toBeInTheDocument();
    await waitFor(() => expect(reads).toBe(2));
  });
});
