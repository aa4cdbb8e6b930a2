/**
 * Sign-in with Microsoft (Entra ID; the sandbox's https authority locally) through MSAL.js, loaded on demand so
 * the main bundle stays small. Redirect flows only: loginRedirect, handleRedirectPromise at start,
 * acquireTokenSilent before each call with an acquireTokenRedirect fallback, logoutRedirect.
 */
import type { AccountInfo, IPublicClientApplication } from "@azure/msal-browser";
import type { ConsoleConfig } from "./config";

/** Set before a redirect to the authority, so the next start knows to finish it. */
export const MSAL_MODE_KEY = "csp.signInMode";
export const RETURN_TO_KEY = "csp.returnTo";

export interface MsalSignIn {
  account: AccountInfo | null;
  userId: string | null;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  getToken(): Promise<string | null>;
  renewToken(): Promise<string | null>;
}

/** Whether this start may be the end of an MSAL redirect (or an MSAL session is already open in this tab). */
export function msalMayHaveSession(): boolean {
  try {
    if (sessionStorage.getItem(MSAL_MODE_KEY) === "msal") return true;
  } catch {
    // sessionStorage unavailable: fall through
  }
  const where = `${window.location.hash}${window.location.search}`;
  return /[#?&](code|error)=/.test(where) && /[#?&]state=/.test(where);
}

function userIdOf(account: AccountInfo | null): string | null {
  if (!account) return null;
  const oid = account.idTokenClaims?.oid;
  return typeof oid === "string" && oid ? oid : account.localAccountId || account.homeAccountId || null;
}

export async function startMsal(auth: ConsoleConfig["auth"]): Promise<MsalSignIn> {
  const msal = await import("@azure/msal-browser");
  const origin = window.location.origin;
  const pca: IPublicClientApplication = new msal.PublicClientApplication({
    auth: {
      clientId: auth.clientId,
      authority: auth.authority,
      knownAuthorities: auth.knownAuthorities,
      redirectUri: `${origin}/`,
      postLogoutRedirectUri: `${origin}/`,
    },
    cache: { cacheLocation: msal.BrowserCacheLocation.SessionStorage },
  });
  await pca.initialize();
  const result = await pca.handleRedirectPromise();
  if (result?.account) pca.setActiveAccount(result.account);
  else if (!pca.getActiveAccount()) {
    const [first] = pca.getAllAccounts();
    if (first) pca.setActiveAccount(first);
  }
  const scopes = auth.scopes;

  const signIn: MsalSignIn = {
    get account() {
      return pca.getActiveAccount();
    },
    get userId() {
      return userIdOf(pca.getActiveAccount());
    },
    async signIn(returnTo?: string) {
      sessionStorage.setItem(MSAL_MODE_KEY, "msal");
      if (returnTo) sessionStorage.setItem(RETURN_TO_KEY, returnTo);
      await pca.loginRedirect({ scopes });
    },
    async signOut() {
      sessionStorage.removeItem(MSAL_MODE_KEY);
      const account = pca.getActiveAccount();
      await pca.logoutRedirect(account ? { account } : undefined);
    },
    async getToken() {
      const account = pca.getActiveAccount();
      if (!account) return null;
      try {
        const token = await pca.acquireTokenSilent({ scopes, account });
        return token.accessToken;
      } catch (error) {
        if (error instanceof msal.InteractionRequiredAuthError) {
          await pca.acquireTokenRedirect({ scopes, account });
          throw new Error("Signing in again with Microsoft…");
        }
        throw error;
      }
    },
    async renewToken() {
      const account = pca.getActiveAccount();
      if (!account) return null;
      try {
        const token = await pca.acquireTokenSilent({ scopes, account, forceRefresh: true });
        return token.accessToken;
      } catch {
        return null;
      }
    },
  };
  return signIn;
}
