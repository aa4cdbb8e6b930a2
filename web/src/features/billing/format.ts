/** How billing pages write moments and periods. */

export { formatMoment as moment } from "../../lib/moment";

/** "2026-10": the month before the given moment's, in UTC (a billed run's usual period). */
export function previousPeriod(now: Date = new Date()): string {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth(); // 0-based: the previous month's 1-based number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, "0")}`;
}

export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
