import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, problem } from "../../../testing/fetch";
import { renderWith } from "../../../testing/render";
import { InviteResellerForm } from "./InviteResellerForm";

afterEach(() => vi.unstubAllGlobals());

describe("Inviting a reseller", () => {
  it("shows Partner Center's unknown partner ID on the partner ID field", async () => {
    const api = fakeApi({
      "POST /api/reseller-invitations": () =>
        problem(422, "Partner Center does not know partner ID 7777777", [{ field: "partnerId", message: "unknown partner ID" }]),
    });
    const onInvited = vi.fn();
    const user = userEvent.setup();
    renderWith(<InviteResellerForm onInvited={onInvited} />);
    await user.type(screen.getByRole("textbox", { name: /^Partner ID/ }), "7777777");
    await user.type(screen.getByRole("textbox", { name: /^Name/ }), "Litware");
    await user.type(screen.getByRole("textbox", { name: /^Contact email/ }), "ops@litware.example");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("unknown partner ID")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: /^Partner ID/ })).toHaveAttribute("aria-invalid", "true");
    expect(api.calls("POST /api/reseller-invitations")).toHaveLength(1);
    expect(onInvited).not.toHaveBeenCalled();
  });
});
