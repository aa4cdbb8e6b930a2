import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../testing/fetch";
import { members, renderWith } from "../../testing/render";
import ResellerRoute from "./reseller";

afterEach(() => vi.unstubAllGlobals());

const reseller = {
  id: "res-1",
  providerId: "prov-1",
  name: "Fabrikam Reseller",
  partnerId: "1234567",
  tenantId: null,
  contactEmail: "ops@fabrikam.example",
  status: "invited",
  invitationUrl: "https://admin.microsoft.com/invite",
  invitedAt: "2026-12-01T00:00:00Z",
  expiresAt: "2026-12-31T00:00:00Z",
  activatedAt: null,
  endedAt: null,
  lastCheckedAt: null,
  lastCheckResult: "not listed yet",
  nextCheckAt: null,
  flag: null as string | null,
  updatedAt: "2026-12-01T00:00:00Z",
};

describe("the reseller page", () => {
  it("shows Not found when the API answers 404", async () => {
    fakeApi({ "GET /api/resellers/nope": () => problem(404, "no such reseller") });
    renderWith(<ResellerRoute />, { route: "/resellers/nope", path: "/resellers/:id" });
    expect(await screen.findByRole("heading", { level: 1, name: "Not found" })).toBeInTheDocument();
  });

  it("shows the last check and queues a new one", async () => {
    let status = "invited";
    const api = fakeApi({
      "GET /api/resellers/res-1": () => json({ ...reseller, status }),
      "POST /api/resellers/res-1/relationship-check": () => {
        status = "active";
        return json({ ...reseller, status }, 202);
      },
    });
    renderWith(<ResellerRoute />, { route: "/resellers/res-1", path: "/resellers/:id", me: members.providerStaff });
    expect(await screen.findByRole("heading", { level: 1, name: "Fabrikam Reseller" })).toBeInTheDocument();
    expect(screen.getByText("not listed yet")).toBeInTheDocument();
    expect(screen.getByText("invited")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Check relationship now" }));
    expect(await screen.findByText(/A relationship check is queued/)).toBeInTheDocument();
    expect(api.calls("POST /api/resellers/res-1/relationship-check")).toHaveLength(1);
    expect(await screen.findByText("active")).toBeInTheDocument();
  });

  it("shows a reseller without the Partner Agreement with what to do, until a check sees it signed", async () => {
    let flag: string | null = "partnerAgreementMissing";
    fakeApi({
      "GET /api/resellers/res-1": () => json({ ...reseller, status: "active", flag }),
      "POST /api/resellers/res-1/relationship-check": () => {
        flag = null;
        return json({ ...reseller, status: "active", flag }, 202);
      },
    });
    renderWith(<ResellerRoute />, { route: "/resellers/res-1", path: "/resellers/:id", me: members.providerStaff });
    expect(await screen.findByText(/cannot be partner of record/)).toBeInTheDocument();
    expect(screen.getAllByText("Partner Agreement not signed").length).toBeGreaterThan(0);
    expect(screen.getByText(/accept the agreement in its own Partner Center account/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Check relationship now" }));
    await waitFor(() => expect(screen.queryByText("Partner Agreement not signed")).toBeNull());
  });
});
