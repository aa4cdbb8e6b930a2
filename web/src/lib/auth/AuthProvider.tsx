/** Holds who is signed in (MSAL or development sign-in) and gives the API client its tokens. */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { setTokenSource } from "../api/client";
import { problemOf } from "../api/problem";
import { loadConsoleConfig, type ConsoleConfig } from "./config";
import { AuthContext, type Auth, type AuthState } from "./context";
import { DevSignIn, readDevSession } from "./dev";
import { MSAL_MODE_KEY, RETURN_TO_KEY, msalMayHaveSession, startMsal, type MsalSignIn } from "./msal";

function messageOf(error: unknown): string {
  return problemOf(error)?.detail || "Something went wrong.";
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [state, setState] = useState<AuthState>({ status: "starting" });
  const [attempt, setAttempt] = useState(0);
  const started = useRef(-1);
  const dev = useRef<DevSignIn | null>(null);
  const msal = useRef<MsalSignIn | null>(null);
  const config = useRef<ConsoleConfig | null>(null);

  useEffect(() => {
    if (started.current === attempt) return; // StrictMode runs effects twice: start once per attempt
    started.current = attempt;
    void (async () => {
      let loaded: ConsoleConfig;
      try {
        loaded = await loadConsoleConfig();
      } catch (error) {
        setState({ status: "unavailable", error: messageOf(error) });
        return;
      }
      config.current = loaded;
      const session = readDevSession();
      if (session && loaded.devSignIn) {
        const engine = new DevSignIn(session);
        dev.current = engine;
        setTokenSource(engine);
        setState({ status: "signedIn", config: loaded, mode: "dev", userId: session.userId });
        return;
      }
      if (session) new DevSignIn(session).signOut(); // the API no longer offers it: drop the stale session
      if (loaded.auth.clientId && msalMayHaveSession()) {
        try {
          const engine = await startMsal(loaded.auth);
          msal.current = engine;
          const userId = engine.userId;
          if (userId) {
            setTokenSource(engine);
            setState({ status: "signedIn", config: loaded, mode: "msal", userId });
            const returnTo = sessionStorage.getItem(RETURN_TO_KEY);
            sessionStorage.removeItem(RETURN_TO_KEY);
            if (returnTo && returnTo.startsWith("/") && !returnTo.startsWith("//")) navigate(returnTo, { replace: true });
            return;
          }
          sessionStorage.removeItem(MSAL_MODE_KEY);
        } catch (error) {
          sessionStorage.removeItem(MSAL_MODE_KEY);
          setState({ status: "signedOut", config: loaded, error: `Sign-in with Microsoft failed: ${messageOf(error)}` });
          return;
        }
      }
      setState({ status: "signedOut", config: loaded, error: null });
    })();
  }, [attempt, navigate]);

  useEffect(() => () => dev.current?.dispose(), []);

  const signInDev = useCallback(
    async (userId: string) => {
      const loaded = config.current;
      if (!loaded) throw new Error("The console is still starting.");
      const engine = dev.current ?? new DevSignIn(null);
      const session = await engine.signIn(userId);
      dev.current = engine;
      queryClient.clear();
      setTokenSource(engine);
      setState({ status: "signedIn", config: loaded, mode: "dev", userId: session.userId });
    },
    [queryClient],
  );

  const signInMicrosoft = useCallback(async (returnTo?: string) => {
    const loaded = config.current;
    if (!loaded) throw new Error("The console is still starting.");
    if (!loaded.auth.clientId) throw new Error("Sign-in with Microsoft is not configured for this console.");
    const engine = msal.current ?? (await startMsal(loaded.auth));
    msal.current = engine;
    await engine.signIn(returnTo);
  }, []);

  const signOut = useCallback(async () => {
    const loaded = config.current;
    setTokenSource(null);
    queryClient.clear();
    if (state.status === "signedIn" && state.mode === "msal" && msal.current) {
      await msal.current.signOut();
      return;
    }
    dev.current?.signOut();
    if (loaded) setState({ status: "signedOut", config: loaded, error: null });
    navigate("/sign-in", { replace: true });
  }, [navigate, queryClient, state]);

  const retry = useCallback(() => {
    setState({ status: "starting" });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Auth>(
    () => ({ state, signInDev, signInMicrosoft, signOut, retry }),
    [state, signInDev, signInMicrosoft, signOut, retry],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
