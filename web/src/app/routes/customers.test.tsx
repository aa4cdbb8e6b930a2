import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json } from "../../testing/fetch";
import { members, renderWith } from "../../testing/render";
import CustomersRoute from "./customers";

afterEach(() => vi.unstubAllGlobals());

const customer = {
  id: "cus-1",
  providerId: "prov-1",
  resellerId: "res-1",
  name: "Northwind",
  domain: "northwind.onmicrosoft.com",
  status: "active",
  country: "NL",
  currency: "EUR",
};

describe("the customers page", () => {
  it("lists provider customers with their reseller's name and market, filtered by status from the URL", async () => {
    const api = fakeApi({
      "GET /api/customers": () => json({ items: [customer], continuationToken: null }),
      "GET /api/resellers": () => json({ items: [{ id: "res-1", name: "Fabrikam Reseller" }], continuationToken: null }),
    });
    renderWith(<CustomersRoute />, { route: "/customers?status=active", me: members.providerStaff });
    const row = (await screen.findByRole("link", { name: "Northwind" })).closest("tr")!;
    expect(within(row).getByText("NL / EUR")).toBeInTheDocument();
    expect(await within(row).findByText("Fabrikam Reseller")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Status" })).toHaveValue("active");
    expect(screen.getByRole("combobox", { name: "Reseller" })).toBeInTheDocument();
    const asked = new URL(api.calls("GET /api/customers")[0]!.url);
    expect(asked.searchParams.get("status")).toBe("active");
    expect(screen.getByRole("button", { name: "Invite a customer" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Create a new tenant" })).toBeInTheDocument();
  });

  it("gives reseller staff their own customers without a reseller filter", async () => {
    fakeApi({
      "GET /api/customers": () => json({ items: [customer], continuationToken: null }),
      "GET /api/resellers/res-1": () => json({ id: "res-1", name: "Fabrikam Reseller" }),
    });
    renderWith(<CustomersRoute />, { route: "/customers", me: members.resellerStaff });
    expect(await screen.findByRole("link", { name: "Northwind" })).toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Reseller" })).toBeNull();
  });
});
