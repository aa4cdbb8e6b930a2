/** A margin as a person types it (a percentage) and as the API takes it (a decimal fraction string). */
import { formatMoment } from "../../lib/moment";
import { fractionToPercent, percentToFraction } from "./decimal";

/** What the percentage field holds for a stored margin ("0.12" → "12"; none → ""). */
export function percentText(margin: string | null | undefined): string {
  if (margin === null || margin === undefined) return "";
  return fractionToPercent(margin) ?? margin;
}

/** What is sent for a typed percentage: null when empty; the fraction ("12" → "0.12"); text that is no number is
 * sent as typed, for the API to refuse at the field with its own words. */
export function marginToSend(typed: string): string | null {
  const text = typed.trim();
  if (!text) return null;
  return percentToFraction(text) ?? text;
}

/** "12% (0.12)", or "none". */
export function describeMargin(margin: string | null | undefined): string {
  if (margin === null || margin === undefined) return "none";
  const percent = fractionToPercent(margin);
  return percent === null ? margin : `${percent}% (${margin})`;
}

/** When a pricing or margin was last changed, in UTC ("2026-12-07 02:59 UTC"). */
export function changedAt(moment: string): string {
  return formatMoment(moment);
}
