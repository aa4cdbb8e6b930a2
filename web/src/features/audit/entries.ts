/** How an audit entry is shown: its moment, its entity's page and name. */
import { mayOpen, type PageName, type Role } from "../../lib/roles";
import type { AuditEntry } from "./api/audit";

export { formatMoment } from "../../lib/moment";

/** The entity types that have a page of their own, and the page. */
const PAGES: Record<string, { page: PageName; path: string }> = {
  provider: { page: "provider", path: "/providers/" },
  reseller: { page: "reseller", path: "/resellers/" },
  resellerPricing: { page: "reseller", path: "/resellers/" },
  customer: { page: "customer", path: "/customers/" },
  customerPricing: { page: "customer", path: "/customers/" },
  order: { page: "order", path: "/orders/" },
  subscription: { page: "subscription", path: "/subscriptions/" },
};

/** Where an entry's entity is shown, when it has a page the caller may open. */
export function entityPath(entityType: string, entityId: string, role: Role): string | null {
  const target = PAGES[entityType];
  if (!target || !mayOpen(role, target.page)) return null;
  return `${target.path}${encodeURIComponent(entityId)}`;
}

/** The entity's name as its snapshot holds it, when it has one. */
export function nameOf(entry: AuditEntry): string | null {
  for (const snapshot of [entry.after, entry.before]) {
    if (typeof snapshot === "object" && snapshot !== null && !Array.isArray(snapshot)) {
      const name = snapshot["name"];
      if (typeof name === "string" && name) return name;
    }
  }
  return null;
}
