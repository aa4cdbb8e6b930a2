/** The feed's time range as a person picks it (whole days, local time) and as the API takes it (ISO moments). */
import type { FeedFilters } from "./api/audit";

const pad = (n: number) => String(n).padStart(2, "0");

/** A local date as YYYY-MM-DD (a date input's value). */
export function dateText(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The default range: the last 7 days, today included. */
export function defaultRange(now: Date = new Date()): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 7);
  return { from: dateText(from), to: dateText(now) };
}

function localDay(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(day.getTime()) ? null : day;
}

/** The moment a day starts ("from"); empty when the text is no date (the API's default then applies). */
export function startOf(text: string): string {
  return localDay(text)?.toISOString() ?? "";
}

/** The moment after a day ends ("to": the day itself included). */
export function endOf(text: string): string {
  const day = localDay(text);
  if (!day) return "";
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).toISOString();
}

/** What the person chose on the feed: whole days (YYYY-MM-DD), an actor, and for the operator a provider. */
export interface FeedChoice {
  from: string;
  to: string;
  actorId: string;
  providerId: string;
}

/** The query of a choice: from the first day's start to the last day's end. */
export function toFilters(choice: FeedChoice): FeedFilters {
  return { from: startOf(choice.from), to: endOf(choice.to), actorId: choice.actorId.trim(), providerId: choice.providerId };
}
