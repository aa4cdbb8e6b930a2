/** A customer's orders on its page, and placing a new one. */
import type { Schemas } from "../../../lib/api/client";

export function CustomerOrdersSection(_: { customer: Schemas["CustomerOut"] }) {
  return null;
}
