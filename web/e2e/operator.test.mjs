// The operator's first day in a browser: sign in, enroll a provider, send a partner admin through the consent
// step and come back to the provider's page, then add the provider's first admin.
import assert from "node:assert/strict";
import { CONSOLE_URL, browserTest, control, newId, operatorId, signInAs, visited } from "./support.mjs";

browserTest("the operator enrolls a provider through the consent step and adds its first admin", async ({ page }) => {
  const operator = await operatorId();
  const name = `Northwind ${newId("d").slice(2, 10)}`;
  const app = await control("POST", "providers", { name });

  await signInAs(page, operator, "/");
  await page.getByRole("heading", { name: "Providers", level: 1 }).waitFor();
  await page.getByText("operator", { exact: false }).first().waitFor();
  await visited(page, "operator-providers");

  await page.getByRole("button", { name: "Enroll a provider" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Tenant ID").fill(app.tenantId);
  await dialog.getByLabel("Client ID").fill(app.clientId);
  await dialog.getByLabel("Client secret reference").fill(app.clientSecretRef);
  await visited(page, "operator-enroll-dialog");
  await dialog.getByRole("button", { name: "Enroll" }).click();

  // No refresh token yet: the provider waits for a partner admin's consent.
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await page.getByText("consentRequired").first().waitFor();
  const providerPath = new URL(page.url()).pathname;
  assert.match(providerPath, /^\/providers\/[^/]+$/);
  await visited(page, "operator-provider-consent-required");

  // The partner admin signs in at the authority and consents; the browser comes back with the outcome.
  await page.getByRole("button", { name: "Give consent" }).click();
  await page.waitForURL((url) => url.pathname === providerPath && url.searchParams.get("consent") === "enrolled");
  await page.getByText("Consent recorded: the provider is enrolled").waitFor();
  await page.getByText("enrolled", { exact: true }).first().waitFor();
  await visited(page, "operator-provider-enrolled");

  // The provider's first admin, added on the members page.
  const admin = newId("northwind-admin");
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByRole("heading", { name: "Members", level: 1 }).waitFor();
  await page.getByLabel("Organisation type").selectOption("provider");
  await page.getByLabel("Provider", { exact: true }).selectOption({ label: name });
  await page.getByRole("textbox", { name: /^User id/ }).fill(admin);
  await page.getByLabel("Role", { exact: true }).selectOption("provider.admin");
  await page.getByRole("button", { name: "Add member" }).click();
  await page.getByText(`${admin} is now a member (provider.admin).`).waitFor();
  await page.getByRole("cell", { name: admin, exact: true }).waitFor();
  await visited(page, "operator-members");
  assert.equal(page.url().startsWith(CONSOLE_URL), true);
});
