import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import { EnrollProviderForm } from "./EnrollProviderForm";

afterEach(() => vi.unstubAllGlobals());

async function fill() {
  const user = userEvent.setup();
  await user.type(screen.getByRole("textbox", { name: /^Name/ }), "Contoso Distribution");
  await user.type(screen.getByRole("textbox", { name: /^Tenant ID/ }), "aaaaaaaa-0000-4000-8000-000000000000");
  await user.type(screen.getByRole("textbox", { name: /^Client ID/ }), "bbbbbbbb-0000-4000-8000-000000000000");
  await user.type(screen.getByRole("textbox", { name: /^Client secret reference/ }), "pc-secret");
  return user;
}

describe("enrolling a provider", () => {
  it("sends the Partner Center app without an empty refresh token reference and hands over the 201", async () => {
    const created = { id: "prov-9", name: "Contoso Distribution", status: "consentRequired" };
    const api = fakeApi({ "POST /api/providers": () => json(created, 201) });
    const onEnrolled = vi.fn();
    renderWith(<EnrollProviderForm onEnrolled={onEnrolled} />, { me: members.operator });
    const user = await fill();
    await user.click(screen.getByRole("button", { name: "Enroll" }));
    await waitFor(() => expect(onEnrolled).toHaveBeenCalledWith(created));
    const [sent] = api.calls("POST /api/providers");
    expect(await sent!.json()).toEqual({
      name: "Contoso Distribution",
      partnerCenter: {
        tenantId: "aaaaaaaa-0000-4000-8000-000000000000",
        clientId: "bbbbbbbb-0000-4000-8000-000000000000",
        clientSecretRef: "pc-secret",
        refreshTokenRef: null,
      },
    });
  });

  it("keeps the Idempotency-Key when the same values are sent again, and shows why the app was refused", async () => {
    const api = fakeApi({ "POST /api/providers": () => problem(422, "Partner Center refused the app: invalid_client") });
    renderWith(<EnrollProviderForm onEnrolled={vi.fn()} />, { me: members.operator });
    const user = await fill();
    await user.click(screen.getByRole("button", { name: "Enroll" }));
    expect(await screen.findByText("Partner Center refused the app: invalid_client")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Enroll" }));
    await waitFor(() => expect(api.calls("POST /api/providers")).toHaveLength(2));
    const [first, second] = api.calls("POST /api/providers");
    expect(first!.headers.get("Idempotency-Key")).toBe(second!.headers.get("Idempotency-Key"));
    await user.type(screen.getByRole("textbox", { name: /^Name/ }), " Ltd");
    await user.click(screen.getByRole("button", { name: "Enroll" }));
    await waitFor(() => expect(api.calls("POST /api/providers")).toHaveLength(3));
    expect(api.calls("POST /api/providers")[2]!.headers.get("Idempotency-Key")).not.toBe(first!.headers.get("Idempotency-Key"));
  });
});
