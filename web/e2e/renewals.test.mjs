// A reseller's staff plan a subscription's renewal in a browser, against the sandbox's clock: changes scheduled for
// the next term and seen on the renewal calendar; an upgrade that would wipe them asks first, then moves seats to
// a new subscription through the queue and links to it; cancel at end of term on what is left; a year later (the
// sandbox's clock moved on) the upgraded subscription shows its renewed term and the cancelled one has expired.
import assert from "node:assert/strict";
import {
  CONSOLE_URL, api, browserTest, control, domain, enrolledProvider, eventually, newId, operatorId, partnerId, signInAs, visited,
} from "./support.mjs";

const BUSINESS_BASIC = "CFQ7TTC0LH18"; // Business Basic → Business Standard is an upgrade path in the sandbox
const DAY = 86_400_000;

/** An enrolled provider with one active reseller, one active US customer, a reseller staff member and a provisioned
 * subscription of five one-year, monthly Business Basic seats bought through an order. */
async function aCustomerWithASubscription() {
  const operator = await operatorId();
  const name = `Renewals ${newId("r").slice(2, 10)}`;
  const { app, admin } = await enrolledProvider(operator, name);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const items = await eventually(
    () => api(admin, "GET", `/catalog?country=US&productId=${BUSINESS_BASIC}&termDuration=P1Y&billingCycle=monthly`),
    (page) => page.items.length > 0,
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
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");

  const customerName = `Fabrikam ${newId("c").slice(2, 8)}`;
  const customerDomain = domain("fabrikam");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId, name: customerName, domain: customerDomain, contactEmail: "it@fabrikam.example",
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId, domain: customerDomain, country: "US", acceptAgreement: true,
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.country === "US");

  const staff = newId("reseller-staff");
  await api(operator, "POST", "/members", { userId: staff, orgType: "reseller", orgId: resellerId, role: "reseller.staff" });
  const order = await api(staff, "POST", "/orders", {
    customerId,
    lines: [{ catalogItemId: item.catalogItemId, quantity: 5, termDuration: "P1Y", billingCycle: "monthly" }],
  });
  const done = await eventually(
    () => api(staff, "GET", `/orders/${order.id}`),
    (o) => !["accepted", "provisioning"].includes(o.status),
  );
  assert.equal(done.status, "completed", JSON.stringify(done));
  const subscriptionId = done.lines[0].subscriptionId;
  assert.ok(subscriptionId, "the order names its subscription");
  return { staff, customerName, subscriptionId };
}

