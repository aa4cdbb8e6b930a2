/**
 * What an audit entry changed: the top-level fields of the entity whose value differs between its snapshot
 * before and after the change. A created entity has only an after, a removed one only a before.
 */
/** A recorded snapshot's value (the generated schema's JsonValue, which its circular definition leaves untyped). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface FieldChange {
  field: string;
  /** The value before, as text; absent when the field did not exist before (a creation). */
  before?: string;
  /** The value after, as text; absent when the field no longer exists (a removal). */
  after?: string;
}

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so two equal values always give the same text. */
function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? null)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A value as a person reads it: strings as they are, null as "null", lists and objects as compact JSON. */
export function compact(value: JsonValue): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The snapshot as fields: an object is its fields; anything else (a bare value) is one field named "value". */
function fieldsOf(snapshot: JsonValue): JsonObject | null {
  if (snapshot === null) return null;
  return isObject(snapshot) ? snapshot : { value: snapshot };
}

/** The fields changed, in the entity's own order (those only before at the end). */
export function diffSnapshots(before: JsonValue, after: JsonValue): FieldChange[] {
  const old = fieldsOf(before);
  const now = fieldsOf(after);
  const names = [...Object.keys(now ?? {}), ...Object.keys(old ?? {}).filter((name) => !(now && name in now))];
  const changes: FieldChange[] = [];
  for (const field of names) {
    const had = old !== null && field in old;
    const has = now !== null && field in now;
    const was = had ? (old[field] ?? null) : undefined;
    const is = has ? (now[field] ?? null) : undefined;
    if (was !== undefined && is !== undefined && canonical(was) === canonical(is)) continue;
    // A created or removed entity lists what it held, without the fields it had no value for.
    if ((old === null && is === null) || (now === null && was === null)) continue;
    const change: FieldChange = { field };
    if (was !== undefined) change.before = compact(was);
    if (is !== undefined) change.after = compact(is);
    changes.push(change);
  }
  return changes;
}
