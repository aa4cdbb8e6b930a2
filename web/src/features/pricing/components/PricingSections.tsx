/** The pricing of a reseller (what the provider charges it) and of a customer (what its reseller charges it). */
import type { Schemas } from "../../../lib/api/client";

export function ResellerPricingSection(_: { reseller: Schemas["ResellerOut"] }) {
  return null;
}

export function CustomerPricingSection(_: { customer: Schemas["CustomerOut"] }) {
  return null;
}
