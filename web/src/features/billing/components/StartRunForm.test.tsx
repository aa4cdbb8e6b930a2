import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, problem } from "../../../testing/fetch";
import { renderWith } from "../../../testing/render";
import { StartRunForm } from "./StartRunForm";

afterEach(() => vi.unstubAllGlobals());

describe("starting a billing run", () => {
  it("shows the API's refusal at the period field and sends one key for the same request", async () => {
    const api = fakeApi({
      "POST /api/billing/runs": () => problem(422, "period: is not a month", [{ field: "period", message: "is not a month" }]),
    });
    const user = userEvent.setup();
    renderWith(<StartRunForm onStarted={vi.fn()} />);
    const period = screen.getByLabelText(/^Period/);
    await user.clear(period);
    await user.type(period, "2026-10");
    await user.selectOptions(screen.getByLabelText(/^Kind/), "unbilled");
    await user.click(screen.getByRole("button", { name: "Start the run" }));
    expect(await screen.findByText("is not a month")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Start the run" }));
    await waitFor(() => expect(api.calls("POST /api/billing/runs")).toHaveLength(2));
    const [first, second] = api.calls("POST /api/billing/runs");
    expect(await first!.json()).toEqual({ period: "2026-10", kind: "unbilled" });
    expect(first!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(second!.headers.get("Idempotency-Key")).toBe(first!.headers.get("Idempotency-Key"));
  });
});
