import { screen, waitFor, within } from "@testing-library/react";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEV_SESSION_KEY } from "../lib/auth/dev";
import { fakeApi, json, problem } from "../testing/fetch";
import { App } from "./App";

const OPERATOR = "0c1d2e3f-0000-4000-8000-000000000001";
const PROVIDER_ADMIN = "9a8b7c6d-0000-4000-8000-000000000002";
const STRANGER = "5555aaaa-0000-4000-8000-000000000009";

const config = {
  auth: {
    clientId: "11111111-2222-3333-4444-555555555555",
    authority: "https://127.0.0.1:7073/00000000-0000-0000-0000-000000000000",
    knownAuthorities: ["127.0.0.1:7073"],
    scopes: ["api://csp-platform/.default"],
  },
  devSignIn: true,
};

function stack(members: Record<string, object>) {
  return fakeApi({
    "GET /api/config": () => json(config),
    "GET /api/dev/people": () =>
      json({
        items: [
          { userId: OPERATOR, orgType: "operator", orgId: "platform", orgName: null, role: "operator" },
          { userId: PROVIDER_ADMIN, orgType: "provider", orgId: "prov-1", orgName: "Contoso Distribution", role: "provider.admin" },
        ],
      }),
    "POST /api/dev/token": async (request) => {
      const { userId } = (await request.json()) as { userId: string };
      return json({ accessToken: `token-for-${userId}`, expiresOn: new Date(Date.now() + 3600_000).toISOString(), userId });
    },
    "GET /api/me": (request) => {
      const userId = request.headers.get("Authorization")?.replace("Bearer token-for-", "") ?? "";
      const member = members[userId];
      return member ? json({ userId, tenantId: null, ...member }) : problem(403, "you are not a member of this platform");
    },
    "GET /api/providers": () => json({ items: [], continuationToken: null }),
    "GET /api/members": () => json({ items: [] }),
  });
}

beforeEach(() => {
  window.history.replaceState({}, "", "/");
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the sign-in page", () => {
  it("lists the development people and signs in as one through the token route", async () => {
    const api = stack({ [OPERATOR]: { orgType: "operator", orgId: "platform", role: "operator" } });
    const user = userEvent.setup();
    render(<App />);

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/sign-in");
    expect(screen.getByRole("button", { name: "Sign in with Microsoft" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: "Development sign-in" })).toBeInTheDocument();

    const operator = await screen.findByRole("button", { name: "Sign in as operator operator 0c1d2e3f" });
    expect(operator).toHaveAccessibleDescription(`${OPERATOR} · platform`);
    expect(screen.getByText(`${OPERATOR} · platform`)).toBeVisible();
    const admin = screen.getByRole("button", { name: "Sign in as provider provider.admin 9a8b7c6d" });
    expect(admin).toHaveAccessibleDescription(`${PROVIDER_ADMIN} · Contoso Distribution (prov-1)`);
    expect(screen.getByRole("textbox", { name: "User id" })).toBeInTheDocument();

    await user.click(operator);

    expect(await screen.findByRole("heading", { level: 1, name: "Providers" })).toBeInTheDocument();
    const [minted] = api.calls("POST /api/dev/token");
    expect(await minted!.json()).toEqual({ userId: OPERATOR });
    const [me] = api.calls("GET /api/me");
    expect(me!.headers.get("Authorization")).toBe(`Bearer token-for-${OPERATOR}`);
    expect(JSON.parse(sessionStorage.getItem(DEV_SESSION_KEY)!)).toMatchObject({ userId: OPERATOR, accessToken: `token-for-${OPERATOR}` });
    const banner = screen.getByRole("banner");
    expect(within(banner).getByText(/operator · operator/)).toBeInTheDocument();
  });

  it("comes back to the page asked for once signed in", async () => {
    stack({ [OPERATOR]: { orgType: "operator", orgId: "platform", role: "operator" } });
    window.history.replaceState({}, "", "/members");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole("heading", { name: "Sign in" });
    expect(window.location.search).toBe("?returnTo=%2Fmembers");
    await user.click(await screen.findByRole("button", { name: /^Sign in as operator/ }));
    expect(await screen.findByRole("heading", { level: 1, name: "Members" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/members");
  });

  it("says so when the signed-in person is not a member, and signs out", async () => {
    const api = stack({});
    const user = userEvent.setup();
    render(<App />);
    await user.type(await screen.findByRole("textbox", { name: "User id" }), STRANGER);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "You are not a member of this platform" })).toBeInTheDocument();
    expect(screen.getByText(STRANGER)).toBeInTheDocument();
    expect(await api.calls("POST /api/dev/token")[0]!.json()).toEqual({ userId: STRANGER });

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(sessionStorage.getItem(DEV_SESSION_KEY)).toBeNull();
  });

  it("offers only Microsoft sign-in when the API has no development sign-in", async () => {
    fakeApi({ "GET /api/config": () => json({ ...config, devSignIn: false }) });
    render(<App />);
    expect(await screen.findByRole("button", { name: "Sign in with Microsoft" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Development sign-in" })).toBeNull();
  });
});

describe("the signed-in console", () => {
  function signedInAs(userId: string) {
    sessionStorage.setItem(
      DEV_SESSION_KEY,
      JSON.stringify({ accessToken: `token-for-${userId}`, expiresOn: new Date(Date.now() + 3600_000).toISOString(), userId }),
    );
  }

  it("shows Not found for an unknown address", async () => {
    stack({ [OPERATOR]: { orgType: "operator", orgId: "platform", role: "operator" } });
    signedInAs(OPERATOR);
    window.history.replaceState({}, "", "/no/such/page");
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Not found" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
  });

  it("shows Not allowed for a page the role does not open", async () => {
    stack({ [PROVIDER_ADMIN]: { orgType: "reseller", orgId: "res-1", role: "reseller.staff" } });
    signedInAs(PROVIDER_ADMIN);
    window.history.replaceState({}, "", "/providers");
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Not allowed" })).toBeInTheDocument();
  });

  it("renews the development token once when the API answers 401", async () => {
    let meCalls = 0;
    const api = fakeApi({
      "GET /api/config": () => json(config),
      "POST /api/dev/token": () =>
        json({ accessToken: "fresh", expiresOn: new Date(Date.now() + 3600_000).toISOString(), userId: OPERATOR }),
      "GET /api/me": (request) => {
        meCalls += 1;
        return request.headers.get("Authorization") === "Bearer fresh"
          ? json({ userId: OPERATOR, orgType: "operator", orgId: "platform", role: "operator" })
          : problem(401, "the token has expired");
      },
      "GET /api/providers": () => json({ items: [], continuationToken: null }),
    });
    signedInAs(OPERATOR);
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Providers" })).toBeInTheDocument();
    expect(meCalls).toBe(2);
    await waitFor(() => expect(api.calls("POST /api/dev/token")).toHaveLength(1));
  });
});
