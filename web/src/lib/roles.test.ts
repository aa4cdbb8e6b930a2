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

  it("gives a provider admin the business, its audit trail, its members and its enrollment", () => {
    expect(labels({ role: "provider.admin", orgType: "provider", orgId: "p 1" })).toEqual([
      "Dashboard /",
      "Resellers /resellers",
      "Customers /customers",
      "Orders /orders",
      "Subscriptions /subscriptions",
      "Renewals /renewals",
      "Catalog /catalog",
      "Billing /billing",
      "Audit /audit",
      "Members /members",
      "Event subscriptions /event-subscriptions",
      "Enrollment /providers/p%201",
    ]);
  });

  it("gives provider staff the business without the audit trail and the members", () => {
    expect(labels({ role: "provider.staff", orgType: "provider", orgId: "p1" })).toEqual([
      "Dashboard /",
      "Resellers /resellers",
      "Customers /customers",
      "Orders /orders",
      "Subscriptions /subscriptions",
      "Renewals /renewals",
      "Catalog /catalog",
      "Billing /billing",
      "Enrollment /providers/p1",
    ]);
  });

  it("gives reseller staff their customers, catalog and billing; admins the audit trail and members too", () => {
    const business = ["Customers /customers", "Orders /orders", "Subscriptions /subscriptions",
      "Renewals /renewals", "Catalog /catalog", "Billing /billing"];
    expect(labels({ role: "reseller.staff", orgType: "reseller", orgId: "r1" })).toEqual(business);
    expect(labels({ role: "reseller.admin", orgType: "reseller", orgId: "r1" })).toEqual([
      ...business,
      "Audit /audit",
      "Members /members",
      "Event subscriptions /event-subscriptions",
    ]);
  });

  it("gives a customer admin its storefront, its audit trail and its members", () => {
    expect(labels({ role: "customer.admin", orgType: "customer", orgId: "c1" })).toEqual([
      "Store /store/catalog",
      "Cart /store/cart",
      "Orders /store/orders",
      "Subscriptions /store/subscriptions",
      "Charges /store/charges",
      "Audit /audit",
      "Members /members",
    ]);
  });

  it("opens the operator's pages to the operator only", () => {
    expect(mayOpen("operator", "providers")).toBe(true);
    expect(mayOpen("provider.admin", "providers")).toBe(false);
    expect(mayOpen("reseller.staff", "members")).toBe(false);
    expect(mayOpen("reseller.admin", "members")).toBe(true);
    expect(mayOpen("reseller.staff", "audit")).toBe(false);
    expect(mayOpen("customer.admin", "catalog")).toBe(false);
    expect(mayOpen("reseller.staff", "resellers")).toBe(false);
    expect(mayOpen("reseller.staff", "customers")).toBe(true);
    expect(mayOpen("customer.admin", "customers")).toBe(false);
    expect(mayOpen("customer.admin", "orders")).toBe(false);
    expect(mayOpen("customer.admin", "store")).toBe(true);
    expect(mayOpen("reseller.staff", "store")).toBe(false);
    expect(mayOpen("provider.admin", "store")).toBe(false);
  });
});
