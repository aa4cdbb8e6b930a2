/** The seat form's guard: what a requested quantity means before it is sent (the API still decides). */

export type SeatCheck =
  | { kind: "invalid"; message: string }
  | { kind: "same" }
  | { kind: "add"; delta: number }
  | { kind: "remove"; delta: number; allowed: boolean; message: string | null };

export const MAX_SEATS = 100_000;

export function checkSeats(text: string, current: number, removable: number): SeatCheck {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { kind: "invalid", message: "Enter a whole number of seats." };
  const requested = Number(trimmed);
  if (requested < 1) return { kind: "invalid", message: "A subscription keeps at least 1 seat; cancel it instead." };
  if (requested > MAX_SEATS) return { kind: "invalid", message: `At most ${MAX_SEATS} seats.` };
  if (requested === current) return { kind: "same" };
  if (requested > current) return { kind: "add", delta: requested - current };
  const delta = current - requested;
  const allowed = delta <= removable;
  const message = allowed
    ? null
    : removable === 0
      ? "No seat can be removed now: seats can be removed only within 168 hours of being bought or renewed. The request may be refused."
      : `Only ${removable} ${removable === 1 ? "seat" : "seats"} can be removed now (seats can be removed only within 168 hours of being bought or renewed). The request may be refused.`;
  return { kind: "remove", delta, allowed, message };
}
