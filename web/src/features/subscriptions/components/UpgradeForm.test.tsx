import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import SubscriptionRoute from "../../../app/routes/subscription";
import type { UpgradeOption } from "../../../lib/api/extra";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { PendingChange, Subscription } from "../api/subscriptions";
import { aSubscription } from "../testing";

afterEach(() => vi.unstubAllGlobals());

const STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0LF8R:P1Y:monthly";
const E3 = "CFQ7TTC0LFLX:0001:CFQ7TTC0LFK5:P1Y:monthly";

const options: UpgradeOption[] = [
  { catalogItemId: STANDARD, name: "Microsoft 365 Business Standard", eligible: true, transitionTypes: ["transition_with_license_transfer", "transition_only"], reasons: [], unitPrice: "12.50", currency: "USD", termDuration: "P1Y", billingCycle: "monthly" },
  { catalogItemId: E3, name: "Microsoft 365 E3", eligible: false, transitionTypes: [], reasons: ["The customer has more than 300 seats of this family (800002)"], unitPrice: "36.00", currency: "USD", termDuration: "P1Y", billingCycle: "monthly" },
];

const upgrading: PendingChange = {
  id: "chg-9", kind: "upgrade" as PendingChange["kind"], value: STANDARD, status: "pending", error: null,
  requestedAt: "2026-10-02T15:00:00+00:00", requestedBy: "rs-0001-aaaa",
};

const sub = (overrides: Partial<Subscription> = {}) => aSubscription({ endOfTerm: "renew", scheduledChanges: null, ...overrides });

const open = () =>
  renderWith(<SubscriptionRoute />, { route: "/subscriptions/sub-1", path: "/subscriptions/:id", me: members.resellerStaff });

describe("upgrading a subscription", () => {
  it("lists the eligible targets with their price and the others with their reasons, then follows the upgrade to the new subscription", async () => {
    let asked = false;
    let reads = 0;
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => {
        if (!asked) return json(sub());
        reads += 1;
        return json(reads < 2 ? sub({ pendingChange: upgrading }) : sub({ status: "deleted", upgradedTo: "sub-2" }));
      },
      "GET /api/subscriptions/sub-1/renewal": () => json({ subscriptionId: "sub-1", endOfTerm: "renew", endOfTermDate: "2027-09-30", scheduledChanges: null, nextTerm: null, targets: [] }),
      "GET /api/subscriptions/sub-1/upgrades": () => json({ items: options }),
      "POST /api/subscriptions/sub-1/upgrade": () => {
        asked = true;
        return json(sub({ pendingChange: upgrading }), 202);
      },
    });
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByRole("button", { name: "Upgrade" }));
    const dialog = await screen.findByRole("dialog");
    const target = await within(dialog).findByRole("radio", { name: "Microsoft 365 Business Standard, 1 year, billed monthly: 12.50 USD per seat" });
    expect(target).toBeChecked();
    expect(within(dialog).queryByRole("radio", { name: /Microsoft 365 E3/ })).toBeNull();
    expect(within(dialog).getByText("Microsoft 365 E3: The customer has more than 300 seats of this family (800002)")).toBeInTheDocument();
    expect(within(dialog).getByRole("radio", { name: /Keep the licenses/ })).toBeChecked();
    const seats = within(dialog).getByRole("spinbutton", { name: "Seats to move" });
    await user.clear(seats);
    await user.type(seats, "11");
    await user.click(within(dialog).getByRole("button", { name: "Upgrade now" }));
    expect(await within(dialog).findByText("Enter a whole number of seats from 1 to 10.")).toBeInTheDocument();
    expect(api.calls("POST /api/subscriptions/sub-1/upgrade")).toHaveLength(0);
    await user.clear(seats);
    await user.type(seats, "10");
    await user.click(within(dialog).getByRole("button", { name: "Upgrade now" }));
    expect(await screen.findByText("Being applied in Partner Center: upgrade")).toBeInTheDocument();
    const [post] = api.calls("POST /api/subscriptions/sub-1/upgrade");
    expect(post!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await post!.json()).toEqual({ toCatalogItemId: STANDARD, quantity: 10, transitionType: "transitionWithLicenseTransfer" });
    expect(await screen.findByText("Applied: upgrade")).toBeInTheDocument();
    const links = await screen.findAllByRole("link", { name: "Open the new subscription" });
    expect(links[0]).toHaveAttribute("href", "/subscriptions/sub-2");
  });

  it("shows the reason an upgrade is refused", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub()),
      "GET /api/subscriptions/sub-1/renewal": () => json({ subscriptionId: "sub-1", endOfTerm: "renew", endOfTermDate: "2027-09-30", scheduledChanges: null, nextTerm: null, targets: [] }),
      "GET /api/subscriptions/sub-1/upgrades": () => json({ items: options }),
      "POST /api/subscriptions/sub-1/upgrade": () =>
        problem(422, "Partner Center says the subscription is not eligible for this transition (800002)", [{ field: "toCatalogItemId", message: "not eligible for transition" }]),
    });
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByRole("button", { name: "Upgrade" }));
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("radio", { name: /Business Standard/ });
    await user.click(within(dialog).getByRole("button", { name: "Upgrade now" }));
    expect(await within(dialog).findByText("not eligible for transition")).toBeInTheDocument();
  });

  it("shows a trial's end date and converts it to paid", async () => {
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub({ isTrial: true, trialEndDate: "2026-11-01", name: "Microsoft 365 Business Premium Trial", quantity: 25 })),
      "GET /api/subscriptions/sub-1/renewal": () => json({ subscriptionId: "sub-1", endOfTerm: "cancel", endOfTermDate: "2026-11-01", scheduledChanges: null, nextTerm: null, targets: [] }),
      "GET /api/subscriptions/sub-1/upgrades": () =>
        json({ items: [{ ...options[0], catalogItemId: "CFQ7TTC0LCHC:0002:CFQ7TTC0LCH4:P1Y:monthly", name: "Microsoft 365 Business Premium", unitPrice: "22.00" }] }),
      "POST /api/subscriptions/sub-1/upgrade": () => json(sub({ isTrial: true, pendingChange: upgrading }), 202),
    });
    const user = userEvent.setup();
    open();
    expect(await screen.findByText(/Trial: free until 2026-11-01. It expires then unless it is converted to paid/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Upgrade" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Convert to paid" }));
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("radio", { name: "Microsoft 365 Business Premium, 1 year, billed monthly: 22.00 USD per seat" });
    await user.click(within(dialog).getByRole("button", { name: "Convert now" }));
    await waitFor(() => expect(api.calls("POST /api/subscriptions/sub-1/upgrade")).toHaveLength(1));
    expect(await api.calls("POST /api/subscriptions/sub-1/upgrade")[0]!.json()).toMatchObject({ quantity: 25 });
  });
});
