import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Provider } from "../api/get-providers";
import { ConsentOutcome } from "./ConsentOutcome";
import { ProviderDetails } from "./ProviderDetails";

const provider: Provider = {
  id: "prov-1",
  name: "Contoso Distribution",
  partnerId: null,
  status: "consentRequired",
  tenantId: "aaaaaaaa-0000-4000-8000-000000000000",
  clientId: "bbbbbbbb-0000-4000-8000-000000000000",
  companyName: null,
  consentGranted: false,
  createdAt: "2026-12-01T00:00:00Z",
  updatedAt: "2026-12-01T00:00:00Z",
};

afterEach(() => vi.unstubAllGlobals());

describe("the provider's consent", () => {
  it("asks for the consent URL as JSON and sends the browser there", async () => {
    const api = fakeApi({
      "GET /api/providers/prov-1/consent": () => json({ consentUrl: "https://127.0.0.1:7073/t/oauth2/v2.0/authorize?state=s" }),
    });
    const goTo = vi.fn();
    renderWith(<ProviderDetails provider={provider} mayGiveConsent goTo={goTo} />, { me: members.operator });
    await userEvent.click(screen.getByRole("button", { name: "Give consent" }));
    await waitFor(() => expect(goTo).toHaveBeenCalledWith("https://127.0.0.1:7073/t/oauth2/v2.0/authorize?state=s"));
    expect(api.calls("GET /api/providers/prov-1/consent")[0]!.headers.get("Accept")).toBe("application/json");
  });

  it("offers no consent button to provider staff", () => {
    renderWith(<ProviderDetails provider={provider} mayGiveConsent={false} />, { me: members.providerStaff });
    expect(screen.queryByRole("button", { name: "Give consent" })).toBeNull();
  });

  it("shows the consent outcome from the callback's query string", () => {
    renderWith(<ConsentOutcome />, { route: "/providers/prov-1?consent=enrolled" });
    expect(screen.getByText("Consent recorded: the provider is enrolled")).toBeInTheDocument();
  });

  it("shows the failure detail from the callback's query string", () => {
    renderWith(<ConsentOutcome />, { route: "/providers?consent=failed&detail=the%20state%20has%20expired" });
    expect(screen.getByText("the state has expired")).toBeInTheDocument();
  });
});
