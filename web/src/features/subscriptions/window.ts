/** How much of a window (a seat lot's or the cancellation window) is left at a given moment. */
import { useEffect, useState } from "react";

export interface WindowLeft {
  open: boolean;
  /** "2 days 4 hours left", "35 minutes left", "less than a minute left", "closed". */
  text: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The time left until `endsAt` (ISO 8601) as of `now`; a missing or unreadable end is closed. */
export function windowLeft(endsAt: string | null | undefined, now: Date): WindowLeft {
  const end = endsAt ? Date.parse(endsAt) : Number.NaN;
  if (Number.isNaN(end)) return { open: false, text: "closed" };
  const left = end - now.getTime();
  if (left <= 0) return { open: false, text: "closed" };
  const days = Math.floor(left / DAY);
  const hours = Math.floor((left % DAY) / HOUR);
  const minutes = Math.floor((left % HOUR) / MINUTE);
  let text: string;
  if (days > 0) text = hours > 0 ? `${count(days, "day")} ${count(hours, "hour")}` : count(days, "day");
  else if (hours > 0) text = minutes > 0 ? `${count(hours, "hour")} ${count(minutes, "minute")}` : count(hours, "hour");
  else if (minutes > 0) text = count(minutes, "minute");
  else text = "less than a minute";
  return { open: true, text: `${text} left` };
}

/** The browser's current moment, renewed every `everyMs` and whenever `refresh` changes (say, when the data
 * the countdown is about was read again), so a countdown stays current. */
export function useNow(everyMs = 30_000, refresh: unknown = null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const renew = () => setNow(new Date());
    const first = window.setTimeout(renew, 0);
    const timer = window.setInterval(renew, everyMs);
    return () => {
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, [everyMs, refresh]);
  return now;
}
