import type { Customer } from "./api/customers";

/** The customer's market as shown: "NL / EUR" (country from the billing profile, its billing currency). */
export function market(customer: Pick<Customer, "country" | "currency">): string {
  if (!customer.country && !customer.currency) return "—";
  return [customer.country ?? "?", customer.currency ?? "?"].join(" / ");
}
