/** The one API client: openapi-fetch over the generated types, with the bearer token added by the auth layer. */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { ApiError } from "./problem";

export type { paths, components } from "./schema";
export type Schemas = components["schemas"];

/** Where tokens come from; the auth layer installs the active sign-in (MSAL or development). */
export interface TokenSource {
  getToken(): Promise<string | null>;
  /** A fresh token after the API answered 401 (null when none can be had). */
  renewToken(): Promise<string | null>;
}

const anonymous: TokenSource = { getToken: async () => null, renewToken: async () => null };
let tokens: TokenSource = anonymous;

export function setTokenSource(source: TokenSource | null): void {
  tokens = source ?? anonymous;
}

function origin(): string {
  return typeof window === "undefined" ? "http://localhost" : window.location.origin;
}

/** Sends a request with the current bearer token; on a 401 renews the token once and sends it again. */
export async function authFetch(request: Request): Promise<Response> {
  const spare = request.clone();
  const token = await tokens.getToken();
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  const first = await fetch(request);
  if (first.status !== 401 || !token) return first;
  const renewed = await tokens.renewToken().catch(() => null);
  if (!renewed) return first;
  spare.headers.set("Authorization", `Bearer ${renewed}`);
  return fetch(spare);
}

/** The authenticated client (every route but config and the development sign-in). */
export const api = createClient<paths>({ baseUrl: origin(), fetch: authFetch });

/** For routes that take no token: /api/config and /api/dev/*. */
export const publicApi = createClient<paths>({ baseUrl: origin(), fetch: (request) => fetch(request) });

type Result<D> = { data?: D; error?: unknown; response: Response };

/** Resolves an openapi-fetch call to its data, or throws an ApiError built from the problem details. */
export async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  let result: Result<D>;
  try {
    result = await call;
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw ApiError.from(response, error);
  return data as D;
}

/** A plain fetch through the same auth wrapper, for what the generated client cannot express. */
export async function authJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await authFetch(new Request(new URL(path, origin()), init));
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) throw ApiError.from(response, body);
  return body as T;
}

/** A new Idempotency-Key value (uuid). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}-${Math.random().toString(16).slice(2)}`;
}
