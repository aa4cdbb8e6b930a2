/** Promotions as people read them: seat limits, dates, and the pass-through share as a percentage (the API
 * stores the fraction 0 to 1). */
import type { Promotion } from "./api/catalog";

/** "1 to 300 seats", "at least 10 seats", or null without limits. */
export function seatLimits(promotion: Pick<Promotion, "minimumQuantity" | "maximumQuantity">): string | null {
  const { minimumQuantity: low, maximumQuantity: high } = promotion;
  if (low && high) return `${low} to ${high} seats`;
  if (low) return `at least ${low} seats`;
  if (high) return `at most ${high} seats`;
  return null;
}

/** "2024-01-01 to 2035-12-31" from the promotion's dates (either may be open). */
export function promotionDates(promotion: Pick<Promotion, "startDate" | "endDate">): string {
  const start = promotion.startDate?.slice(0, 10);
  const end = promotion.endDate?.slice(0, 10);
  if (start && end) return `${start} to ${end}`;
  if (end) return `until ${end}`;
  if (start) return `from ${start}`;
  return "no end date";
}

/** Moves a plain decimal's point by `places` (positive: right), exactly: "0.125" by 2 is "12.5". */
function shifted(text: string, places: number): string {
  const [whole = "0", fraction = ""] = text.split(".");
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "");
  const scale = fraction.length - places; // digits after the point in the answer
  if (scale <= 0) return (BigInt(digits) * 10n ** BigInt(-scale)).toString();
  const padded = digits.padStart(scale + 1, "0");
  const answer = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`.replace(/\.?0+$/, "");
  return answer || "0";
}

/** The stored fraction as a percentage: "0.5" is "50", "1" is "100". */
export const passThroughPercent = (fraction: string): string => shifted(fraction.trim(), 2);

/** The percentage as typed (0 to 100, two decimals at most), as the fraction the API takes ("50" is "0.5"), or
 * null when it is not one. */
export function passThroughFraction(percent: string): string | null {
  const text = percent.trim().replace(",", ".");
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) return null;
  const fraction = shifted(text, -2);
  return Number(fraction) > 1 ? null : fraction;
}
