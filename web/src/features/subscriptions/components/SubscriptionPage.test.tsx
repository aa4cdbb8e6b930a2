import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import SubscriptionRoute from "../../../app/routes/subscription";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { PendingChange, Subscription } from "../api/subscriptions";
import { aSubscription } from "../testing";

afterEach(() => vi.unstubAllGlobals());

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  const window = inHours(52.5);
  return aSubscription({
    cancellationWindowEndsAt: window,
    removableQuantity: 10,
    lots: [{ quantity: 10, windowEndsAt: window }],
    ...overrides,
  });
}

const change = (status: "pending" | "failed", error: string | null = null): PendingChange => ({
  id: "chg-1",
  kind: "quantity",
  value: 12,
  status,
  error,
  requestedAt: "2026-10-02T15:12:40+00:00",
  requestedBy: "rs-0001-aaaa",
});

const open = (me = members.resellerStaff) =>
  renderWith(<SubscriptionRoute />, { route: "/subscriptions/sub-1", path: "/subscriptions/:id", me });

describe("the subscription page", () => {
  it("shows the seats, the lots with the time left in their windows and the order", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () =>
        json(subscription({ lots: [{ quantity: 8, windowEndsAt: inHours(52.5) }, { quantity: 2, windowEndsAt: inHours(-1) }] })),
    });
    open();
    expect(await screen.findByRole("heading", { level: 1, name: "Microsoft 365 Business Basic" })).toBeInTheDocument();
    const lots = screen.getByRole("table", { name: "Seat lots" });
    expect(within(lots).getByText("2 days 4 hours left")).toBeInTheDocument();
    expect(within(lots).getByText("closed")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "ord-1" })).toHaveAttribute("href", "/orders/ord-1");
    expect(screen.getByText("1234567")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel the subscription…" })).toBeInTheDocument();
  });

  it("follows a change until Partner Center shows it, without a reload", async () => {
    let patched = false;
    let readsAfter = 0;
    fakeApi({
      "GET /api/subscriptions/sub-1": () => {
        if (!patched) return json(subscription());
        readsAfter += 1;
        return json(readsAfter < 2 ? subscription({ pendingChange: change("pending") }) : subscription({ quantity: 12 }));
      },
      "PATCH /api/subscriptions/sub-1": () => {
        patched = true;
        return json(subscription({ pendingChange: change("pending") }), 202);
      },
    });
    const user = userEvent.setup();
    open();
    const seats = await screen.findByRole("spinbutton", { name: "Seats" });
    await user.clear(seats);
    await user.type(seats, "12");
    await user.click(screen.getByRole("button", { name: "Set seats" }));
    expect(await screen.findByText("Being applied in Partner Center: seats to 12")).toBeInTheDocument();
    expect(await screen.findByText("Applied: seats to 12")).toBeInTheDocument();
    expect(screen.getByRole("spinbutton", { name: "Seats" })).toHaveValue(12);
  });

  it("shows the reason Partner Center refused a change", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () =>
        json(subscription({ pendingChange: change("failed", "Partner Center refused (900275): not allowed") })),
    });
    open();
    expect(await screen.findByText("Partner Center refused the change: seats to 12")).toBeInTheDocument();
    expect(screen.getByText("Partner Center refused (900275): not allowed")).toBeInTheDocument();
  });

  it("offers no cancellation once the window has closed", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () =>
        json(subscription({ cancellationWindowEndsAt: inHours(-2), lots: [], removableQuantity: 0 })),
    });
    open();
    expect(await screen.findByText(/The cancellation window has closed/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel the subscription…" })).toBeNull();
    expect(screen.getByText(/No seat lot is inside its window/)).toBeInTheDocument();
  });
});
