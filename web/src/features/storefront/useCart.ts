/** The cart kept in the browser's session storage, one per customer: it survives a reload and a visit to another
 * store page, and is gone when the tab closes. Every component reading it sees the same lines. */
import { useCallback, useSyncExternalStore } from "react";
import type { CatalogItem } from "./api/storefront";
import { addToCart, removeLine, setPromotion, setQuantity, type CartLine, type CartPromotion } from "./cart";

const listeners = new Set<() => void>();
const snapshots = new Map<string, { raw: string | null; lines: CartLine[] }>();

const storageKey = (customerId: string) => `storefront-cart:${customerId}`;

function read(customerId: string): CartLine[] {
  const key = storageKey(customerId);
  let raw: string | null = null;
  try {
    raw = window.sessionStorage.getItem(key);
  } catch {
    raw = null;
  }
  const cached = snapshots.get(key);
  if (cached && cached.raw === raw) return cached.lines;
  let lines: CartLine[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    lines = Array.isArray(parsed) ? (parsed as CartLine[]).filter((line) => line?.item?.catalogItemId) : [];
  } catch {
    lines = [];
  }
  snapshots.set(key, { raw, lines });
  return lines;
}

function write(customerId: string, lines: CartLine[]) {
  try {
    if (lines.length) window.sessionStorage.setItem(storageKey(customerId), JSON.stringify(lines));
    else window.sessionStorage.removeItem(storageKey(customerId));
  } catch {
    // storage refused (private mode, full): the cart lasts as long as the page
    snapshots.set(storageKey(customerId), { raw: null, lines });
  }
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCart(customerId: string) {
  const lines = useSyncExternalStore(subscribe, () => read(customerId));
  const update = useCallback(
    (change: (current: CartLine[]) => CartLine[]) => write(customerId, change(read(customerId))),
    [customerId],
  );
  return {
    lines,
    add: (item: CatalogItem, quantity: number) => update((current) => addToCart(current, item, quantity)),
    setQuantity: (catalogItemId: string, quantity: number) => update((current) => setQuantity(current, catalogItemId, quantity)),
    promote: (catalogItemId: string, promotion: CartPromotion | null) =>
      update((current) => setPromotion(current, catalogItemId, promotion)),
    remove: (catalogItemId: string) => update((current) => removeLine(current, catalogItemId)),
    clear: () => update(() => []),
  };
}
