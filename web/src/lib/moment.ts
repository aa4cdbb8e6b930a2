/** Moments as every page writes them: in UTC to the minute ("2026-10-01 09:30 UTC"), the same for everyone who
 * reads the page, whatever their time zone (billing periods and windows are UTC). */
export function formatMoment(value: string | null | undefined): string {
  if (!value) return "—";
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return value;
  return `${parsed.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
