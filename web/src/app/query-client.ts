import { QueryClient } from "@tanstack/react-query";
import { isApiError } from "../lib/api/problem";

/** 4xx answers are final (retrying a 403 or a 404 changes nothing); other failures get two more tries. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => {
          if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
          return failures < 2;
        },
        refetchOnWindowFocus: false,
        staleTime: 10 * 1000,
      },
      mutations: { retry: false },
    },
  });
}
