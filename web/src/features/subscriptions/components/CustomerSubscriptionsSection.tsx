/** A customer's subscriptions on its page. */
import type { Schemas } from "../../../lib/api/client";

export function CustomerSubscriptionsSection(_: { customer: Schemas["CustomerOut"] }) {
  return null;
}
