/**
 * Exact decimal arithmetic for margins and prices: a decimal string becomes a whole number of units at some scale
 * (BigInt), so "0.10" stays 0.10 and a preview is the same figure the API computes. Nothing goes through a float.
 */
import { minorUnit } from "../../lib/money";

/** `units / 10^scale`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))$/;

/** A decimal written in digits ("12", "-0.5", "7.", ".25"); null for anything else. */
export function parseDecimal(text: string): Decimal | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign, whole = "", fractionAfterWhole, fractionAlone] = match;
  const fraction = fractionAfterWhole ?? fractionAlone ?? "";
  const units = BigInt((whole || "0") + fraction);
  return { units: sign === "-" ? -units : units, scale: fraction.length };
}

const TEN = 10n;
const pow10 = (n: number): bigint => TEN ** BigInt(n);

function atScale(value: Decimal, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) + atScale(b, scale), scale };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** Half up (ties away from zero, as the API rounds) to `places` decimal places. */
export function roundHalfUp(value: Decimal, places: number): Decimal {
  if (value.scale <= places) return { units: atScale(value, places), scale: places };
  const divisor = pow10(value.scale - places);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale: places };
}

/** The decimal as written at its own scale ("24.200", "-0.05", "3"). */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, "0");
  const text = value.scale > 0 ? `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** Without trailing zeros after the point ("12.50" → "12.5", "10.00" → "10"). */
export function trimDecimal(value: Decimal): string {
  let { units, scale } = value;
  while (scale > 0 && units % TEN === 0n) {
    units /= TEN;
    scale -= 1;
  }
  return formatDecimal({ units, scale });
}

/** A percentage as a person types it, as the decimal fraction the API takes: "12" → "0.12", "12.5" → "0.125",
 * "-5" → "-0.05". Null when it is not a number written in digits. */
export function percentToFraction(percent: string): string | null {
  const value = parseDecimal(percent);
  if (!value) return null;
  return formatDecimal({ units: value.units, scale: value.scale + 2 });
}

/** A decimal fraction as a percentage: "0.12" → "12", "0.125" → "12.5", "1" → "100". Null when not a decimal. */
export function fractionToPercent(fraction: string): string | null {
  const value = parseDecimal(fraction);
  if (!value) return null;
  const scale = value.scale - 2;
  return trimDecimal(scale >= 0 ? { units: value.units, scale } : { units: value.units * pow10(-scale), scale: 0 });
}

/** The supplier's price times (1 + margin), unrounded: what the API carries between tiers. Null when either is not
 * a decimal. */
export function applyMarginExact(price: string, margin: string): string | null {
  const amount = parseDecimal(price);
  const fraction = parseDecimal(margin);
  if (!amount || !fraction) return null;
  return formatDecimal(multiply(amount, add({ units: 1n, scale: 0 }, fraction)));
}

/** An amount rounded half up to its currency's minor unit ("24.2" USD → "24.20", "1200.4" JPY → "1200"). */
export function roundToCurrency(amount: string, currency: string): string | null {
  const value = parseDecimal(amount);
  return value ? formatDecimal(roundHalfUp(value, minorUnit(currency))) : null;
}

/** The price the API shows for a margin over the supplier's price: price × (1 + margin), rounded half up at the
 * currency's minor unit. Null when the price or the margin is not a decimal. */
export function applyMargin(price: string, margin: string, currency: string): string | null {
  const exact = applyMarginExact(price, margin);
  return exact === null ? null : roundToCurrency(exact, currency);
}
