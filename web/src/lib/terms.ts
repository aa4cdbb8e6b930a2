/** A term as Partner Center writes it (ISO 8601): "P1Y" reads "1 year", "P3Y" "3 years", "P1M" "1 month". */
const UNITS: Record<string, [string, string]> = { Y: ["year", "years"], M: ["month", "months"], D: ["day", "days"] };

export function termLabel(duration: string): string {
  const match = /^P(\d+)([YMD])$/i.exec(duration);
  if (!match) return duration || "—";
  const count = Number(match[1]);
  const [one, many] = UNITS[(match[2] ?? "").toUpperCase()] ?? ["", ""];
  return `${count} ${count === 1 ? one : many}`;
}
