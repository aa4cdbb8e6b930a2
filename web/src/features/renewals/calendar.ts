/** The renewal calendar's dates: the default range and the grouping by month. */
import type { RenewalItem } from "../../lib/api/extra";

const DAY = 86_400_000;

/** A day in UTC as the API takes it ("2026-12-07"). */
export const isoDay = (moment: Date) => moment.toISOString().slice(0, 10);

/** Today and 90 days on: what the calendar opens on. */
export function defaultRange(now: Date): { from: string; to: string } {
  return { from: isoDay(now), to: isoDay(new Date(now.getTime() + 90 * DAY)) };
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "2027-01" reads "January 2027". */
export function monthLabel(month: string): string {
  const [year, number] = month.split("-");
  return `${MONTHS[Number(number) - 1] ?? number} ${year}`;
}

/** The renewals by the month they fall in, months in order, each month's by date. */
export function byMonth(items: readonly RenewalItem[]): { month: string; items: RenewalItem[] }[] {
  const groups = new Map<string, RenewalItem[]>();
  for (const item of [...items].sort((a, b) => a.renewalDate.localeCompare(b.renewalDate))) {
    const month = item.renewalDate.slice(0, 7);
    groups.set(month, [...(groups.get(month) ?? []), item]);
  }
  return [...groups.entries()].map(([month, grouped]) => ({ month, items: grouped }));
}
