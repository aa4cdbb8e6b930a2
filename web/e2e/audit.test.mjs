// An organisation's admins in a browser: a reseller's audit trail on its page (invited, then active, with the
// fields that changed), the audit feed filtered by actor and a refused range, the provider's own members (one
// added, its role changed, removed; the last admin kept), and a reseller's admin who sees only its own members
// and its own scope, while its staff have neither menu entry.
import assert from "node:assert/strict";
import {
  api, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, signInAs, visited, WAIT,
} from "./support.mjs";

async function eventually(read, accept, timeout = WAIT.timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`did not converge: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function activeReseller(admin, app) {
  const id = partnerId();
  const name = `Reseller ${id}`;
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: id, name, contactEmail: "it@r.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: id });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  return { id: resellerId, name };
}

async function activeCustomer(admin, app, resellerId) {
  const customerDomain = domain("audit");
  const invited = await api(admin, "POST", "/customer-invitations", {
    resellerId, name: `Customer ${newId("c").slice(2, 8)}`, domain: customerDomain, contactEmail: "it@c.example",
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, url: invited.invitationUrl, domain: customerDomain, country: "US",
  });
  await api(admin, "POST", `/customers/${invited.id}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${invited.id}`), (c) => c.status === "active");
  return { id: invited.id, name: invited.name };
}

/** The provider, two active resellers (a customer accepted under the first), the first reseller's admin and staff:
 * made once, through the API, for every test of this file. */
let world = null;
async function build() {
  const operator = await operatorId();
  const { app, provider, admin } = await enrolledProvider(operator, `Audit ${newId("a").slice(2, 10)}`);
  const mine = await activeReseller(admin, app);
  const theirs = await activeReseller(admin, app);
  const customer = await activeCustomer(admin, app, mine.id);
  const resellerAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: resellerAdmin, orgType: "reseller", orgId: mine.id, role: "reseller.admin" });
  const resellerStaff = newId("reseller-staff");
  await api(resellerAdmin, "POST", "/members", {
    userId: resellerStaff, orgType: "reseller", orgId: mine.id, role: "reseller.staff",
  });
  return { provider, admin, mine, theirs, customer, resellerAdmin, resellerStaff };
}
const setUp = () => (world ??= build());

/** Waits until the condition holds on the page (a table replacing its previous page after a filter changed). */
async function until(condition, what) {
  const deadline = Date.now() + WAIT.timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const day = (daysAgo) => {
  const d = new Date();
  d.setDate(d.getDate() - daysAgo);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

browserTest("a provider admin reads a reseller's trail and the feed, and manages its own members", async ({ page }) => {
  const { admin, mine, theirs } = await setUp();

  // The reseller's page: invited by the admin, then active by the relationship check, field by field.
  await signInAs(page, admin, `/resellers/${mine.id}`);
  await page.getByRole("heading", { name: mine.name, level: 1 }).waitFor();
  const trail = page.getByRole("table", { name: "Audit trail" });
  const activated = trail.getByRole("row").filter({ hasText: "reseller.active" });
  await activated.waitFor();
  await activated.getByRole("listitem").filter({ hasText: /^status: invited → active$/ }).waitFor();
  await activated.getByRole("listitem").filter({ hasText: /^activatedAt: null → \d{4}-\d\d-\d\dT/ }).waitFor();
  await activated.getByRole("link", { name: "relationship-check" }).waitFor();
  const invited = trail.getByRole("row").filter({ hasText: "reseller.invited" });
  await invited.getByRole("link", { name: admin }).waitFor();
  await invited.getByRole("listitem").filter({ hasText: /^status: invited$/ }).waitFor();
  await invited.getByRole("listitem").filter({ hasText: `name: ${mine.name}` }).waitFor();
  await visited(page, "audit-reseller-trail");

  // The feed of the provider's scope, then one actor's: the relationship check's entries alone.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await page.getByRole("heading", { name: "Audit", level: 1 }).waitFor();
  const feed = page.getByRole("table", { name: "Audit entries" });
  await feed.getByRole("row").filter({ hasText: "reseller.invited" }).first().waitFor();
  await visited(page, "audit-feed-provider");
  await page.getByRole("textbox", { name: /^Actor/ }).fill("relationship-check");
  await page.getByRole("button", { name: "Show entries" }).click();
  await until(
    async () => (await feed.getByRole("row").filter({ hasText: "reseller.invited" }).count()) === 0,
    "the admin's invitations filtered out",
  );
  const mineActive = feed.getByRole("row").filter({ hasText: "reseller.active" }).filter({ hasText: mine.id });
  await mineActive.waitFor();
  assert.equal(
    await mineActive.getByRole("link", { name: mine.name }).getAttribute("href"),
    `/resellers/${mine.id}`,
  );
  await feed.getByRole("row").filter({ hasText: "reseller.active" }).filter({ hasText: theirs.id }).waitFor();
  await feed.getByRole("row").filter({ hasText: "customer.active" }).first().waitFor();
  const actors = await feed.getByRole("row").locator("td:nth-child(1) a").allTextContents();
  assert.ok(actors.length >= 3 && actors.every((a) => a === "relationship-check"), actors.join(", "));
  await visited(page, "audit-feed-by-actor");

  // More than 92 days: the API refuses the range, said at the field.
  await page.getByLabel("From").fill(day(120));
  await page.getByRole("button", { name: "Show entries" }).click();
  await page.getByText("a range of up to 92 days").waitFor();
  assert.equal(await page.getByLabel("From").getAttribute("aria-invalid"), "true");
  await visited(page, "audit-feed-range-refused");

  // The provider's own members: one added, its role changed, then removed.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
  await page.getByRole("heading", { name: "Members", level: 1 }).waitFor();
  await page.getByRole("heading", { name: "Members of your organisation" }).waitFor();
  const members = page.getByRole("table", { name: "Members" });
  await members.getByRole("cell", { name: admin, exact: true }).waitFor();
  const staff = newId("provider-staff");
  await page.getByRole("textbox", { name: /^User id/ }).fill(staff);
  await page.getByLabel("Role", { exact: true }).selectOption("provider.staff");
  await page.getByRole("button", { name: "Add member" }).click();
  await page.getByText(`${staff} is now a member (provider.staff).`).waitFor();
  await members.getByRole("cell", { name: staff, exact: true }).waitFor();
  await visited(page, "audit-members-added");
  await members.getByLabel(`Role of ${staff}`).selectOption("provider.admin");
  await page.getByText(`${staff} is now provider.admin.`).waitFor();
  await until(async () => (await members.getByLabel(`Role of ${staff}`).inputValue()) === "provider.admin", "role shown");
  await members.getByRole("button", { name: `Remove ${staff}` }).click();
  const confirm = page.getByRole("dialog");
  await confirm.getByText(`${staff} will be refused from their next request on.`).waitFor();
  await visited(page, "audit-members-remove-dialog");
  await confirm.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByText(`${staff} is no longer a member.`).waitFor();
  await until(async () => (await members.getByRole("cell", { name: staff, exact: true }).count()) === 0, "removed");

  // The last admin cannot be demoted: the API's 409 is shown and the role stays.
  await members.getByLabel(`Role of ${admin}`).selectOption("provider.staff");
  await page.getByText(`${admin} is the last admin of this provider`, { exact: false }).waitFor();
  assert.equal(await members.getByLabel(`Role of ${admin}`).inputValue(), "provider.admin");
  await visited(page, "audit-members-last-admin");

  // A reseller it manages: its members, by the link the reseller's page can give.
  await page.goto(page.url().replace(/\/members.*$/, `/members?orgType=reseller&orgId=${theirs.id}`));
  await page.getByRole("heading", { name: `Members of reseller ${theirs.name}` }).waitFor();
  await page.getByText("This reseller has no admin yet: add its first one.").waitFor();
  await page.getByText("This organisation has no members yet.").waitFor();
  await visited(page, "audit-members-of-reseller");
});

browserTest("a reseller's admin sees its own members and only its own scope in the feed", async ({ page }) => {
  const { mine, theirs, customer, resellerAdmin, resellerStaff } = await setUp();
  await signInAs(page, resellerAdmin, "/members");
  await page.getByRole("heading", { name: "Members of your organisation" }).waitFor();
  const members = page.getByRole("table", { name: "Members" });
  // Each member's role, by the control that changes it (the admin also shows as the one who added its staff).
  assert.equal(await members.getByLabel(`Role of ${resellerAdmin}`).inputValue(), "reseller.admin");
  assert.equal(await members.getByLabel(`Role of ${resellerStaff}`).inputValue(), "reseller.staff");
  assert.equal(await members.getByRole("row").count(), 3); // the header and its two members
  assert.deepEqual(
    await page.getByLabel("Role", { exact: true }).locator("option").allTextContents(),
    ["reseller.admin", "reseller.staff"],
  );
  await visited(page, "audit-reseller-members");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await page.getByRole("heading", { name: "Audit", level: 1 }).waitFor();
  const feed = page.getByRole("table", { name: "Audit entries" });
  await feed.getByRole("row").filter({ hasText: "reseller.active" }).filter({ hasText: mine.id }).waitFor();
  await feed.getByRole("row").filter({ hasText: "member.added" }).filter({ hasText: resellerStaff }).waitFor();
  await feed.getByRole("row").filter({ hasText: customer.id }).first().waitFor();
  assert.equal(await feed.getByText(theirs.id).count(), 0, "another reseller's entries are not shown");
  assert.equal(await feed.getByText(theirs.name).count(), 0);
  await visited(page, "audit-reseller-feed");
});

browserTest("a reseller's staff have no Audit and no Members in the menu", async ({ page }) => {
  const { resellerStaff } = await setUp();
  await signInAs(page, resellerStaff, "/customers");
  await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Customers" }).waitFor();
  assert.deepEqual(await nav.getByRole("link").allTextContents(), ["Customers", "Orders", "Subscriptions", "Renewals", "Catalog", "Billing"]);
  assert.equal(await nav.getByRole("link", { name: "Audit" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Members" }).count(), 0);
  await visited(page, "audit-reseller-staff-menu");
});
