import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { renderWith } from "../../../testing/render";
import type { Customer } from "../api/customers";
import { AgreementSection, RecordAgreementForm } from "./Agreement";

const PATH = "POST /api/customers/cus-1/agreement";
const ACCEPTED = {
  status: "accepted",
  acceptedAt: "2026-09-03T14:00:00Z",
  contact: { firstName: "Nina", lastName: "Winters", email: "nina@wingtip.example", phoneNumber: "+31 20 555" },
  templateId: "117a69e3-a2d9-4d8b-93cc-e5b3a4f2ef9c",
  confirmedAt: "2026-09-30T06:00:12Z",
} as const;
const MISSING = { status: "missing", acceptedAt: null, contact: null, templateId: null, confirmedAt: null } as const;

function customer(agreement: Customer["agreement"], status: Customer["status"] = "active"): Customer {
  return { id: "cus-1", name: "Wingtip", status, agreement } as unknown as Customer;
}

describe("The customer's Microsoft Customer Agreement", () => {
  it("shows who accepted and when", () => {
    renderWith(<AgreementSection customer={customer(ACCEPTED)} mayRecord />);
    expect(screen.getByText("Accepted")).toBeInTheDocument();
    expect(screen.getByText("Nina Winters (nina@wingtip.example, +31 20 555)")).toBeInTheDocument();
    expect(screen.getByText("2026-09-03 14:00 UTC")).toBeInTheDocument();
    expect(screen.queryByText(/orders are refused/)).not.toBeInTheDocument();
  });

  it("warns that orders are refused while it is missing and offers staff to record it", () => {
    renderWith(<AgreementSection customer={customer(MISSING)} mayRecord />);
    expect(screen.getByText("Not accepted")).toBeInTheDocument();
    expect(screen.getByText(/orders are refused until an acceptance is recorded/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Record acceptance" })).toBeInTheDocument();
  });

  it("offers no recording to a customer admin, nor for a customer that is not active", () => {
    renderWith(<AgreementSection customer={customer(MISSING)} mayRecord={false} />);
    expect(screen.queryByRole("button", { name: "Record acceptance" })).not.toBeInTheDocument();
    renderWith(<AgreementSection customer={customer(MISSING, "invited")} mayRecord />);
    expect(screen.queryByRole("button", { name: "Record acceptance" })).not.toBeInTheDocument();
  });

  it("records the contact and the day the customer accepted", async () => {
    const api = fakeApi({ [PATH]: () => json(customer(ACCEPTED)) });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<RecordAgreementForm customerId="cus-1" onDone={onDone} />);
    await user.type(screen.getByRole("textbox", { name: /^First name/ }), " Nina ");
    await user.type(screen.getByRole("textbox", { name: /^Last name/ }), "Winters");
    await user.type(screen.getByRole("textbox", { name: /^Email/ }), "nina@wingtip.example");
    const day = screen.getByLabelText(/^Accepted on/);
    await user.clear(day);
    await user.type(day, "2026-09-03");
    await user.click(screen.getByRole("button", { name: "Record acceptance" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    const sent = await api.calls(PATH)[0]!.json();
    expect(sent).toMatchObject({ firstName: "Nina", lastName: "Winters", email: "nina@wingtip.example" });
    expect(sent.phoneNumber).toBeUndefined();
    expect(new Date(sent.dateAgreed).getTime()).toBe(new Date("2026-09-03T00:00:00").getTime());
  });

  it("shows the API's reason next to the field and stays open", async () => {
    fakeApi({
      [PATH]: () =>
        problem(422, "dateAgreed may not be in the future", [
          { field: "dateAgreed", message: "dateAgreed may not be in the future" },
        ]),
    });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderWith(<RecordAgreementForm customerId="cus-1" onDone={onDone} />);
    await user.type(screen.getByRole("textbox", { name: /^First name/ }), "Nina");
    await user.click(screen.getByRole("button", { name: "Record acceptance" }));
    expect(await screen.findAllByText("dateAgreed may not be in the future")).not.toHaveLength(0);
    expect(onDone).not.toHaveBeenCalled();
  });
});
