/** How a subscription's end of term, scheduled changes and Extended Service Term read on screen. */
import type { EndOfTerm, Renewal, ScheduledChanges } from "../../lib/api/extra";
import type { Subscription } from "./api/subscriptions";
import { formatMoney, timesQuantity } from "../../lib/money";
import { dayOf, termAndCycle } from "./format";

/** Partner Center's premium on the monthly price in the Extended Service Term when the subscription names none
 * yet (20 % at the time of writing). */
export const DEFAULT_PREMIUM_RATE = "0.20";

export const END_OF_TERM_LABELS: Record<EndOfTerm, string> = {
  renew: "renews",
  renewWithChanges: "renews with the scheduled changes",
  cancel: "ends (cancel at end of term)",
  extendedServiceTerm: "goes on in the Extended Service Term",
};

/** "0.20" reads "20 %", "0.125" "12.5 %": the decimal point moved, no float. */
export function percentOf(rate: string): string {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(rate.trim());
  if (!match) return rate;
  const [, whole = "0", fraction = ""] = match;
  const digits = `${whole}${fraction.padEnd(2, "0")}`;
  const point = whole.length + 2;
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const rest = digits.slice(point).replace(/0+$/, "");
  return `${integer}${rest ? `.${rest}` : ""} %`;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function scaled(value: string): { units: bigint; places: number } | null {
  const match = DECIMAL.exec(value.trim());
  if (!match) return null;
  const [, sign, whole = "0", fraction = ""] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign ? -units : units, places: fraction.length };
}

/** A price with the premium on it (price × (1 + rate)), exactly, as a decimal string; null if either is not one. */
export function withPremium(price: string, rate: string): string | null {
  const a = scaled(price);
  const r = scaled(rate);
  if (!a || !r) return null;
  const one = 10n ** BigInt(r.places);
  const units = a.units * (one + r.units);
  const places = a.places + r.places;
  const text = units.toString().padStart(places + 1, "0");
  return places ? `${text.slice(0, -places)}.${text.slice(-places)}` : text;
}

/** A unit price times seats, exactly and formatted ("—" when the price is not known). */
export function moneyTimes(unitPrice: string | null | undefined, quantity: number, currency: string | null | undefined): string {
  if (unitPrice === null || unitPrice === undefined || !currency) return "—";
  return formatMoney(timesQuantity(unitPrice, quantity, currency) ?? unitPrice, currency);
}

/** "Microsoft 365 Business Standard, 12 seats, 1 year, billed monthly, ends 2028-06-30". */
export function scheduledText(changes: ScheduledChanges): string {
  const seats = `${changes.quantity} ${changes.quantity === 1 ? "seat" : "seats"}`;
  const end = changes.customTermEndDate ? `, term ending ${changes.customTermEndDate.slice(0, 10)}` : "";
  return `${changes.name}, ${seats}, ${termAndCycle(changes)}${end}`;
}

/** The end of term the subscription is heading for, from the API, else from auto-renew as it was before. */
export function endOfTermOf(sub: Subscription, renewal?: Renewal | null): EndOfTerm {
  return sub.endOfTerm ?? renewal?.endOfTerm ?? (sub.autoRenew ? "renew" : "cancel");
}

export const endDateOf = (sub: Subscription, renewal?: Renewal | null): string | null =>
  dayOf(sub.endOfTermDate ?? renewal?.endOfTermDate ?? sub.termEndDate);

/** What one Extended Service Term month costs: the offer's monthly price with the premium on it, when the renewal
 * targets name the monthly price of the same offer. */
export function estimatedPremium(sub: Subscription, renewal: Renewal | null | undefined, rate: string) {
  const monthly = renewal?.targets.find(
    (t) => t.catalogItemId.startsWith(`${sub.offerId}:`) && t.termDuration === "P1M" && t.billingCycle === "monthly",
  );
  if (!monthly || monthly.unitPrice === null) return null;
  const unit = withPremium(monthly.unitPrice, rate);
  return unit ? { unit: formatMoney(unit, monthly.currency), total: moneyTimes(unit, sub.quantity, monthly.currency) } : null;
}

export function premiumWords(sub: Subscription, renewal: Renewal | null | undefined): string {
  const rate = sub.extendedServiceTerm?.premiumRate ?? DEFAULT_PREMIUM_RATE;
  const price = sub.extendedServiceTermPrice
    ? { unit: formatMoney(sub.extendedServiceTermPrice.unitPrice, sub.extendedServiceTermPrice.currency), total: formatMoney(sub.extendedServiceTermPrice.total, sub.extendedServiceTermPrice.currency) }
    : estimatedPremium(sub, renewal, rate);
  const figures = price ? `: ${price.unit} per seat a month, ${price.total} a month for ${sub.quantity} ${sub.quantity === 1 ? "seat" : "seats"}` : "";
  return `billed monthly at the offer's monthly price plus a premium of ${percentOf(rate)}${figures}`;
}

/** One sentence: what happens at the end of the term, when, and at what price. */
export function endOfTermStory(sub: Subscription, renewal?: Renewal | null): string {
  const date = endDateOf(sub, renewal) ?? "the end of the term";
  const est = sub.extendedServiceTerm;
  if (est) {
    return `In the Extended Service Term since ${dayOf(est.startDate)}, ${premiumWords(sub, renewal)}. This month ends on ${dayOf(est.endDate)}; it goes on month by month until it is cancelled or renewed.`;
  }
  const next = renewal?.nextTerm ?? null;
  const price = next ? `${next.quantity} ${next.quantity === 1 ? "seat" : "seats"} at ${formatMoney(next.unitPrice, next.currency)} per seat, ${formatMoney(next.total, next.currency)}` : null;
  switch (endOfTermOf(sub, renewal)) {
    case "renew":
      return `Renews on ${date} for another ${termAndCycle(next ?? sub)}${price ? `: ${price}` : ""}.`;
    case "renewWithChanges":
      return `Renews on ${date} with the scheduled changes${next ? `: ${next.name}, ${termAndCycle(next)}, ${price}` : ""}.`;
    case "cancel":
      return `Ends on ${date} (cancel at end of term): the customer loses the licenses and nothing is billed after that day.`;
    case "extendedServiceTerm":
      return `The term ends on ${date}; the subscription then goes on in the Extended Service Term, month by month, ${premiumWords(sub, renewal)}.`;
  }
}

