/** A fake API for component tests: routes by "METHOD /path", every call recorded with its Request. */
import { vi } from "vitest";

export type Handler = (request: Request) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}

export function problem(status: number, detail: string, errors?: { field: string; message: string }[]): Response {
  return json({ type: "about:blank", title: status === 422 ? "The request is not valid" : "Error", status, detail, errors }, status);
}

export interface FakeApi {
  fetch: ReturnType<typeof vi.fn>;
  /** The requests made to one route ("POST /api/dev/token"). */
  calls(route: string): Request[];
}

export function fakeApi(routes: Record<string, Handler>): FakeApi {
  const seen: { route: string; request: Request }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    seen.push({ route, request: request.clone() });
    const handler = routes[route];
    if (!handler) return problem(404, `no fake for ${route}`);
    return handler(request);
  });
  vi.stubGlobal("fetch", fetch);
  return { fetch, calls: (route) => seen.filter((s) => s.route === route).map((s) => s.request) };
}
