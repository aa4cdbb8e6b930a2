import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { OrganisationMembers } from "./OrganisationMembers";

const admin = {
  userId: "ra-0001-aaaa",
  orgType: "reseller",
  orgId: "res-1",
  role: "reseller.admin",
  createdAt: "2026-09-01T08:10:00+00:00",
  createdBy: "pa-0001-aaaa",
};

describe("an organisation admin's members", () => {
  it("lists its own organisation and shows the API's refusal to demote the last admin", async () => {
    const api = fakeApi({
      "GET /api/members": () => json({ items: [admin] }),
      "PATCH /api/members/ra-0001-aaaa": () => problem(409, "ra-0001-aaaa is the last admin of this reseller: add another first"),
    });
    const user = userEvent.setup();
    renderWith(<OrganisationMembers target={null} onTarget={() => {}} />, { me: members.resellerAdmin });
    const table = await screen.findByRole("table", { name: "Members" });
    const query = new URL(api.calls("GET /api/members")[0]!.url).searchParams;
    expect([query.get("orgType"), query.get("orgId")]).toEqual(["reseller", "res-1"]);
    expect(screen.getByRole("heading", { name: "Members of your organisation" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Organisation", { selector: "select" })).not.toBeNull(); // its customers
    await user.selectOptions(within(table).getByLabelText("Role of ra-0001-aaaa"), "reseller.staff");
    expect(await screen.findByText(/is the last admin of this reseller/)).toBeInTheDocument();
    expect(within(table).getByLabelText("Role of ra-0001-aaaa")).toHaveValue("reseller.admin");
  });

  it("adds a member to its own organisation with a role of its kind", async () => {
    const api = fakeApi({
      "GET /api/members": () => json({ items: [admin] }),
      "POST /api/members": () => json({ ...admin, userId: "rs-9", role: "reseller.staff" }, 201),
    });
    const user = userEvent.setup();
    renderWith(<OrganisationMembers target={null} onTarget={() => {}} />, { me: members.resellerAdmin });
    const form = await screen.findByRole("form", { name: "Add a member" });
    await user.type(within(form).getByRole("textbox", { name: /^User id/ }), "rs-9");
    await user.selectOptions(within(form).getByLabelText("Role"), "reseller.staff");
    await user.click(within(form).getByRole("button", { name: "Add member" }));
    expect(await screen.findByText("rs-9 is now a member (reseller.staff).")).toBeInTheDocument();
    expect(await api.calls("POST /api/members")[0]!.json()).toEqual({
      userId: "rs-9",
      orgType: "reseller",
      orgId: "res-1",
      role: "reseller.staff",
    });
  });

  it("offers a provider admin only the first admin of a reseller it manages", async () => {
    fakeApi({
      "GET /api/members": () => json({ items: [] }),
      "GET /api/resellers": () => json({ items: [{ id: "res-1", name: "Fabrikam" }], continuationToken: null }),
      "GET /api/customers": () => json({ items: [], continuationToken: null }),
    });
    renderWith(<OrganisationMembers target={{ orgType: "reseller", orgId: "res-1" }} onTarget={() => {}} />, {
      me: members.providerAdmin,
    });
    expect(await screen.findByRole("heading", { name: "Members of reseller Fabrikam" })).toBeInTheDocument();
    const form = await screen.findByRole("form", { name: "Add a member" });
    const role = within(form).getByLabelText("Role");
    expect(within(role).getAllByRole("option").map((o) => o.textContent)).toEqual(["reseller.admin"]);
    expect(within(form).getByText("This reseller has no admin yet: add its first one.")).toBeInTheDocument();
  });
});
