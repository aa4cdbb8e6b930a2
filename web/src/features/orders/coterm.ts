/** Co-terming in the order form: which of the customer's subscriptions a line may end with, the end date that
 * gives, and the first cycle's share and price as the API prorates it (docs/business.md#co-terming-and-add-ons):
 * cycles are counted back from the end date; the first, from today to the first of those boundaries, is charged
 * its days over the days of a whole cycle ending on the same day. The API's answer is the authority; this is the
 * same arithmetic shown before sending. */
import { fromMinor, toMinor } from "../../lib/money";

const CYCLE_MONTHS: Record<string, number> = { monthly: 1, annual: 12, triennial: 36 };
const DAY_MS = 86_400_000;

/** A calendar day as UTC midnight milliseconds ("2027-06-30"). */
const dayMs = (day: string): number => Date.parse(`${day.slice(0, 10)}T00:00:00Z`);

const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The same day `months` later or earlier, clamped to the month's last day. */
export function addMonths(day: string, months: number): string {
  const date = new Date(dayMs(day));
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return dayText(Date.UTC(year, month, Math.min(date.getUTCDate(), last)));
}

export interface FirstCycle {
  /** Days the first cycle is charged. */
  days: number;
  /** Days of a whole cycle ending on the same day. */
  whole: number;
}

/** The co-termed first cycle of a line bought on `today` whose term's last day is `lastDay`. */
export function firstCycle(today: string, lastDay: string, billingCycle: string): FirstCycle | null {
  const months = CYCLE_MONTHS[billingCycle.toLowerCase()] ?? 1;
  if (dayMs(lastDay) < dayMs(today)) return null;
  const termEnd = dayText(dayMs(lastDay) + DAY_MS);
  let steps = 0;
  while (dayMs(addMonths(termEnd, -(steps + 1) * months)) > dayMs(today)) steps += 1;
  const end = addMonths(termEnd, -steps * months);
  return {
    days: Math.round((dayMs(end) - dayMs(today)) / DAY_MS),
    whole: Math.round((dayMs(end) - dayMs(addMonths(end, -months))) / DAY_MS),
  };
}

/** The first cycle's line total: the unit price (as shown) × quantity × days / whole, rounded half up once, exactly. */
export function firstCycleTotal(price: string | null | undefined, quantity: number | null, cycle: FirstCycle,
                                currency: string): string | null {
  const units = price === null || price === undefined ? null : toMinor(price, currency);
  if (units === null || quantity === null || cycle.whole <= 0) return null;
  const scaled = units * BigInt(quantity) * BigInt(cycle.days);
  const whole = BigInt(cycle.whole);
  return fromMinor((scaled * 2n + whole) / (2n * whole), currency);
}

/** An end date a line may take: its own term's last day is later (a line only ends earlier, never later). */
export function mayEndWith(today: string, termDuration: string, lastDay: string | null | undefined): boolean {
  if (!lastDay) return false;
  const months = { P1M: 1, P1Y: 12, P3Y: 36 }[termDuration.toUpperCase()] ?? 12;
  const standardLast = dayMs(addMonths(today, months)) - DAY_MS;
  return dayMs(lastDay) >= dayMs(today) && dayMs(lastDay) <= standardLast;
}
