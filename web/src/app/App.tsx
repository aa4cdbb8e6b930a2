import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { BrowserRouter } from "react-router";
import { AuthProvider } from "../lib/auth/AuthProvider";
import { createQueryClient } from "./query-client";
import { AppRoutes } from "./router";

/** Everything the pages rely on: the theme, server state, the URL, who is signed in. */
export function AppProviders({ children, queryClient }: { children: React.ReactNode; queryClient: QueryClient }) {
  return (
    <FluentProvider theme={webLightTheme} style={{ minHeight: "100vh" }}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>{children}</AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </FluentProvider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <AppProviders queryClient={queryClient}>
      <AppRoutes />
    </AppProviders>
  );
}
