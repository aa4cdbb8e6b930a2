import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { AuditEntry } from "../api/audit";
import { AuditFeed } from "./AuditFeed";
import { EntityAuditSection } from "./EntityAuditSection";

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: "e-1",
  at: "2026-10-01T09:30:00+00:00",
  actorId: "relationship-check",
  actorOrg: "system",
  action: "reseller.active",
  entityType: "reseller",
  entityId: "res-1",
  orgType: "reseller",
  orgId: "res-1",
  before: { name: "Fabrikam", status: "invited", activatedAt: null },
  after: { name: "Fabrikam", status: "active", activatedAt: "2026-10-01T09:30:00+00:00" },
  ...over,
});

describe("an entity's audit trail", () => {
  it("shows who did what and the fields it changed, old to new", async () => {
    const api = fakeApi({ "GET /api/audit": () => json({ items: [entry({})], continuationToken: null }) });
    renderWith(<EntityAuditSection entityId="res-1" />);
    const table = await screen.findByRole("table", { name: "Audit trail" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(within(row).getByText("reseller.active")).toBeInTheDocument();
    expect(within(row).getByRole("link", { name: "relationship-check" })).toHaveAttribute("href", "/audit?actorId=relationship-check");
    const changes = within(row).getByRole("list", { name: "Changed fields" });
    const items = within(changes).getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual(["status: invited → active", "activatedAt: null → 2026-10-01T09:30:00+00:00"]);
    expect(new URL(api.calls("GET /api/audit")[0]!.url).searchParams.get("entityId")).toBe("res-1");
  });

  it("says there is no entry yet when the API has none visible (404)", async () => {
    fakeApi({ "GET /api/audit": () => problem(404, "no audit entries for res-1") });
    renderWith(<EntityAuditSection entityId="res-1" />);
    expect(await screen.findByText("No audit entries yet.")).toBeInTheDocument();
    expect(screen.queryByText("Not found")).toBeNull();
  });

  it("lists a created entity's values and folds a long list behind “Show all”", async () => {
    const after = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`field${i}`, `v${i}`]));
    fakeApi({
      "GET /api/audit": () => json({ items: [entry({ action: "reseller.invited", before: null, after })], continuationToken: null }),
    });
    const user = userEvent.setup();
    renderWith(<EntityAuditSection entityId="res-1" />);
    const changes = await screen.findByRole("list", { name: "Changed fields" });
    expect(within(changes).getAllByRole("listitem")).toHaveLength(6);
    expect(within(changes).getByText("v0")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Show all 8 fields" }));
    expect(within(changes).getAllByRole("listitem")).toHaveLength(8);
  });
});

describe("the audit feed", () => {
  const choice = { from: "2026-01-01", to: "2026-06-01", actorId: "", providerId: "" };

  it("shows the API's refusal of the range at the From field", async () => {
    fakeApi({
      "GET /api/audit": () => problem(422, "from must be before to, at most 92 days apart", [{ field: "from", message: "a range of up to 92 days" }]),
    });
    renderWith(<AuditFeed choice={choice} onChoice={() => {}} role="provider.admin" providers={null} />, { me: members.providerAdmin });
    const from = await screen.findByLabelText("From", { selector: "input" });
    expect(await screen.findByText("a range of up to 92 days")).toBeInTheDocument();
    expect(from).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("sends the range and the actor, and links an entry to its entity's page", async () => {
    const api = fakeApi({ "GET /api/audit": () => json({ items: [entry({})], continuationToken: null }) });
    renderWith(
      <AuditFeed choice={{ ...choice, to: "2026-01-31", actorId: "u-7" }} onChoice={() => {}} role="provider.admin" providers={null} />,
      { me: members.providerAdmin },
    );
    expect(await screen.findByRole("link", { name: "Fabrikam" })).toHaveAttribute("href", "/resellers/res-1");
    const query = new URL(api.calls("GET /api/audit")[0]!.url).searchParams;
    expect(query.get("actorId")).toBe("u-7");
    expect(new Date(query.get("from")!).getTime()).toBe(new Date(2026, 0, 1).getTime());
    expect(new Date(query.get("to")!).getTime()).toBe(new Date(2026, 1, 1).getTime());
    expect(query.has("providerId")).toBe(false);
  });
});
