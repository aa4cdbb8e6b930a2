import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { CreateTenantForm } from "./CreateTenantForm";

describe("Create a new tenant", () => {
  it("shows a field error from the API next to the field it names, and the rest in a message bar", async () => {
    const api = fakeApi({
      "POST /api/customers": () =>
        problem(422, "billingProfile.defaultAddress.city: is required; extra: is not a field of this resource", [
          { field: "billingProfile.defaultAddress.city", message: "is required" },
          { field: "extra", message: "is not a field of this resource" },
        ]),
    });
    const user = userEvent.setup();
    renderWith(
      <CreateTenantForm
        fixedReseller={null}
        resellers={[{ value: "res-1", label: "Fabrikam Reseller" }]}
        onCreated={vi.fn()}
      />,
    );
    const form = screen.getByRole("group", { name: "Company" }).closest("form")!;
    await user.selectOptions(within(form).getByLabelText(/^Reseller/), "res-1");
    await user.type(within(form).getByLabelText(/^Company name/), "Contoso");
    await user.click(within(form).getByRole("button", { name: "Create tenant" }));

    const city = await within(form).findByRole("textbox", { name: /^City/, description: "is required" });
    expect(city).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByRole("textbox", { name: /^Company name/ })).not.toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByText("extra: is not a field of this resource")).toBeInTheDocument();

    const [sent] = api.calls("POST /api/customers");
    expect(sent?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{20,}$/);
    const body = await sent!.json();
    expect(body).toMatchObject({
      resellerId: "res-1",
      companyProfile: { companyName: "Contoso" },
      billingProfile: { culture: "en-US", language: "en" },
    });
  });

  it("sends the reseller staff's own reseller without asking", async () => {
    const api = fakeApi({ "POST /api/customers": () => problem(422, "nope") });
    const user = userEvent.setup();
    renderWith(
      <CreateTenantForm fixedReseller={{ value: "res-1", label: "Fabrikam" }} resellers={[]} onCreated={vi.fn()} />,
      { me: members.resellerStaff },
    );
    const form = screen.getByRole("group", { name: "Company" }).closest("form")!;
    expect(within(form).queryByRole("combobox", { name: /^Reseller/ })).toBeNull();
    await user.click(within(form).getByRole("button", { name: "Create tenant" }));
    await waitFor(() => expect(api.calls("POST /api/customers")).toHaveLength(1));
    expect(await api.calls("POST /api/customers")[0]!.json()).toMatchObject({ resellerId: "res-1" });
    expect(await within(form).findByText("nope")).toBeInTheDocument();
  });
});
