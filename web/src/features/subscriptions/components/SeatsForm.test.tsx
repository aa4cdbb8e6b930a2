import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { aSubscription } from "../testing";
import { SeatsForm } from "./SeatsForm";

afterEach(() => vi.unstubAllGlobals());

const subscription = aSubscription({
  cancellationWindowEndsAt: "2026-10-08T09:31:12+00:00",
  removableQuantity: 2,
  lots: [{ quantity: 2, windowEndsAt: "2026-10-08T09:31:12+00:00" }],
});

const conflict = (detail: string) =>
  json({ type: "urn:csp-platform:problem:conflict", title: "Conflict", status: 409, detail }, 409);

describe("the seat form", () => {
  it("says before sending that only the removable seats can go, sends anyway and shows the API's reason", async () => {
    const api = fakeApi({
      "PATCH /api/subscriptions/sub-1": () => conflict("only 2 seat(s) can be removed now: seats can be removed only within 168 hours of their purchase or renewal"),
    });
    const onAsked = vi.fn();
    const user = userEvent.setup();
    renderWith(<SeatsForm sub={subscription} disabled={false} onAsked={onAsked} />, { me: members.resellerStaff });
    const seats = screen.getByRole("spinbutton", { name: "Seats" });
    await user.clear(seats);
    await user.type(seats, "5");
    expect(screen.getByText(/^Only 2 seats can be removed now/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Set seats" }));
    expect(await screen.findByText(/only 2 seat\(s\) can be removed now/)).toBeInTheDocument();
    expect(await api.calls("PATCH /api/subscriptions/sub-1")[0]!.json()).toEqual({ quantity: 5 });
    expect(onAsked).not.toHaveBeenCalled();
  });

  it("sends an addition without a warning and hands back the change now pending", async () => {
    const pending = {
      id: "chg-1", kind: "quantity", value: 12, status: "pending", error: null,
      requestedAt: "2026-10-02T15:12:40+00:00", requestedBy: "rs-0001-aaaa",
    } as const;
    fakeApi({ "PATCH /api/subscriptions/sub-1": () => json({ ...subscription, pendingChange: pending }, 202) });
    const onAsked = vi.fn();
    const user = userEvent.setup();
    renderWith(<SeatsForm sub={subscription} disabled={false} onAsked={onAsked} />, { me: members.resellerStaff });
    const seats = screen.getByRole("spinbutton", { name: "Seats" });
    await user.clear(seats);
    await user.type(seats, "12");
    expect(screen.getByText("Adds 2 seats.")).toBeInTheDocument();
    expect(screen.queryByText(/can be removed now \(/)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Set seats" }));
    await waitFor(() => expect(onAsked).toHaveBeenCalledWith(pending));
  });

  it("does not send what is no number of seats", async () => {
    const api = fakeApi({});
    const user = userEvent.setup();
    renderWith(<SeatsForm sub={subscription} disabled={false} onAsked={vi.fn()} />, { me: members.resellerStaff });
    const seats = screen.getByRole("spinbutton", { name: "Seats" });
    await user.clear(seats);
    await user.click(screen.getByRole("button", { name: "Set seats" }));
    expect(await screen.findByText("Enter a whole number of seats.")).toBeInTheDocument();
    expect(api.calls("PATCH /api/subscriptions/sub-1")).toHaveLength(0);
  });
});
