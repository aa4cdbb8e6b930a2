/**
 * What the console offers each role: the menu and which pages it opens. The API still decides access; this only
 * keeps people from being shown what they cannot use.
 */
import type { Schemas } from "./api/client";

export type Role = Schemas["Role"];
export type OrgType = Schemas["OrgType"];

export type PageName =
  | "home"
  | "providers"
  | "provider"
  | "members"
  | "resellers"
  | "reseller"
  | "customers"
  | "customer"
  | "catalog"
  | "orders"
  | "order"
  | "subscriptions"
  | "subscription"
  | "renewals"
  | "billing"
  | "billingRun"
  | "audit"
  | "eventSubscriptions"
  | "eventSubscription"
  | "store";

export interface MenuEntry {
  label: string;
  to: string;
}

export interface Member {
  role: Role;
  orgType: OrgType;
  orgId: string;
}

const PROVIDER: Role[] = ["provider.admin", "provider.staff"];
const RESELLER: Role[] = ["reseller.admin", "reseller.staff"];

export const isOperator = (role: Role) => role === "operator";
export const isAdmin = (role: Role) => role === "operator" || role.endsWith(".admin");
export const isProviderStaff = (role: Role) => PROVIDER.includes(role);
export const isResellerStaff = (role: Role) => RESELLER.includes(role);
/** A customer's admin buys for itself in the storefront (its pages under /store). */
export const isCustomerAdmin = (role: Role) => role === "customer.admin";

export function menuFor(member: Member): MenuEntry[] {
  const { role } = member;
  if (isOperator(role)) {
    return [
      { label: "Providers", to: "/providers" },
      { label: "Members", to: "/members" },
    ];
  }
  const admin = isAdmin(role) ? [{ label: "Audit", to: "/audit" }, { label: "Members", to: "/members" }] : [];
  const events = mayManageEventSubscriptions(role) ? [{ label: "Event subscriptions", to: "/event-subscriptions" }] : [];
  if (isProviderStaff(role)) {
    return [
      { label: "Dashboard", to: "/" },
      { label: "Resellers", to: "/resellers" },
      { label: "Customers", to: "/customers" },
      { label: "Orders", to: "/orders" },
      { label: "Subscriptions", to: "/subscriptions" },
      { label: "Renewals", to: "/renewals" },
      { label: "Catalog", to: "/catalog" },
      { label: "Billing", to: "/billing" },
      ...admin,
      ...events,
      { label: "Enrollment", to: `/providers/${encodeURIComponent(member.orgId)}` },
    ];
  }
  if (isResellerStaff(role)) {
    return [
      { label: "Customers", to: "/customers" },
      { label: "Orders", to: "/orders" },
      { label: "Subscriptions", to: "/subscriptions" },
      { label: "Renewals", to: "/renewals" },
      { label: "Catalog", to: "/catalog" },
      { label: "Billing", to: "/billing" },
      ...admin,
      ...events,
    ];
  }
  if (isCustomerAdmin(role)) {
    return [
      { label: "Store", to: "/store/catalog" },
      { label: "Cart", to: "/store/cart" },
      { label: "Orders", to: "/store/orders" },
      { label: "Subscriptions", to: "/store/subscriptions" },
      { label: "Charges", to: "/store/charges" },
      ...admin,
    ];
  }
  return [{ label: "Home", to: "/" }, ...admin];
}

const PAGES: Record<PageName, (role: Role) => boolean> = {
  home: () => true,
  providers: isOperator,
  provider: (role) => isOperator(role) || isProviderStaff(role),
  members: isAdmin,
  resellers: isProviderStaff,
  reseller: (role) => isProviderStaff(role) || isResellerStaff(role),
  customers: (role) => isProviderStaff(role) || isResellerStaff(role),
  customer: (role) => isProviderStaff(role) || isResellerStaff(role),
  catalog: (role) => isProviderStaff(role) || isResellerStaff(role),
  orders: (role) => isProviderStaff(role) || isResellerStaff(role),
  order: (role) => isProviderStaff(role) || isResellerStaff(role),
  subscriptions: (role) => isProviderStaff(role) || isResellerStaff(role),
  subscription: (role) => isProviderStaff(role) || isResellerStaff(role),
  renewals: (role) => isProviderStaff(role) || isResellerStaff(role),
  billing: (role) => isProviderStaff(role) || isResellerStaff(role),
  billingRun: (role) => isProviderStaff(role) || isResellerStaff(role),
  audit: isAdmin,
  eventSubscriptions: (role) => isProviderStaff(role) || isResellerStaff(role),
  eventSubscription: (role) => isProviderStaff(role) || isResellerStaff(role),
  store: isCustomerAdmin,
};

export function mayOpen(role: Role, page: PageName): boolean {
  return PAGES[page](role);
}

/** Operator and provider admins may start the partner admin's consent. */
export const mayGiveConsent = (role: Role) => role === "operator" || role === "provider.admin";
/** Provider and reseller admins register and change their organisation's webhook endpoints (staff read them). */
export function mayManageEventSubscriptions(role: Role): boolean {
  return role === "provider.admin" || role === "reseller.admin";
}
/** Provider staff invite resellers and ask for a reseller relationship check. */
export const mayManageResellers = isProviderStaff;
/** Provider staff and reseller staff invite and create customers and check their relationships. */
export const mayManageCustomers = (role: Role) => isProviderStaff(role) || isResellerStaff(role);
/** Provider staff and the customer's reseller admins offboard and restore a customer (docs/business.md#offboarding). */
export const mayOffboardCustomers = (role: Role) => isProviderStaff(role) || role === "reseller.admin";
/** Provider staff edit a reseller's name and contact; the reseller's own admins its contact email only. */
export const mayEditReseller = (role: Role) => isProviderStaff(role) || role === "reseller.admin";

/** The roles a member of an organisation of that type may have. */
export function rolesFor(orgType: OrgType): Role[] {
  switch (orgType) {
    case "operator":
      return ["operator"];
    case "provider":
      return ["provider.admin", "provider.staff"];
    case "reseller":
      return ["reseller.admin", "reseller.staff"];
    case "customer":
      return ["customer.admin"];
  }
}

export const ORG_TYPES: OrgType[] = ["operator", "provider", "reseller", "customer"];
