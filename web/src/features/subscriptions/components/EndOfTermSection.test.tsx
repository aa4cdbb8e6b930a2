import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import SubscriptionRoute from "../../../app/routes/subscription";
import type { Renewal } from "../../../lib/api/extra";
import { WIPE_PROBLEM } from "../../../lib/api/extra";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Subscription } from "../api/subscriptions";
import { aSubscription } from "../testing";

afterEach(() => vi.unstubAllGlobals());

const OFFER = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
const STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0LF8R";

const scheduled = {
  catalogItemId: `${STANDARD}:P1Y:monthly`,
  name: "Microsoft 365 Business Standard",
  quantity: 12,
  termDuration: "P1Y",
  billingCycle: "monthly",
  customTermEndDate: null,
};

function sub(overrides: Partial<Subscription> = {}): Subscription {
  return aSubscription({ endOfTerm: "renew", endOfTermDate: "2027-09-30", scheduledChanges: null, isTrial: false, ...overrides });
}

function renewal(overrides: Partial<Renewal> = {}): Renewal {
  return {
    subscriptionId: "sub-1",
    endOfTerm: "renew",
    endOfTermDate: "2027-09-30",
    scheduledChanges: null,
    nextTerm: {
      catalogItemId: `${OFFER}:P1Y:monthly`,
      name: "Microsoft 365 Business Basic",
      quantity: 10,
      termDuration: "P1Y",
      billingCycle: "monthly",
      unitPrice: "6.00",
      total: "60.00",
      currency: "USD",
    },
    targets: [
      { catalogItemId: `${OFFER}:P1Y:monthly`, name: "Microsoft 365 Business Basic", termDuration: "P1Y", billingCycle: "monthly", unitPrice: "6.00", currency: "USD" },
      { catalogItemId: `${OFFER}:P1M:monthly`, name: "Microsoft 365 Business Basic", termDuration: "P1M", billingCycle: "monthly", unitPrice: "7.20", currency: "USD" },
      { catalogItemId: `${STANDARD}:P1Y:monthly`, name: "Microsoft 365 Business Standard", termDuration: "P1Y", billingCycle: "monthly", unitPrice: "12.50", currency: "USD" },
    ],
    ...overrides,
  };
}

const open = (me = members.resellerStaff) =>
  renderWith(<SubscriptionRoute />, { route: "/subscriptions/sub-1", path: "/subscriptions/:id", me });

const section = () => screen.getByRole("region", { name: "At the end of the term" });

