/** GET /api/config: how people sign in, read before anyone is signed in. */
import { publicApi, unwrap, type Schemas } from "../api/client";

export type ConsoleConfig = Schemas["ConsoleConfig"];

export function loadConsoleConfig(): Promise<ConsoleConfig> {
  return unwrap(publicApi.GET("/api/config", { cache: "no-store" }));
}
