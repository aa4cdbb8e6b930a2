import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { renderWith } from "../../../testing/render";
import { useEditCustomer, useOffboardCustomer, useRestoreCustomer } from "../api/customers";
import { EditContactForm, OffboardForm, OffboardedNotice, RestoreForm } from "./Offboarding";

const CUSTOMER_PATH = "/api/customers/cus-1";

function OffboardCustomer({ onDone }: { onDone: () => void }) {
  const offboard = useOffboardCustomer("cus-1");
  return <OffboardForm kind="customer" name="Wingtip" offboard={offboard} onDone={onDone} />;
}

function RestoreCustomer({ onDone }: { onDone: () => void }) {
  const restore = useRestoreCustomer("cus-1");
  return <RestoreForm kind="customer" name="Wingtip" restore={restore} onDone={onDone} />;
}

function EditCustomer({ onDone }: { onDone: () => void }) {
  const edit = useEditCustomer("cus-1");
  return <EditContactForm current={{ name: "Wingtip", contactEmail: "it@wingtip.example" }} edit={edit} onDone={onDone} />;
}

describe("Offboarding a customer", () => {
  it("explains the effect, sends the reason and reports the offboarded customer", async () => {
    const api = fakeApi({ [`POST ${CUSTOMER_PATH}/offboard`]: () => json({ id: "cus-1", offboardedAt: "2026-10-01T09:30:00Z" }) });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<OffboardCustomer onDone={onDone} />);
    expect(screen.getByText(/subscriptions stay as they are in Partner Center/)).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: /^Reason/ }), "  Contract ended  ");
    await user.click(screen.getByRole("button", { name: "Offboard Wingtip" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(await api.calls(`POST ${CUSTOMER_PATH}/offboard`)[0]!.json()).toEqual({ reason: "Contract ended" });
  });

  it("sends no reason when none is given", async () => {
    const api = fakeApi({ [`POST ${CUSTOMER_PATH}/offboard`]: () => json({ id: "cus-1" }) });
    const user = userEvent.setup();
    renderWith(<OffboardCustomer onDone={vi.fn()} />);
    await user.click(screen.getByRole("button", { name: "Offboard Wingtip" }));
    await waitFor(() => expect(api.calls(`POST ${CUSTOMER_PATH}/offboard`)).toHaveLength(1));
    expect(await api.calls(`POST ${CUSTOMER_PATH}/offboard`)[0]!.json()).toEqual({});
  });

  it("shows the refusal's reason in a message bar and stays open", async () => {
    fakeApi({ [`POST ${CUSTOMER_PATH}/offboard`]: () => problem(409, "customer cus-1 is already offboarded") });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<OffboardCustomer onDone={onDone} />);
    await user.click(screen.getByRole("button", { name: "Offboard Wingtip" }));
    expect(await screen.findByText("customer cus-1 is already offboarded")).toBeInTheDocument();
    expect(onDone).not.toHaveBeenCalled();
  });

  it("shows why a customer cannot be restored under an offboarded reseller", async () => {
    fakeApi({
      [`POST ${CUSTOMER_PATH}/restore`]: () => problem(409, "customer cus-1's reseller res-1 is offboarded: restore the reseller first"),
    });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<RestoreCustomer onDone={onDone} />);
    await user.click(screen.getByRole("button", { name: "Restore Wingtip" }));
    expect(await screen.findByText(/restore the reseller first/)).toBeInTheDocument();
    expect(onDone).not.toHaveBeenCalled();
  });

  it("tells when, by whom and why it was offboarded", () => {
    renderWith(
      <OffboardedNotice
        kind="customer"
        me="u-alice"
        record={{ offboardedAt: "2026-10-01T09:30:00Z", offboardedBy: "u-alice", offboardingReason: "Contract ended" }}
      />,
    );
    expect(screen.getByText("Offboarded on 2026-10-01 09:30 UTC by you")).toBeInTheDocument();
    expect(screen.getByText(/Reason: Contract ended/)).toBeInTheDocument();
  });
});

describe("Editing a customer", () => {
  it("sends only what changed, trimmed", async () => {
    const api = fakeApi({ [`PATCH ${CUSTOMER_PATH}`]: () => json({ id: "cus-1", name: "Wingtip Partners" }) });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<EditCustomer onDone={onDone} />);
    const name = screen.getByRole("textbox", { name: /^Name/ });
    await user.clear(name);
    await user.type(name, " Wingtip Partners ");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(await api.calls(`PATCH ${CUSTOMER_PATH}`)[0]!.json()).toEqual({ name: "Wingtip Partners" });
  });

  it("shows a field error from the API next to the field it names", async () => {
    fakeApi({
      [`PATCH ${CUSTOMER_PATH}`]: () => problem(422, "contactEmail: is not valid", [{ field: "contactEmail", message: "is not valid" }]),
    });
    const user = userEvent.setup();
    renderWith(<EditCustomer onDone={vi.fn()} />);
    const email = screen.getByRole("textbox", { name: /^Contact email/ });
    await user.clear(email);
    await user.type(email, "nope");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const invalid = await screen.findByRole("textbox", { name: /^Contact email/, description: "is not valid" });
    expect(invalid).toHaveAttribute("aria-invalid", "true");
    expect(within(invalid.closest("form")!).getByRole("textbox", { name: /^Name/ })).not.toHaveAttribute("aria-invalid", "true");
  });
});
