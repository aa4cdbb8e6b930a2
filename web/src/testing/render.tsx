/** Renders a piece of the console with what it needs around it: theme, query client, router, the member. */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { MeContext, type Me } from "../lib/auth/me";

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
}

export const members = {
  operator: { userId: "op-0001-aaaa", orgType: "operator", orgId: "platform", role: "operator" },
  providerAdmin: { userId: "pa-0001-aaaa", orgType: "provider", orgId: "prov-1", role: "provider.admin" },
  providerStaff: { userId: "ps-0001-aaaa", orgType: "provider", orgId: "prov-1", role: "provider.staff" },
  resellerAdmin: { userId: "ra-0001-aaaa", orgType: "reseller", orgId: "res-1", role: "reseller.admin" },
  resellerStaff: { userId: "rs-0001-aaaa", orgType: "reseller", orgId: "res-1", role: "reseller.staff" },
  customerAdmin: { userId: "ca-0001-aaaa", orgType: "customer", orgId: "cus-1", role: "customer.admin" },
} satisfies Record<string, Me>;

export function renderWith(
  ui: ReactElement,
  { route = "/", path = "*", me = members.providerAdmin as Me }: { route?: string; path?: string; me?: Me } = {},
) {
  const queryClient = testQueryClient();
  const wrap = (children: ReactNode) => (
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[route]}>
          <MeContext.Provider value={me}>
            <Routes>
              <Route path={path} element={children} />
            </Routes>
          </MeContext.Provider>
        </MemoryRouter>
      </QueryClientProvider>
    </FluentProvider>
  );
  return { queryClient, ...render(wrap(ui)) };
}
