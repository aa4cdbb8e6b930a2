/** How a subscription's terms, moments and changes read on screen. */
import { formatMoment } from "../../lib/moment";
import { termLabel } from "../../lib/terms";
import type { PendingChange, Subscription } from "./api/subscriptions";

const CYCLES: Record<string, string> = { monthly: "monthly", annual: "annually", triennial: "every 3 years" };

/** "1 year, billed monthly", "3 years, billed annually". */
export function termAndCycle(sub: Pick<Subscription, "termDuration" | "billingCycle">): string {
  if (!sub.billingCycle) return termLabel(sub.termDuration);
  return `${termLabel(sub.termDuration)}, billed ${CYCLES[sub.billingCycle] ?? sub.billingCycle}`;
}

/** The calendar day of a moment, as the API wrote it ("2027-09-30"). */
export function dayOf(moment: string | null | undefined): string | null {
  return moment ? moment.slice(0, 10) : null;
}

/** A moment in UTC to the minute ("2026-10-08 09:31 UTC"); null when there is none. */
export function momentText(moment: string | null | undefined): string | null {
  return moment ? formatMoment(moment) : null;
}

const END_OF_TERM_CHANGES: Record<string, string> = {
  renew: "renew at end of term",
  cancel: "cancel at end of term",
  extendedServiceTerm: "Extended Service Term at end of term",
};

/** What a change asks for: "seats to 12", "auto-renew off", "suspension", "reactivation", "cancellation",
 * "changes at renewal", "upgrade", "cancel at end of term". */
export function changeText(change: Pick<PendingChange, "kind" | "value">): string {
  const kind: string = change.kind;
  switch (kind) {
    case "quantity":
      return `seats to ${String(change.value)}`;
    case "autoRenew":
      return change.value === true ? "auto-renew on" : "auto-renew off";
    case "status":
      return change.value === "suspended" ? "suspension" : "reactivation";
    case "cancel":
      return "cancellation";
    case "renewal":
      return change.value === null || change.value === undefined ? "scheduled changes cleared" : "changes at renewal";
    case "upgrade":
      return "upgrade";
    case "endOfTerm":
      return END_OF_TERM_CHANGES[String(change.value)] ?? "end of term";
    default:
      return kind;
  }
}

const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

/** Whether the current term ends before a whole term from its start: a co-termed first term. */
export function isCoTermed(sub: Pick<Subscription, "termDuration" | "termStartDate" | "termEndDate">): boolean {
  const start = dayOf(sub.termStartDate);
  const end = dayOf(sub.termEndDate);
  const months = TERM_MONTHS[(sub.termDuration ?? "").toUpperCase()];
  if (!start || !end || !months) return false;
  const date = new Date(`${start}T00:00:00Z`);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const whole = Date.UTC(year, month, Math.min(date.getUTCDate(), last)) - 86_400_000;
  return Date.parse(`${end}T00:00:00Z`) < whole;
}
