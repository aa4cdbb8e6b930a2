/**
 * Money as the API gives it: a decimal string beside a currency code. Nothing here goes through a float: amounts
 * are scaled to whole minor units as BigInt, so what is shown and summed is exactly what the API billed.
 */

/** Digits after the decimal point per currency (ISO 4217); 2 for any other. */
const MINOR_UNITS: Record<string, number> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3, LYD: 3, OMR: 3,
  PYG: 0, RWF: 0, TND: 3, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export const minorUnit = (currency: string): number => MINOR_UNITS[currency.toUpperCase()] ?? 2;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** The amount in whole minor units, rounded half up (away from zero) when it has more places; null if not a decimal. */
export function toMinor(amount: string, currency: string): bigint | null {
  const match = DECIMAL.exec(amount.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const places = minorUnit(currency);
  const kept = (fraction + "0".repeat(places)).slice(0, places);
  let units = BigInt(whole + kept);
  if (fraction.length > places && Number(fraction[places]) >= 5) units += 1n;
  return sign ? -units : units;
}

/** Whole minor units back to a decimal string at the currency's minor unit ("1234.50", JPY "1200"). */
export function fromMinor(units: bigint, currency: string): string {
  const places = minorUnit(currency);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(places + 1, "0");
  const whole = places ? digits.slice(0, -places) : digits;
  const text = places ? `${whole}.${digits.slice(-places)}` : whole;
  return negative ? `-${text}` : text;
}

/** "1,234.50 EUR": digits grouped by thousands, at the currency's minor unit; "—" for an amount not known. */
export function formatMoney(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || !currency) return "—";
  const units = toMinor(amount, currency);
  if (units === null) return `${amount} ${currency}`;
  const text = fromMinor(units, currency);
  const [whole = "", fraction] = text.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${text.startsWith("-") ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""} ${currency}`;
}

/** The exact sum of amounts in one currency, at its minor unit; null when one of them is not known. */
export function sumMoney(amounts: Array<string | null | undefined>, currency: string): string | null {
  let total = 0n;
  for (const amount of amounts) {
    const units = amount === null || amount === undefined ? null : toMinor(amount, currency);
    if (units === null) return null;
    total += units;
  }
  return fromMinor(total, currency);
}

/** A unit price times a whole quantity, exactly (the line total a person can check by hand). */
export function timesQuantity(amount: string | null | undefined, quantity: number, currency: string): string | null {
  const units = amount === null || amount === undefined ? null : toMinor(amount, currency);
  return units === null || !Number.isInteger(quantity) ? null : fromMinor(units * BigInt(quantity), currency);
}
