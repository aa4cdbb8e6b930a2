import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json } from "../../testing/fetch";
import { DEV_SESSION_KEY, DevSignIn, RENEW_BEFORE_MS } from "./dev";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the development sign-in", () => {
  it("re-mints the token for the same user a few minutes before it expires", async () => {
    vi.useFakeTimers();
    const now = Date.now();
    const api = fakeApi({
      "POST /api/dev/token": () =>
        json({ accessToken: "second", expiresOn: new Date(now + 2 * 3600_000).toISOString(), userId: "u-1" }),
    });
    const expiresOn = new Date(now + 20 * 60_000).toISOString();
    const dev = new DevSignIn({ accessToken: "first", expiresOn, userId: "u-1" });
    expect(await dev.getToken()).toBe("first");

    await vi.advanceTimersByTimeAsync(20 * 60_000 - RENEW_BEFORE_MS - 1000);
    expect(api.calls("POST /api/dev/token")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(api.calls("POST /api/dev/token")).toHaveLength(1);
    expect(await api.calls("POST /api/dev/token")[0]!.json()).toEqual({ userId: "u-1" });
    expect(await dev.getToken()).toBe("second");
    expect(JSON.parse(sessionStorage.getItem(DEV_SESSION_KEY)!).accessToken).toBe("second");
    dev.dispose();
  });

  it("forgets the session on sign-out", async () => {
    const dev = new DevSignIn({ accessToken: "t", expiresOn: new Date(Date.now() + 3600_000).toISOString(), userId: "u-1" });
    dev.signOut();
    expect(await dev.getToken()).toBeNull();
    expect(sessionStorage.getItem(DEV_SESSION_KEY)).toBeNull();
  });
});
