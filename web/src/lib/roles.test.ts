import { describe, expect, it } from "vitest";
import { mayOpen, menuFor } from "./roles";

const labels = (role: Parameters<typeof menuFor>[0]) => menuFor(role).map((e) => `${e.label} ${e.to}`);

describe("the menu for each role", () => {
  it("gives the operator providers and members", () => {
    expect(labels({ role: "operator", orgType: "operator", orgId: "platform" })).toEqual([
      "Providers /providers",
      "Members /members",
    ]);
  });

  it.each(["provider.admin", "provider.staff"] as const)("gives %s the dashboard, resellers, customers, its enrollment", (role) => {
    expect(labels({ role, orgType: "provider", orgId: "p 1" })).toEqual([
      "Dashboard /",
      "Resellers /resellers",
      "Customers /customers",
      "Enrollment /providers/p%201",
    ]);
  });

  it.each(["reseller.admin", "reseller.staff"] as const)("gives %s its customers only", (role) => {
    expect(labels({ role, orgType: "reseller", orgId: "r1" })).toEqual(["Customers /customers"]);
  });

  it("gives a customer admin a placeholder home", () => {
    expect(labels({ role: "customer.admin", orgType: "customer", orgId: "c1" })).toEqual(["Home /"]);
  });

  it("opens the operator's pages to the operator only", () => {
    expect(mayOpen("operator", "providers")).toBe(true);
    expect(mayOpen("provider.admin", "providers")).toBe(false);
    expect(mayOpen("reseller.staff", "members")).toBe(false);
    expect(mayOpen("reseller.staff", "resellers")).toBe(false);
    expect(mayOpen("reseller.staff", "customers")).toBe(true);
    expect(mayOpen("customer.admin", "customers")).toBe(false);
  });
});
