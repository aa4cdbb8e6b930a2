import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { Me } from "../lib/auth/me";
import { members } from "../testing/render";
import { PageLayout } from "./PageLayout";

function menuOf(me: Me) {
  render(
    <MemoryRouter>
      <PageLayout member={me} userId={me.userId} onSignOut={vi.fn()}>
        <p>content</p>
      </PageLayout>
    </MemoryRouter>,
  );
  const nav = screen.getByRole("navigation", { name: "Main" });
  return within(nav)
    .getAllByRole("link")
    .map((link) => link.textContent);
}

describe("the page layout", () => {
  it.each([
    ["operator", members.operator, ["Providers", "Members"]],
    ["provider admin", members.providerAdmin,
      ["Dashboard", "Resellers", "Customers", "Orders", "Subscriptions", "Renewals", "Catalog", "Billing", "Audit", "Members", "Event subscriptions", "Enrollment"]],
    ["provider staff", members.providerStaff, ["Dashboard", "Resellers", "Customers", "Orders", "Subscriptions", "Renewals", "Catalog", "Billing", "Enrollment"]],
    ["reseller admin", members.resellerAdmin, ["Customers", "Orders", "Subscriptions", "Renewals", "Catalog", "Billing", "Audit", "Members", "Event subscriptions"]],
    ["reseller staff", members.resellerStaff, ["Customers", "Orders", "Subscriptions", "Renewals", "Catalog", "Billing"]],
    ["customer admin", members.customerAdmin, ["Store", "Cart", "Orders", "Subscriptions", "Charges", "Audit", "Members"]],
  ] as const)("shows the %s's menu", (_, me, expected) => {
    expect(menuOf(me as Me)).toEqual(expected);
  });

  it("has a header with who is signed in and a Sign out button, and a main landmark", async () => {
    const onSignOut = vi.fn();
    render(
      <MemoryRouter>
        <PageLayout member={members.resellerStaff} userId="rs-0001-aaaa" onSignOut={onSignOut}>
          <p>content</p>
        </PageLayout>
      </MemoryRouter>,
    );
    const banner = screen.getByRole("banner");
    expect(within(banner).getByText(/reseller · reseller\.staff/)).toBeInTheDocument();
    expect(within(banner).getByText("rs-0001-aaaa")).toBeInTheDocument();
    await userEvent.click(within(banner).getByRole("button", { name: "Sign out" }));
    expect(onSignOut).toHaveBeenCalledOnce();
    expect(within(screen.getByRole("main")).getByText("content")).toBeInTheDocument();
  });
});
