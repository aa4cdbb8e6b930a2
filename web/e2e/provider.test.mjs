// Provider staff's first day in a browser: the dashboard, a reseller invited and accepted, a customer invited
// under it and accepted, a new tenant created for it; each turns active on screen. The reseller and the
// customer accept on the sandbox's page for the other parties, in a second tab: no curl anywhere. Then reseller
// verification: a partner ID Partner Center does not know is refused on its field, and a reseller without the
// Microsoft Partner Agreement is shown flagged until a check after it signs.
import assert from "node:assert/strict";
import {
  SANDBOX_URL, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, reloadUntil, signInAs,
  visited,
} from "./support.mjs";

/** In another tab, as the reseller or the customer would: the sandbox's page for the other parties. */
async function asTheOtherParty(page, fill, button, name) {
  const tab = await page.context().newPage();
  try {
    await tab.goto(`${SANDBOX_URL}/`);
    await tab.getByRole("heading", { name: "The other parties", level: 1 }).waitFor();
    await fill(tab);
    await tab.getByRole("button", { name: button }).click();
    await tab.getByRole("status").waitFor();
    await visited(tab, name);
  } finally {
    await tab.close();
  }
}

browserTest("provider staff invite a reseller and a customer and see both turn active", async ({ page }) => {
  const operator = await operatorId();
  const name = `Fabrikam ${newId("d").slice(2, 10)}`;
  const { app, admin } = await enrolledProvider(operator, name);

  await signInAs(page, admin, "/");
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  await page.getByText("Orders in flight").waitFor();
  await visited(page, "provider-dashboard");

  // A reseller, invited by partner ID; it accepts in Partner Center.
  const reseller = { partnerId: partnerId(), name: `Reseller ${newId("r").slice(2, 8)}` };
  await page.getByRole("link", { name: "Resellers" }).click();
  await page.getByRole("heading", { name: "Resellers", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Invite a reseller" }).click();
  const invite = page.getByRole("dialog");
  await invite.getByLabel("Partner ID").fill(reseller.partnerId);
  await invite.getByLabel("Name").fill(reseller.name);
  await invite.getByLabel("Contact email").fill("it@reseller.example");
  await visited(page, "provider-invite-reseller");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await page.getByText(`${reseller.name} is invited`).waitFor();
  await visited(page, "provider-resellers");
  await asTheOtherParty(page, async (tab) => {
    const form = tab.getByRole("region", { name: "A reseller accepts the provider's invitation" });
    await form.getByLabel("Provider").selectOption(app.tenantId);
    await form.getByLabel("The reseller's partner ID").fill(reseller.partnerId);
  }, "Accept as the reseller", "sandbox-reseller-accepts");
  await page.getByRole("link", { name: "Open the reseller" }).click();
  await page.getByRole("heading", { name: reseller.name, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Check relationship now" }).click();
  await reloadUntil(page, () => page.getByText("active", { exact: true }).first());
  await visited(page, "provider-reseller-active");

  // A customer invited by domain under that reseller; its admin accepts.
  const customer = { name: `Wingtip ${newId("c").slice(2, 8)}`, domain: domain("wingtip") };
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Invite a customer" }).click();
  const inviteCustomer = page.getByRole("dialog");
  await inviteCustomer.getByLabel("Reseller").selectOption({ label: reseller.name });
  await inviteCustomer.getByLabel("Name").fill(customer.name);
  await inviteCustomer.getByLabel("Domain", { exact: false }).first().fill(customer.domain);
  await inviteCustomer.getByLabel("Contact email").fill("it@wingtip.example");
  await visited(page, "provider-invite-customer");
  await inviteCustomer.getByRole("button", { name: "Send invitation" }).click();
  await page.getByRole("link", { name: customer.name }).waitFor();
  const invitationLink = await page.getByRole("link", { name: /^https:\/\/admin\.microsoft\.com\// }).textContent();
  await asTheOtherParty(page, async (tab) => {
    const form = tab.getByRole("region", { name: "A customer accepts a relationship request" });
    await form.getByLabel("Provider").selectOption(app.tenantId);
    await form.getByLabel("The invitation link the console shows").fill(invitationLink);
    await form.getByLabel("The customer's domain").fill(customer.domain);
    await form.getByLabel("Its country (the market)").fill("US");
  }, "Accept as the customer", "sandbox-customer-accepts");
  await page.getByRole("link", { name: customer.name }).click();
  await page.getByRole("heading", { name: customer.name, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Check relationship now" }).click();
  await reloadUntil(page, () => page.getByText("active", { exact: true }).first());
  await page.getByText("USD").first().waitFor(); // its market, read from Partner Center
  await visited(page, "provider-customer-active");

  // A new tenant made in Partner Center for the reseller, with its billing address.
  const tenant = `Contoso ${newId("t").slice(2, 8)}`;
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByRole("button", { name: "Create a new tenant" }).click();
  const create = page.getByRole("dialog");
  await create.getByLabel("Reseller").selectOption({ label: reseller.name });
  await create.getByLabel("Company name").fill(tenant);
  await create.getByLabel("Domain prefix").fill(`contoso${newId("p").slice(2, 10).replace(/-/g, "")}`);
  await create.getByLabel("Email", { exact: false }).first().fill("admin@contoso.example");
  await create.getByLabel("Country").fill("US");
  await create.getByLabel("City").fill("Redmond");
  await create.getByLabel("Address line 1").fill("1 Microsoft Way");
  await create.getByLabel("Postal code").fill("98052");
  await create.getByLabel("State (optional)").fill("WA");
  await create.getByLabel("First name").fill("Ada");
  await create.getByLabel("Last name").fill("Lovelace");
  await visited(page, "provider-create-tenant");
  await create.getByRole("button", { name: "Create tenant" }).click();
  await page.getByRole("link", { name: tenant }).click();
  await page.getByRole("heading", { name: tenant, level: 1 }).waitFor();
  await reloadUntil(page, () => page.getByText("active", { exact: true }).first());

  // The dashboard counts what just happened.
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  const summary = page.getByRole("main");
  await summary.getByText(/active\s*1/i).first().waitFor();
  await visited(page, "provider-dashboard-after");
  assert.ok(true);
});

browserTest("provider staff see an unknown partner ID refused and an unsigned reseller flagged until it signs", async ({ page }) => {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Northwind ${newId("d").slice(2, 10)}`);
  const unknown = partnerId();
  await control("PUT", `partners/${unknown}`, { known: false });
  const unsigned = { partnerId: partnerId(), name: `Reseller ${newId("r").slice(2, 8)}` };
  await control("PUT", `partners/${unsigned.partnerId}`, { agreementSigned: false });

  await signInAs(page, admin, "/resellers");
  await page.getByRole("heading", { name: "Resellers", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Invite a reseller" }).click();
  const invite = page.getByRole("dialog");
  await invite.getByLabel("Partner ID").fill(unknown);
  await invite.getByLabel("Name").fill(unsigned.name);
  await invite.getByLabel("Contact email").fill("it@reseller.example");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await invite.getByText("unknown partner ID").waitFor();
  assert.equal(await invite.getByLabel("Partner ID").getAttribute("aria-invalid"), "true");
  await visited(page, "provider-invite-unknown-partner");

  // The same form with a partner that has not signed the Partner Agreement: invited, and flagged.
  await invite.getByLabel("Partner ID").fill(unsigned.partnerId);
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await page.getByText(`${unsigned.name} is invited`).waitFor();
  await page.getByText(/cannot be partner of record/).first().waitFor();
  const row = page.getByRole("row").filter({ hasText: unsigned.name });
  await row.getByText("Partner Agreement not signed").waitFor();
  await visited(page, "provider-reseller-flagged");

  // Its page says why, while it has not signed (before it signs: the background check would clear the flag).
  await page.getByRole("link", { name: "Open the reseller" }).click();
  await page.getByRole("heading", { name: unsigned.name, level: 1 }).waitFor();
  await page.getByText(/accept the agreement in its own Partner Center account/).waitFor();
  await visited(page, "provider-reseller-flagged-page");

  // It signs in Partner Center and accepts the invitation; a check clears the flag and finds it active.
  await control("PUT", `partners/${unsigned.partnerId}`, { agreementSigned: true });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: unsigned.partnerId });
  await page.getByRole("button", { name: "Check relationship now" }).click();
  await reloadUntil(page, () => page.getByText("active", { exact: true }).first());
  assert.equal(await page.getByText("Partner Agreement not signed").count(), 0);
  await visited(page, "provider-reseller-signed");
});
