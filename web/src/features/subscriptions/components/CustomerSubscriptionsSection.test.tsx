import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Subscription } from "../api/subscriptions";
import { aSubscription } from "../testing";
import { CustomerSubscriptionsSection } from "./CustomerSubscriptionsSection";

afterEach(() => vi.unstubAllGlobals());

const customer = { id: "cus-1", name: "Wingtip" } as Schemas["CustomerOut"];

const sub = (overrides: Partial<Subscription>): Subscription =>
  aSubscription({ catalogItemId: null, orderId: null, syncedAt: null, ...overrides });

describe("a customer's subscriptions", () => {
  it("lists each with its term and its refused change, and says how many a sync read", async () => {
    const refused = {
      id: "chg-1", kind: "quantity", value: 500, status: "failed", requestedAt: "2026-10-02T15:12:40+00:00",
      requestedBy: "rs", error: "Partner Center refused (900275): too many",
    } as const;
    const api = fakeApi({
      "GET /api/subscriptions": () =>
        json({ items: [sub({}), sub({ id: "sub-2", name: "Office 365 E3", termDuration: "P3Y", billingCycle: "annual", pendingChange: refused })], continuationToken: null }),
      "POST /api/customers/cus-1/subscriptions/sync": () => json({ customerId: "cus-1", synced: 2 }),
    });
    renderWith(<CustomerSubscriptionsSection customer={customer} />, { me: members.resellerStaff });
    const table = await screen.findByRole("table", { name: "Subscriptions" });
    const e3 = within(table).getByRole("row", { name: /Office 365 E3/ });
    expect(within(e3).getByText("3 years, billed annually")).toBeInTheDocument();
    expect(within(e3).getByText("Refused: seats to 500 (Partner Center refused (900275): too many)")).toBeInTheDocument();
    expect(within(table).getByRole("link", { name: "Microsoft 365 Business Basic" })).toHaveAttribute("href", "/subscriptions/sub-1");

    await userEvent.click(screen.getByRole("button", { name: "Sync from Partner Center" }));
    expect(await screen.findByText("Read 2 subscriptions from Partner Center.")).toBeInTheDocument();
    expect(api.calls("GET /api/subscriptions").length).toBeGreaterThanOrEqual(2);

    await userEvent.selectOptions(screen.getByLabelText("Subscription status"), "suspended");
    const last = api.calls("GET /api/subscriptions").at(-1)!;
    expect(new URL(last.url).searchParams.get("status")).toBe("suspended");
    expect(new URL(last.url).searchParams.get("customerId")).toBe("cus-1");
  });
});