/** The value shown beside a label in a description list. */
function detail(scope, label, list = "Subscription") {
  return scope
    .locator(`dl[aria-label="${list}"] dt`)
    .filter({ hasText: new RegExp(`^${label}$`) })
    .locator("xpath=following-sibling::dd[1]");
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

browserTest("reseller staff schedule a renewal, see it on the calendar, upgrade, cancel at end of term and see the next term", async ({ page }) => {
  const { staff, customerName, subscriptionId } = await aCustomerWithASubscription();
  const clock = await control("GET", "clock");
  try {
    await signInAs(page, staff, `/subscriptions/${encodeURIComponent(subscriptionId)}`);
    await page.getByRole("heading", { level: 1 }).filter({ hasText: "Business Basic" }).waitFor();
    const endOfTerm = page.getByRole("region", { name: "At the end of the term" });
    await endOfTerm.getByText(/^Renews on \d{4}-\d{2}-\d{2} for another 1 year, billed monthly: 5 seats at /).waitFor();
    await endOfTerm.getByText("No change is scheduled: the subscription renews as it is.").waitFor();
    assert.equal(await endOfTerm.getByRole("radio", { name: "Renew" }).isChecked(), true);
    await visited(page, "renewals-subscription");

    // Seven seats for the next term, scheduled in the dialog, applied through the queue.
    await endOfTerm.getByRole("button", { name: "Schedule changes" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("combobox", { name: /Next term's item/ }).waitFor();
    await dialog.getByRole("spinbutton", { name: "Seats in the next term" }).fill("7");
    await visited(page, "renewals-schedule-dialog");
    await dialog.getByRole("button", { name: "Schedule these changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Applied: changes at renewal").waitFor();
    await detail(endOfTerm, "Seats", "Scheduled changes").getByText("7", { exact: true }).waitFor();
    await endOfTerm.getByText(/^Renews on \d{4}-\d{2}-\d{2} with the scheduled changes/).waitFor();
    const renewsOn = (await detail(page, "Term ends").textContent()).slice(0, 10);

    // The renewal calendar, over the coming year, shows it with the new seats and its price.
    await page.getByRole("navigation").getByRole("link", { name: "Renewals" }).click();
    await page.getByRole("heading", { name: "Renewals", level: 1 }).waitFor();
    await page.getByLabel("To", { exact: true }).fill(isoDay(Date.now() + 365 * DAY));
    await page.getByRole("button", { name: "Show these days" }).click();
    const row = page.getByRole("row").filter({ hasText: customerName });
    await row.getByText("renews with the scheduled changes").waitFor();
    await row.getByRole("cell", { name: "7", exact: true }).waitFor();
    await row.getByText(/ USD for the term's first period \(/).waitFor();
    assert.ok((await row.textContent()).includes(renewsOn), "the renewal is on the day the term ends");
    await visited(page, "renewals-calendar");
    await page.getByRole("switch", { name: "Only those heading into the Extended Service Term" }).click();
    await page.getByRole("table", { name: "Heading into the Extended Service Term" })
      .or(page.getByText("No subscription is heading into the Extended Service Term.")).waitFor();
    assert.equal(await page.getByRole("row").filter({ hasText: customerName }).count(), 0, "nothing of this customer drifts into it");
    await page.goto(`${CONSOLE_URL}/subscriptions/${encodeURIComponent(subscriptionId)}`);
    await endOfTerm.getByText(/with the scheduled changes/).waitFor();

    // Two seats upgraded to Business Standard: that wipes the scheduled changes, so it asks first.
    await page.getByRole("button", { name: "Upgrade", exact: true }).click();
    const upgrade = page.getByRole("dialog");
    await upgrade.getByRole("radio", { name: /^Microsoft 365 Business Standard.*USD per seat$/ }).first().check();
    await upgrade.getByRole("spinbutton", { name: "Seats to move" }).fill("2");
    assert.equal(await upgrade.getByRole("radio", { name: /^Keep the licenses/ }).isChecked(), true);
    await visited(page, "renewals-upgrade-dialog");
    await upgrade.getByRole("button", { name: "Upgrade now" }).click();
    await upgrade.getByText("This change wipes the scheduled changes").waitFor();
    await upgrade.getByRole("button", { name: "Upgrade and wipe the scheduled changes" }).click();
    await upgrade.waitFor({ state: "detached" });
    await page.getByText("Applied: upgrade").waitFor();
    await detail(page, "Seats").getByText("3", { exact: true }).waitFor();
    await endOfTerm.getByText("No change is scheduled: the subscription renews as it is.").waitFor();
    const newLink = page.getByRole("link", { name: "Open the new subscription" }).first();
    await newLink.waitFor();
    const upgradedId = decodeURIComponent((await newLink.getAttribute("href")).split("/").pop());
    await visited(page, "renewals-upgraded");

    // What is left ends at its term end: never the Extended Service Term.
    await endOfTerm.getByRole("radio", { name: "Cancel at end of term" }).check();
    await endOfTerm.getByText(/no Extended Service Term is billed/).waitFor();
    await endOfTerm.getByRole("button", { name: "Cancel at end of term" }).click();
    await page.getByText("Applied: cancel at end of term").waitFor();
    await endOfTerm.getByText(/^Ends on \d{4}-\d{2}-\d{2} \(cancel at end of term\)/).waitFor();
    await detail(page, "Auto-renew").getByText("off", { exact: true }).waitFor();

    // The new subscription: Business Standard, two seats, upgraded from this one.
    await newLink.click();
    await page.waitForURL(`**/subscriptions/${encodeURIComponent(upgradedId)}`);
    await page.getByRole("heading", { level: 1 }).filter({ hasText: "Business Standard" }).waitFor();
    await detail(page, "Seats").getByText("2", { exact: true }).waitFor();
    await detail(page, "Upgraded from").getByRole("link").waitFor();
    const firstStart = await detail(page, "Term starts").textContent();

    // A year later in Partner Center: the upgraded subscription has renewed into a new term.
    await control("POST", "clock", { advance: "P1Y" });
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(/^Read from Partner Center at /).waitFor();
    await eventually(() => detail(page, "Term starts").textContent(), (text) => text !== firstStart);
    assert.ok((await detail(page, "Term starts").textContent()) > firstStart, "a later term");
    await detail(page, "Status").getByText("active", { exact: true }).waitFor();
    await visited(page, "renewals-renewed");

    // The cancelled one has expired.
    await api(staff, "POST", `/subscriptions/${subscriptionId}/sync`);
    await eventually(() => api(staff, "GET", `/subscriptions/${subscriptionId}`), (s) => s.status === "expired");
  } finally {
    await control("POST", "clock", { set: new Date(Date.now() + clock.offsetSeconds * 1000).toISOString() });
  }
});
