// The production sign-in path, against the sandbox playing Entra ID over https: MSAL.js redirects to the
// authority (authorization code with PKCE), the person picks an account, MSAL redeems the code across origins
// and the console calls the API with that token; a reload keeps the session (silent renewal), sign-out ends it.
import assert from "node:assert/strict";
import { CONSOLE_URL, browserTest, operatorId, visited } from "./support.mjs";

browserTest("the operator signs in with Microsoft (MSAL against the sandbox's authority)", async ({ page }) => {
  const operator = await operatorId();
  const config = await (await fetch(`${CONSOLE_URL}/api/config`)).json();
  assert.match(config.auth.authority, /^https:\/\//);

  await page.goto(`${CONSOLE_URL}/providers`);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.waitForURL((url) => url.href.startsWith(config.auth.authority));
  await page.getByRole("heading", { name: "Pick an account" }).waitFor();
  const authorize = new URL(page.url());
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.equal(authorize.searchParams.get("client_id"), config.auth.clientId);
  await page.getByRole("button", { name: `Operator — ${operator.slice(0, 8)}…` }).click();

  await page.waitForURL((url) => url.href.startsWith(CONSOLE_URL));
  await page.getByRole("heading", { name: "Providers", level: 1 }).waitFor();
  await page.getByText("Signed in: operator").waitFor();
  await visited(page, "msal-signed-in");

  await page.reload();
  await page.getByRole("heading", { name: "Providers", level: 1 }).waitFor();
  await page.getByText("Signed in: operator").waitFor();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.href.startsWith(CONSOLE_URL));
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
});
