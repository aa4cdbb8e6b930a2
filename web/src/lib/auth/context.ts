import { createContext, useContext } from "react";
import type { ConsoleConfig } from "./config";

export type SignInMode = "dev" | "msal";

export type AuthState =
  | { status: "starting" }
  | { status: "unavailable"; error: string }
  | { status: "signedOut"; config: ConsoleConfig; error: string | null }
  | { status: "signedIn"; config: ConsoleConfig; mode: SignInMode; userId: string };

export interface Auth {
  state: AuthState;
  /** Development sign-in as any user id (only when the API offers it). */
  signInDev(userId: string): Promise<void>;
  /** Redirects to the authority; comes back to `returnTo` once signed in. */
  signInMicrosoft(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  /** Starts again (after /api/config could not be read). */
  retry(): void;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth needs an AuthProvider (or an AuthContext value in tests)");
  return auth;
}
