/**
 * The local stack's development sign-in: the API mints the same tokens Entra would for any user id.
 * The session ({accessToken, expiresOn, userId}) lives in sessionStorage; a timer re-mints it a few minutes
 * before it expires, and a 401 re-mints it once.
 */
import { publicApi, unwrap, type Schemas } from "../api/client";

export type DevPerson = Schemas["Person"];
export type DevSession = Schemas["DevTokenOut"];

export const DEV_SESSION_KEY = "csp.devSession";
/** Renew this long before expiresOn. */
export const RENEW_BEFORE_MS = 5 * 60 * 1000;
const MIN_DELAY_MS = 10 * 1000;

export const devPeopleKey = ["dev", "people"] as const;

/** "Sign in as provider provider.admin 1a2b3c4d": org type, role and the start of the user id. */
export function personLabel(person: Pick<DevPerson, "orgType" | "role" | "userId">): string {
  return `Sign in as ${person.orgType} ${person.role} ${person.userId.slice(0, 8)}`;
}

export async function listDevPeople(): Promise<DevPerson[]> {
  const page = await unwrap(publicApi.GET("/api/dev/people"));
  return page.items;
}

export function mintDevToken(userId: string): Promise<DevSession> {
  return unwrap(publicApi.POST("/api/dev/token", { body: { userId } }));
}

export function readDevSession(): DevSession | null {
  try {
    const raw = sessionStorage.getItem(DEV_SESSION_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<DevSession>;
    if (typeof value.accessToken !== "string" || typeof value.userId !== "string" || typeof value.expiresOn !== "string") {
      return null;
    }
    return value as DevSession;
  } catch {
    return null;
  }
}

function writeDevSession(session: DevSession | null): void {
  if (session) sessionStorage.setItem(DEV_SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(DEV_SESSION_KEY);
}

/** One development sign-in: keeps its token fresh and hands it to the API client. */
export class DevSignIn {
  private session: DevSession | null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private renewing: Promise<string | null> | null = null;

  constructor(session: DevSession | null = readDevSession()) {
    this.session = session;
    this.schedule();
  }

  get userId(): string | null {
    return this.session?.userId ?? null;
  }

  async signIn(userId: string): Promise<DevSession> {
    const session = await mintDevToken(userId.trim());
    this.replace(session);
    return session;
  }

  signOut(): void {
    this.replace(null);
  }

  async getToken(): Promise<string | null> {
    const session = this.session;
    if (!session) return null;
    const expires = Date.parse(session.expiresOn);
    if (Number.isFinite(expires) && expires - Date.now() < 30 * 1000) return this.renewToken();
    return session.accessToken;
  }

  /** Mints a new token for the same user (one at a time); null when that fails. */
  renewToken(): Promise<string | null> {
    const userId = this.session?.userId;
    if (!userId) return Promise.resolve(null);
    if (!this.renewing) {
      this.renewing = mintDevToken(userId)
        .then((session) => {
          if (this.session?.userId === userId) this.replace(session);
          return session.accessToken;
        })
        .catch(() => null)
        .finally(() => {
          this.renewing = null;
        });
    }
    return this.renewing;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private replace(session: DevSession | null): void {
    this.session = session;
    writeDevSession(session);
    this.schedule();
  }

  private schedule(): void {
    this.dispose();
    if (!this.session) return;
    const expires = Date.parse(this.session.expiresOn);
    if (!Number.isFinite(expires)) return;
    const delay = Math.max(MIN_DELAY_MS, expires - Date.now() - RENEW_BEFORE_MS);
    this.timer = setTimeout(() => {
      void this.renewToken();
    }, delay);
  }
}
