/**
 * Hand-written types for API routes missing from the generated schema (schema.d.ts).
 *
 * Checked against the generated document at the last `npm run gen:api`: every route the console calls is
 * present there (/api/config, /api/dev/people, /api/dev/token, /api/providers/{id}/summary and the JSON
 * answer of /api/providers/{id}/consent included), so nothing is typed by hand today. When a route the
 * console needs is not yet in openapi.json, describe it here and call it with `authJson` from ./client,
 * then delete it from here once `gen:api` brings it in.
 */
export {};
