// What the browser tests share: Debian's chromium driven by playwright-core against a running local stack
// (tests/e2e/test_console.py starts it and passes its addresses), the sandbox's control routes that play the
// other parties, an axe-core check and a screenshot of every page.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

export const CONSOLE_URL = required("CONSOLE_URL").replace(/\/$/, "");
export const API = `${CONSOLE_URL}/api`;
export const SANDBOX_URL = required("SANDBOX_URL").replace(/\/$/, "");
const SCREENSHOTS = process.env.SCREENSHOTS ?? "screenshots";
export const WAIT = { timeout: 90_000 }; // a busy 2-core machine: generous, and never a fixed sleep

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/e2e/test_console.py`);
  return value;
}

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  // The sandbox's https authority uses its development CA: only the MSAL path goes there.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT.timeout);
  const page = await context.newPage();
  countRequests(page);
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  return { browser, context, page, errors };
}

/** Keeps count of the page's requests still on their way (`page.requestsInFlight()`), so a check can wait for the
 * page to settle rather than for a fixed time. */
function countRequests(page) {
  let inFlight = 0;
  const settled = () => {
    inFlight = Math.max(0, inFlight - 1);
  };
  page.on("request", () => {
    inFlight += 1;
  });
  page.on("requestfinished", settled);
  page.on("requestfailed", settled);
  page.requestsInFlight = () => inFlight;
}

/** A test with its own browser: a screenshot of where it stood when it failed, and the browser always closed. */
export function browserTest(title, body) {
  test(title, async () => {
    const session = await launch();
    try {
      await body(session);
      assert.deepEqual(session.errors, [], "the page threw");
    } catch (error) {
      await screenshot(session.page, `failed-${title.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`).catch(() => {});
      throw new Error(`${error.message}\n(at ${session.page.url()})`, { cause: error });
    } finally {
      await session.browser.close();
    }
  });
}

/** The sandbox playing Microsoft and the other parties (resellers and customers accepting, ...). */
export async function control(method, path, body) {
  const answer = await fetch(`${SANDBOX_URL}/_sandbox/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  assert.ok(answer.ok, `${method} ${path}: ${answer.status} ${text}`);
  return JSON.parse(text);
}

/** Set-up through the public API (what a test is not about), with a token from the development sign-in. */
export async function api(userId, method, path, body) {
  const minted = await fetch(`${API}/dev/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  const mintedText = await minted.text();
  assert.equal(minted.status, 200, mintedText);
  const { accessToken } = JSON.parse(mintedText);
  const answer = await fetch(`${API}${path}`, {
    method,
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json", "Idempotency-Key": randomUUID() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  assert.ok(answer.ok, `${method} ${path}: ${answer.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function operatorId() {
  const people = await (await fetch(`${API}/dev/people`)).json();
  const operator = people.items.find((p) => p.orgType === "operator");
  assert.ok(operator, "the stack seeds an operator");
  return operator.userId;
}

export const newId = (prefix) => `${prefix}-${randomUUID()}`;
export const partnerId = () => String(1_000_000 + Math.floor(Math.random() * 8_999_999));
export const domain = (prefix) => `${prefix}${randomUUID().slice(0, 10)}.onmicrosoft.com`;

/** A provider enrolled through the API (both grants), with an admin member. */
export async function enrolledProvider(operator, name) {
  const app = await control("POST", "providers", { name });
  const provider = await api(operator, "POST", "/providers", {
    name,
    partnerCenter: { tenantId: app.tenantId, clientId: app.clientId, clientSecretRef: app.clientSecretRef,
      refreshTokenRef: app.refreshTokenRef },
  });
  const admin = newId("provider-admin");
  await api(operator, "POST", "/members", { userId: admin, orgType: "provider", orgId: provider.id, role: "provider.admin" });
  return { app, provider, admin };
}

/** Signs in on the development sign-in page as the member listed with this id. */
export async function signInAs(page, userId, path = "/") {
  await page.goto(`${CONSOLE_URL}${path}`);
  await page.getByRole("heading", { name: "Development sign-in" }).waitFor();
  const person = page.getByRole("list", { name: "Members" }).getByRole("listitem").filter({ hasText: userId });
  await person.getByRole("button", { name: /^Sign in as / }).click();
}

export async function signInWithId(page, userId) {
  await page.goto(`${CONSOLE_URL}/`);
  await page.getByRole("heading", { name: "Development sign-in" }).waitFor();
  await page.getByRole("textbox", { name: "User id" }).fill(userId);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** No serious or critical accessibility violation (Fluent's focus-trap markers are hidden on purpose). */
export async function checkAccessibility(page, name) {
  // Check the page at rest: a dialog still fading in, or a button turning from its disabled grey back to its colour
  // as the request it started comes back, has no contrast to speak of. So the page's requests settle first, the
  // pointer leaves the content, and then no animation or transition is running.
  if (page.requestsInFlight) {
    const deadline = Date.now() + WAIT.timeout;
    while (page.requestsInFlight() > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  }
  await page.mouse.move(0, 0);
  // two frames: what the last answer changes is rendered, and its transitions have started, before they are awaited
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  const results = await new AxeBuilder({ page }).exclude("[data-tabster-dummy]").analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `accessibility violations on ${name}`,
  );
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Every page the tests visit is checked and pictured the same way. */
export async function visited(page, name) {
  await checkAccessibility(page, name);
  await screenshot(page, name);
}

/** Reloads until the text shows (the platform converges asynchronously: a check runs on the queue). */
export async function reloadUntil(page, locator, { timeout = WAIT.timeout } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await locator().isVisible()) return;
    if (Date.now() > deadline) throw new Error(`not shown in time: ${locator()}`);
    await page.waitForTimeout(1000);
    await page.reload();
    await page.waitForLoadState("networkidle").catch(() => {});
  }
}

/** Reads until `accept` holds (a state reached asynchronously), for up to `timeout` ms; never a fixed wait. */
export async function eventually(read, accept, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`did not converge: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Cents of a USD decimal string, exactly. */
export function cents(amount) {
  const [whole, fraction = ""] = amount.split(".");
  return BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2));
}

/** As the console writes money: "1,234.50 USD". */
export function usd(units) {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${whole}.${(abs % 100n).toString().padStart(2, "0")} USD`;
}
