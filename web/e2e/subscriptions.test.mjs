// A reseller's staff look after a customer's subscription in a browser: the customer's subscriptions, one
// subscription's seats and windows; seats added and removed and followed on screen until Partner Center shows
// them; a removal after the 168-hour window refused with the reason; suspend and reactivate; a change Partner
// Center refuses shows its reason; a cancellation inside the window, after a confirmation.
import assert from "node:assert/strict";
import {
  WAIT, api, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, signInAs, visited,
} from "./support.mjs";

const BUSINESS_BASIC = "CFQ7TTC0LH18"; // at most 300 seats in the sandbox's catalog
const HOUR = 3_600_000;

/** Polls `read` until `accept` holds (the platform converges asynchronously), never a fixed sleep per se. */
async function eventually(read, accept, what, timeout = WAIT.timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** An enrolled provider with one active reseller, one active US customer under it, a reseller staff member and a
 * provisioned subscription of five Business Basic seats bought through an order. */
async function aCustomerWithASubscription() {
  const operator = await operatorId();
  const name = `Tailspin ${newId("s").slice(2, 10)}`;
  const { app, admin } = await enrolledProvider(operator, name);
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const items = await eventually(
    () => api(admin, "GET", `/catalog?country=US&productId=${BUSINESS_BASIC}&termDuration=P1Y&billingCycle=monthly`),
    (page) => page.items.length > 0,
    "the catalog sync",
  );
  const item = items.items[0];
  if (!item.sellable) {
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }

  const resellerPartnerId = partnerId();
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: resellerPartnerId, name: `${name} Reseller`, contactEmail: "it@reseller.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: resellerPartnerId });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active", "the reseller's acceptance");

  const customerName = `Wingtip ${newId("c").slice(2, 8)}`;
  const customerDomain = domain("wingtip");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId, name: customerName, domain: customerDomain, contactEmail: "it@wingtip.example",
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId, domain: customerDomain, country: "US",
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(
    () => api(admin, "GET", `/customers/${customerId}`),
    (c) => c.status === "active" && c.country === "US",
    "the customer's acceptance",
  );

  const staff = newId("reseller-staff");
  await api(operator, "POST", "/members", { userId: staff, orgType: "reseller", orgId: resellerId, role: "reseller.staff" });
  const order = await api(staff, "POST", "/orders", {
    customerId,
    lines: [{ catalogItemId: item.catalogItemId, quantity: 5, termDuration: "P1Y", billingCycle: "monthly" }],
  });
  const done = await eventually(
    () => api(staff, "GET", `/orders/${order.id}`),
    (o) => !["accepted", "provisioning"].includes(o.status),
    "the order's provisioning",
  );
  assert.equal(done.status, "completed", JSON.stringify(done));
  const subscriptionId = done.lines[0].subscriptionId;
  assert.ok(subscriptionId, "the order names its subscription");
  return { staff, customerId, customerName, subscriptionId };
}

/** The value shown beside a label in the subscription's details. */
function detail(page, label) {
  return page
    .locator('dl[aria-label="Subscription"] dt')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .locator("xpath=following-sibling::dd[1]");
}

async function setSeats(page, quantity) {
  await page.getByRole("spinbutton", { name: "Seats" }).fill(String(quantity));
  await page.getByRole("button", { name: "Set seats" }).click();
}

