/** GET /api/me: who the signed-in person is on this platform (403 when no member). */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { createContext, useContext } from "react";
import { api, unwrap, type Schemas } from "../api/client";

export type Me = Schemas["MeOut"];

export const meQuery = (userId: string) =>
  queryOptions({
    queryKey: ["me", userId],
    queryFn: () => unwrap(api.GET("/api/me")),
    staleTime: 5 * 60 * 1000,
    retry: false,
  });

export function useMeQuery(userId: string) {
  return useQuery(meQuery(userId));
}

/** The member, once known: pages under the signed-in layout read it from here. */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe is used outside the signed-in layout");
  return me;
}
