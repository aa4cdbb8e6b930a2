/** Why the store is closed to this customer, from the 403 problem the storefront routes answer. */
import { isApiError } from "../../lib/api/problem";

const PROBLEM = "urn:csp-platform:problem:";

/** The store is closed to this customer: the 403 problem's reason, or null for any other error. */
export function closedReason(error: unknown): { title: string; detail: string } | null {
  if (!isApiError(error, 403)) return null;
  const { type, detail, title } = error.problem;
  if (type === `${PROBLEM}storefront-disabled`) return { title: "Your storefront is not open", detail };
  if (type === `${PROBLEM}customer-offboarded`) return { title: "Your organisation is offboarded", detail };
  return { title: title || "Not allowed", detail };
}