describe("the end of the term", () => {
  it("says when it renews, at what price, and that nothing is scheduled", async () => {
    fakeApi({ "GET /api/subscriptions/sub-1": () => json(sub()), "GET /api/subscriptions/sub-1/renewal": () => json(renewal()) });
    open();
    expect(await screen.findByText("Renews on 2027-09-30 for another 1 year, billed monthly: 10 seats at 6.00 USD per seat, 60.00 USD.")).toBeInTheDocument();
    expect(within(section()).getByText("No change is scheduled: the subscription renews as it is.")).toBeInTheDocument();
    expect(within(section()).getByRole("radio", { name: "Renew" })).toBeChecked();
    expect(within(section()).queryByRole("button", { name: "Clear scheduled changes" })).toBeNull();
  });

  it("states the Extended Service Term's premium in words and figures before it is chosen", async () => {
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub()),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal()),
      "PATCH /api/subscriptions/sub-1": () =>
        json(sub({ pendingChange: { id: "chg-1", kind: "endOfTerm" as never, value: "extendedServiceTerm", status: "pending", error: null, requestedAt: "2026-10-02T15:00:00+00:00", requestedBy: "rs" } }), 202),
    });
    const user = userEvent.setup();
    open();
    await screen.findByText(/Renews on 2027-09-30/);
    await user.click(within(section()).getByRole("radio", { name: /Extended Service Term/ }));
    // 7.20 USD a month with 20 % on it: 8.64 per seat, 86.40 for ten seats
    expect(
      within(section()).getByText(/After 2027-09-30 the subscription goes on month by month, billed monthly at the offer's monthly price plus a premium of 20 %: 8.64 USD per seat a month, 86.40 USD a month for 10 seats/),
    ).toBeInTheDocument();
    expect(api.calls("PATCH /api/subscriptions/sub-1")).toHaveLength(0);
    await user.click(within(section()).getByRole("button", { name: "Choose the Extended Service Term" }));
    await screen.findByText("Being applied in Partner Center: Extended Service Term at end of term");
    const [patch] = api.calls("PATCH /api/subscriptions/sub-1");
    expect(await patch!.json()).toEqual({ endOfTerm: "extendedServiceTerm" });
  });

  it("cancels at end of term, saying the licenses end and no premium is billed", async () => {
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub()),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal()),
      "PATCH /api/subscriptions/sub-1": () => json(sub(), 202),
    });
    const user = userEvent.setup();
    open();
    await screen.findByText(/Renews on 2027-09-30/);
    await user.click(within(section()).getByRole("radio", { name: "Cancel at end of term" }));
    expect(within(section()).getByText(/no Extended Service Term is billed/)).toBeInTheDocument();
    await user.click(within(section()).getByRole("button", { name: "Cancel at end of term" }));
    await waitFor(() => expect(api.calls("PATCH /api/subscriptions/sub-1")).toHaveLength(1));
    expect(await api.calls("PATCH /api/subscriptions/sub-1")[0]!.json()).toEqual({ endOfTerm: "cancel" });
  });

  it("shows a subscription in the Extended Service Term with its premium and month", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () =>
        json(sub({ endOfTerm: "extendedServiceTerm", extendedServiceTerm: { startDate: "2027-10-01", endDate: "2027-10-31", premiumRate: "0.25" } })),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal({ endOfTerm: "extendedServiceTerm" })),
    });
    open();
    expect(await screen.findByText(/In the Extended Service Term since 2027-10-01, billed monthly at the offer's monthly price plus a premium of 25 %: 9.00 USD per seat a month, 90.00 USD a month for 10 seats. This month ends on 2027-10-31/)).toBeInTheDocument();
  });

  it("schedules changes from the targets, with their prices, and clears them", async () => {
    let current: Subscription = sub();
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => json(current),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal({ scheduledChanges: current.scheduledChanges ?? null })),
      "PUT /api/subscriptions/sub-1/renewal": () => {
        current = sub({ endOfTerm: "renewWithChanges", scheduledChanges: scheduled });
        return json(current, 202);
      },
      "DELETE /api/subscriptions/sub-1/renewal": () => {
        current = sub();
        return json(current, 202);
      },
    });
    const user = userEvent.setup();
    open();
    await screen.findByText(/Renews on 2027-09-30 .*60.00 USD/);
    await user.click(within(section()).getByRole("button", { name: "Schedule changes" }));
    const dialog = await screen.findByRole("dialog");
    const picker = within(dialog).getByRole("combobox", { name: /Next term's item/ });
    expect(within(picker).getByRole("option", { name: "Microsoft 365 Business Standard, 1 year, billed monthly: 12.50 USD per seat" })).toBeInTheDocument();
    await user.selectOptions(picker, `${STANDARD}:P1Y:monthly|P1Y|monthly`);
    const seats = within(dialog).getByRole("spinbutton", { name: "Seats in the next term" });
    await user.clear(seats);
    await user.type(seats, "12");
    await user.click(within(dialog).getByRole("button", { name: "Schedule these changes" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(await api.calls("PUT /api/subscriptions/sub-1/renewal")[0]!.json()).toEqual({
      catalogItemId: `${STANDARD}:P1Y:monthly`, termDuration: "P1Y", billingCycle: "monthly", quantity: 12,
    });
    const list = await screen.findByLabelText("Scheduled changes");
    expect(within(list).getByText("Microsoft 365 Business Standard")).toBeInTheDocument();
    expect(within(list).getByText("12")).toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: "Clear scheduled changes" }));
    expect(await screen.findByText("No change is scheduled: the subscription renews as it is.")).toBeInTheDocument();
    expect(api.calls("DELETE /api/subscriptions/sub-1/renewal")).toHaveLength(1);
  });

  it("shows the API's refusal of a custom end date at the field", async () => {
    fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub()),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal()),
      "PUT /api/subscriptions/sub-1/renewal": () =>
        problem(422, "The request is not valid", [{ field: "customTermEndDate", message: "not an allowed end date" }]),
    });
    const user = userEvent.setup();
    open();
    await screen.findByText(/Renews on 2027-09-30 .*60.00 USD/);
    await user.click(within(section()).getByRole("button", { name: "Schedule changes" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText(/Custom term end date/), "2028-02-15");
    await user.click(within(dialog).getByRole("button", { name: "Schedule these changes" }));
    expect(await within(dialog).findByText("not an allowed end date")).toBeInTheDocument();
  });

  it("asks before a seat change wipes the scheduled changes, then sends it with the confirmation", async () => {
    const api = fakeApi({
      "GET /api/subscriptions/sub-1": () => json(sub({ endOfTerm: "renewWithChanges", scheduledChanges: scheduled })),
      "GET /api/subscriptions/sub-1/renewal": () => json(renewal({ endOfTerm: "renewWithChanges", scheduledChanges: scheduled })),
      "PATCH /api/subscriptions/sub-1": async (request) => {
        const body = (await request.json()) as { confirmWipeScheduledChanges?: boolean };
        if (!body.confirmWipeScheduledChanges) {
          return json(
            {
              type: WIPE_PROBLEM,
              title: "Scheduled changes would be wiped",
              status: 409,
              detail: "A mid-term seat change replaces the changes scheduled for the renewal.",
              warning: "Changing the seats now removes the changes scheduled for 2027-09-30.",
              scheduledChanges: scheduled,
            },
            409,
          );
        }
        return json(sub({ pendingChange: { id: "chg-2", kind: "quantity", value: 11, status: "pending", error: null, requestedAt: "2026-10-02T15:00:00+00:00", requestedBy: "rs" } }), 202);
      },
    });
    const user = userEvent.setup();
    open();
    const seats = await screen.findByRole("spinbutton", { name: "Seats" });
    await user.clear(seats);
    await user.type(seats, "11");
    await user.click(screen.getByRole("button", { name: "Set seats" }));
    expect(await screen.findByText("Changing the seats now removes the changes scheduled for 2027-09-30.")).toBeInTheDocument();
    expect(screen.getByText("Scheduled now: Microsoft 365 Business Standard, 12 seats, 1 year, billed monthly.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Set seats and wipe the scheduled changes" }));
    await screen.findByText("Being applied in Partner Center: seats to 11");
    const bodies = await Promise.all(api.calls("PATCH /api/subscriptions/sub-1").map((r) => r.json()));
    expect(bodies).toEqual([{ quantity: 11 }, { quantity: 11, confirmWipeScheduledChanges: true }]);
  });
});