browserTest("reseller staff change a subscription's seats and status and follow each change", async ({ page }) => {
  const { staff, customerId, customerName, subscriptionId } = await aCustomerWithASubscription();

  // The customer's page lists the subscription; a sync from Partner Center says how many it read.
  await signInAs(page, staff, `/customers/${encodeURIComponent(customerId)}`);
  await page.getByRole("heading", { name: customerName, level: 1 }).waitFor();
  const list = page.getByRole("table", { name: "Subscriptions" });
  const row = list.getByRole("row").filter({ has: page.getByRole("link") });
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  await row.getByRole("cell", { name: "1 year, billed monthly" }).waitFor();
  assert.equal((await row.getByRole("cell").nth(1).textContent()).trim(), "5");
  await row.getByText("active", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Sync from Partner Center" }).click();
  await page.getByText("Read 1 subscription from Partner Center.").waitFor();
  await visited(page, "subs-customer");
  await page.getByLabel("Subscription status").selectOption("suspended");
  await page.getByText("No subscription is suspended.").waitFor();
  await page.getByLabel("Subscription status").selectOption("active");
  await row.first().waitFor();

  // The subscription: five seats, all of them inside their window.
  await row.getByRole("link").click();
  await page.waitForURL(`**/subscriptions/${subscriptionId}`);
  await page.getByRole("heading", { level: 1 }).filter({ hasText: "Business Basic" }).waitFor();
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));
  assert.equal(await detail(page, "Seats").textContent(), "5");
  assert.equal(await detail(page, "Removable now").textContent(), "5");
  const lots = page.getByRole("table", { name: "Seat lots" });
  await lots.getByRole("cell", { name: /^\d+ days? \d+ hours? left$|^7 days left$/ }).first().waitFor();
  await page.getByText(/^Partner of record$/).waitFor();
  await visited(page, "subs-subscription");

  // Two seats added: the change is applied through the queue and the page follows it.
  await setSeats(page, 7);
  await page.getByText("Applied: seats to 7").waitFor();
  await detail(page, "Seats").getByText("7", { exact: true }).waitFor();
  assert.equal(await detail(page, "Removable now").textContent(), "7");
  assert.equal(await lots.getByRole("row").count(), 3, "a lot for the seats bought and one for those added");
  await visited(page, "subs-seats-added");

  // One removed inside the window.
  await page.getByRole("spinbutton", { name: "Seats" }).fill("6");
  await page.getByText("Removes 1 seat (7 can be removed now).").waitFor();
  await page.getByRole("button", { name: "Set seats" }).click();
  await page.getByText("Applied: seats to 6").waitFor();
  await detail(page, "Seats").getByText("6", { exact: true }).waitFor();

  // Eight days later in Partner Center: no seat can be removed any more; the API's reason is shown.
  const clock = await control("GET", "clock");
  try {
    await control("POST", "clock", { set: new Date(Date.parse(clock.now) + 8 * 24 * HOUR).toISOString() });
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(/^Read from Partner Center at /).waitFor();
    await detail(page, "Removable now").getByText("0", { exact: true }).waitFor();
    await page.getByText("No seat lot is inside its window: no seat can be removed now.").waitFor();
    await page.getByRole("spinbutton", { name: "Seats" }).fill("5");
    await page.getByText(/^No seat can be removed now: seats can be removed only within 168 hours/).waitFor();
    await page.getByRole("button", { name: "Set seats" }).click();
    await page.getByText(/only 0 seat\(s\) can be removed now/).waitFor();
    assert.equal(await detail(page, "Seats").textContent(), "6");
    await visited(page, "subs-removal-refused");
  } finally {
    await control("POST", "clock", { set: new Date(Date.now() + clock.offsetSeconds * 1000).toISOString() });
  }

  // Suspended, then reactivated.
  await page.getByRole("button", { name: "Suspend" }).click();
  await page.getByText("Applied: suspension").waitFor();
  await detail(page, "Status").getByText("suspended", { exact: true }).waitFor();
  await page.getByText("Reactivate the subscription to change its seats or auto-renew.").waitFor();
  await visited(page, "subs-suspended");
  await page.getByRole("button", { name: "Reactivate" }).click();
  await page.getByText("Applied: reactivation").waitFor();
  await detail(page, "Status").getByText("active", { exact: true }).waitFor();

  // Cancel at end of term (auto-renew off, and never the paid Extended Service Term).
  const endOfTerm = page.getByRole("region", { name: "At the end of the term" });
  await endOfTerm.getByRole("radio", { name: "Cancel at end of term" }).check();
  await endOfTerm.getByRole("button", { name: "Cancel at end of term" }).click();
  await page.getByText("Applied: cancel at end of term").waitFor();
  await detail(page, "Auto-renew").getByText("off", { exact: true }).waitFor();

  // More seats than the offer allows: the platform queues it, Partner Center refuses it, the reason shows.
  await setSeats(page, 500);
  await page.getByText("Partner Center refused the change: seats to 500").waitFor();
  await page.getByText(/Partner Center refused \(900275\)/).waitFor();
  assert.equal(await detail(page, "Seats").textContent(), "6");
  await visited(page, "subs-change-refused");

  // Cancelled inside its window, after a confirmation.
  await page.getByRole("button", { name: "Cancel the subscription…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText(/All 6 seats end/).waitFor();
  await visited(page, "subs-cancel-dialog");
  await dialog.getByRole("button", { name: "Cancel the subscription" }).click();
  await page.getByText("Applied: cancellation").waitFor();
  await detail(page, "Status").getByText("deleted", { exact: true }).waitFor();
  await page.getByText("This subscription is cancelled: it cannot be changed.").waitFor();
  await visited(page, "subs-cancelled");

  assert.equal(await page.evaluate(() => window.notReloaded), true, "every change was followed without a reload");
});
