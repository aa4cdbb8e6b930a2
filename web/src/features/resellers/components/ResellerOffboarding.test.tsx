import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { renderWith } from "../../../testing/render";
import { EditContactForm, OffboardForm } from "../../customers";
import { useEditReseller, useOffboardReseller } from "../api/resellers";

function OffboardReseller({ onDone }: { onDone: () => void }) {
  const offboard = useOffboardReseller("res-1");
  return <OffboardForm kind="reseller" name="Fabrikam" offboard={offboard} onDone={onDone} />;
}

function EditOwnContact({ onDone }: { onDone: () => void }) {
  const edit = useEditReseller("res-1");
  return (
    <EditContactForm current={{ name: "Fabrikam", contactEmail: "ops@fabrikam.example" }} edit={edit} nameEditable={false} onDone={onDone} />
  );
}

describe("Offboarding a reseller", () => {
  it("shows how many customers are still on when it is refused", async () => {
    fakeApi({ "POST /api/resellers/res-1/offboard": () => problem(409, "reseller res-1 still has 2 customers not offboarded: offboard them first") });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<OffboardReseller onDone={onDone} />);
    expect(screen.getByText(/only once each of its customers is offboarded/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Offboard Fabrikam" }));
    expect(await screen.findByText(/still has 2 customers not offboarded/)).toBeInTheDocument();
    expect(onDone).not.toHaveBeenCalled();
  });

  it("lets the reseller's own admin change its contact email, not its name", async () => {
    const api = fakeApi({ "PATCH /api/resellers/res-1": () => json({ id: "res-1" }) });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<EditOwnContact onDone={onDone} />);
    expect(screen.queryByRole("textbox", { name: /^Name/ })).toBeNull();
    const email = screen.getByRole("textbox", { name: /^Contact email/ });
    await user.clear(email);
    await user.type(email, "desk@fabrikam.example");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(await api.calls("PATCH /api/resellers/res-1")[0]!.json()).toEqual({ contactEmail: "desk@fabrikam.example" });
  });
});
