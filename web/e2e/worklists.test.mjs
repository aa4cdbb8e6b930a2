// The work lists across customers: a provider with two resellers, a customer under each, orders placed for both
// (one through a storefront above its approval threshold, so it waits). The provider's admin sees every order,
// narrows them to one reseller, finds the waiting one in the approval queue (from the dashboard's link) and
// approves it, then follows it to completed; a reseller's staff see their own customer's orders only, without
// the provider's cost; the subscriptions list shows each with its seats and term end, narrowed to what renews
// within 30 days and by status.
import assert from "node:assert/strict";
import {
  api, browserTest, control, domain, enrolledProvider, eventually, newId, operatorId, partnerId, signInAs, visited, WAIT,
} from "./support.mjs";

/** An item of the US catalog of that term, monthly, priced, not an add-on, for up to five seats at least. */
async function anItem(admin, termDuration, except = []) {
  const items = (await api(admin, "GET", `/catalog?country=US&termDuration=${termDuration}&billingCycle=monthly&limit=500`)).items;
  const item = items.find((i) => i.price !== null && !i.isAddon && (i.maxQuantity ?? 99) >= 5 && !except.includes(i.title));
  assert.ok(item, `a ${termDuration} monthly item in the US catalog`);
  await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  return item;
}

async function activeReseller(admin, app, label) {
  const pid = partnerId();
  const name = `${label} ${pid}`;
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", { partnerId: pid, name, contactEmail: "it@reseller.example" });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: pid });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  return { id: resellerId, name, partnerId: pid };
}

async function activeCustomer(admin, app, reseller, label) {
  const name = `${label} ${newId("c").slice(2, 8)}`;
  const customerDomain = domain(label.toLowerCase());
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId: reseller.id, name, domain: customerDomain, contactEmail: `it@${label.toLowerCase()}.example`,
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId: reseller.partnerId, domain: customerDomain, country: "US",
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.currency === "USD");
  return { id: customerId, name };
}

const line = (item, quantity) => ({ catalogItemId: item.catalogItemId, quantity, termDuration: item.termDuration, billingCycle: "monthly" });

async function placed(userId, customerId, lines) {
  const order = await api(userId, "POST", "/orders", { customerId, lines });
  return eventually(() => api(userId, "GET", `/orders/${order.id}`), (o) => o.status === "completed");
}

/** Two resellers with a customer each; Wingtip (Northwind's) bought 3 seats for a year, Contoso (Litware's) 4 for a
 * month, and Contoso's admin asked for 2 more through its storefront, which wait for approval. */
async function setUp() {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Worklists ${newId("w").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const yearly = await anItem(admin, "P1Y");
  const monthly = await anItem(admin, "P1M");

  const northwind = await activeReseller(admin, app, "Northwind");
  const litware = await activeReseller(admin, app, "Litware");
  const wingtip = await activeCustomer(admin, app, northwind, "Wingtip");
  const contoso = await activeCustomer(admin, app, litware, "Contoso");

  const northwindAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: northwindAdmin, orgType: "reseller", orgId: northwind.id, role: "reseller.admin" });
  const northwindStaff = newId("reseller-staff");
  await api(northwindAdmin, "POST", "/members", { userId: northwindStaff, orgType: "reseller", orgId: northwind.id, role: "reseller.staff" });

  const wingtipOrder = await placed(northwindStaff, wingtip.id, [line(yearly, 3)]);
  const contosoOrder = await placed(admin, contoso.id, [line(monthly, 4)]);

  await api(admin, "PATCH", `/customers/${contoso.id}`, {
    storefrontEnabled: true, storefrontPolicy: { approvalThreshold: "1.00", allowSeatDecrease: true, maxTermDuration: "P1Y" },
  });
  const contosoAdmin = newId("customer-admin");
  await api(admin, "POST", "/members", { userId: contosoAdmin, orgType: "customer", orgId: contoso.id, role: "customer.admin" });
  const waiting = await api(contosoAdmin, "POST", "/storefront/orders", { lines: [line(monthly, 2)] });
  assert.equal(waiting.status, "pendingApproval");
  return { admin, northwind, litware, wingtip, contoso, northwindStaff, wingtipOrder, contosoOrder, waiting, yearly, monthly };
}

let world = null;
const ready = () => (world ??= setUp());

/** The row of the list's table that holds the order's link. */
const orderRow = (table, orderId) => table.getByRole("row").filter({ has: table.page().locator(`a[href="/orders/${orderId}"]`) });

/** The rows of the table (not its header). */
const bodyRows = (table) => table.locator("tbody tr");

browserTest("provider staff see every customer's orders, narrow them to a reseller, and approve from the queue", async ({ page }) => {
  const { admin, northwind, litware, wingtip, contoso, wingtipOrder, contosoOrder, waiting } = await ready();
  await signInAs(page, admin, "/orders");
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
  const table = page.getByRole("table", { name: "Orders" });
  await table.getByRole("link", { name: contoso.name }).first().waitFor();
  await table.getByRole("link", { name: wingtip.name }).waitFor();
  assert.equal(await page.getByRole("tab", { name: "All" }).getAttribute("aria-selected"), "true");
  assert.equal(await bodyRows(table).count(), 3, "three orders across both customers");

  const wingtipRow = orderRow(table, wingtipOrder.id);
  await wingtipRow.getByText("completed", { exact: true }).waitFor();
  await wingtipRow.getByRole("link", { name: northwind.name }).waitFor();
  await wingtipRow.getByRole("link", { name: wingtip.name }).waitFor();
  assert.equal(await wingtipRow.getByRole("link", { name: wingtip.name }).getAttribute("href"), `/customers/${wingtip.id}`);
  const contosoRow = orderRow(table, contosoOrder.id);
  await contosoRow.getByText("completed", { exact: true }).waitFor();
  await contosoRow.getByRole("link", { name: litware.name }).waitFor();
  const waitingRow = orderRow(table, waiting.id);
  await waitingRow.getByText("pendingApproval", { exact: true }).waitFor();
  await waitingRow.getByText("storefront", { exact: true }).waitFor();
  await table.getByRole("columnheader", { name: "Cost total" }).waitFor();
  await visited(page, "worklists-orders-all");

  // One reseller's customers only.
  await page.getByLabel("Reseller").selectOption({ label: northwind.name });
  await page.waitForURL(new RegExp(`resellerId=${northwind.id}`), WAIT);
  await table.getByRole("link", { name: contoso.name }).first().waitFor({ state: "detached" });
  await orderRow(table, wingtipOrder.id).getByRole("link", { name: wingtip.name }).waitFor();
  assert.equal(await bodyRows(table).count(), 1, "only Northwind's customer's order");
  await visited(page, "worklists-orders-reseller");

  // Placed on the order's day (inclusive) it stays; from the next day on, none.
  const day = wingtipOrder.createdAt.slice(0, 10);
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  await page.getByLabel("Placed until (inclusive, UTC)").fill(day);
  await page.waitForURL(new RegExp(`createdTo=${day}`), WAIT);
  await orderRow(table, wingtipOrder.id).getByRole("link", { name: wingtip.name }).waitFor();
  await page.getByLabel("Placed from (inclusive, UTC)").fill(next.toISOString().slice(0, 10));
  await page.getByText("The last day comes before the first.").waitFor();
  await page.getByText("No order matches these filters.").waitFor();
  await page.getByLabel("Placed from (inclusive, UTC)").fill(day);
  await orderRow(table, wingtipOrder.id).getByRole("link", { name: wingtip.name }).waitFor();
  assert.equal(await bodyRows(table).count(), 1);

  // The dashboard's count links to the approval queue, which holds Contoso's storefront order.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("link", { name: "waiting for approval" }).click();
  await page.waitForURL(/\/orders\?queue=approval$/, WAIT);
  assert.equal(await page.getByRole("tab", { name: "Waiting for approval" }).getAttribute("aria-selected"), "true");
  const queued = orderRow(table, waiting.id);
  await queued.getByRole("link", { name: contoso.name }).waitFor();
  assert.equal(await bodyRows(table).count(), 1, "only the waiting order is in the queue");
  await queued.getByText("pendingApproval", { exact: true }).waitFor();
  await visited(page, "worklists-orders-approval");

  // Approved from the queue: the outcome shows, and the order leaves the queue.
  await queued.getByRole("button", { name: /^Approve the order of / }).click();
  await page.getByText(`The order of ${contoso.name} is approved`).waitFor();
  await page.getByText("No order is waiting for approval.").waitFor();
  await visited(page, "worklists-orders-approved");

  // The "In flight" and "All" tabs; Back goes from one queue to the previous one.
  await page.getByRole("tab", { name: "In flight" }).click();
  await page.waitForURL(/queue=inflight/, WAIT);
  await page.getByRole("tab", { name: "All" }).click();
  await page.waitForURL((url) => !url.search.includes("queue="), WAIT);
  await page.goBack();
  await page.waitForURL(/queue=inflight/, WAIT);
  assert.equal(await page.getByRole("tab", { name: "In flight" }).getAttribute("aria-selected"), "true");
  await page.goBack();
  await page.waitForURL(/queue=approval/, WAIT);
  assert.equal(await page.getByRole("tab", { name: "Waiting for approval" }).getAttribute("aria-selected"), "true");

  // Followed on "All" without a reload until it completes.
  await page.getByRole("tab", { name: "All" }).click();
  await page.evaluate(() => { window.__notReloaded = true; });
  await orderRow(table, waiting.id).getByText("completed", { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the list followed the order without a reload");
  const approved = await api(admin, "GET", `/orders/${waiting.id}`);
  assert.equal(approved.status, "completed");
  await page.getByRole("tab", { name: "Failed" }).click();
  await page.getByText("No order has failed.").waitFor();
  await visited(page, "worklists-orders-failed");
});

browserTest("a reseller's staff see their own customers' orders and subscriptions only, without the provider's cost", async ({ page }) => {
  const { northwindStaff, wingtip, contoso, wingtipOrder } = await ready();
  await signInAs(page, northwindStaff, "/orders");
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
  const table = page.getByRole("table", { name: "Orders" });
  const row = orderRow(table, wingtipOrder.id);
  await row.getByRole("link", { name: wingtip.name }).waitFor();
  await row.getByText("completed", { exact: true }).waitFor();
  assert.equal(await bodyRows(table).count(), 1, "only Wingtip's order");
  assert.equal(await page.getByText(contoso.name).count(), 0, "nothing of the other reseller's customer");
  const main = page.getByRole("main");
  assert.equal(await main.getByText(/cost/i).count(), 0, "the page names no cost");
  assert.equal(await main.getByLabel("Reseller").count(), 0, "no reseller filter");
  await visited(page, "worklists-orders-reseller-staff");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscriptions" }).click();
  await page.getByRole("heading", { name: "Subscriptions", level: 1 }).waitFor();
  const subs = page.getByRole("table", { name: "Subscriptions" });
  const wingtipSub = subs.getByRole("row").filter({ hasText: wingtip.name });
  await wingtipSub.getByRole("link", { name: wingtip.name }).waitFor();
  await wingtipSub.getByRole("cell", { name: "3", exact: true }).waitFor();
  assert.equal(await bodyRows(subs).count(), 1, "only Wingtip's subscription");
  await visited(page, "worklists-subscriptions-reseller-staff");
});

browserTest("provider staff see every subscription with its term end, and what renews within 30 days", async ({ page }) => {
  const { admin, wingtip, contoso, wingtipOrder, contosoOrder, waiting, yearly } = await ready();
  // The approved storefront order (first test) is provisioned; without it, approve it here.
  let third = await api(admin, "GET", `/orders/${waiting.id}`);
  if (third.status === "pendingApproval") await api(admin, "POST", `/orders/${waiting.id}/approve`);
  third = await eventually(() => api(admin, "GET", `/orders/${waiting.id}`), (o) => o.status === "completed");
  const subscription = async (order) => api(admin, "GET", `/subscriptions/${order.lines[0].subscriptionId}`);
  const yearlySub = await subscription(wingtipOrder);
  const monthlySub = await subscription(contosoOrder);
  const addedSub = await subscription(third);
  for (const sub of [yearlySub, monthlySub, addedSub]) assert.ok(sub.termEndDate, "each has its term end");

  await signInAs(page, admin, "/subscriptions");
  await page.getByRole("heading", { name: "Subscriptions", level: 1 }).waitFor();
  const table = page.getByRole("table", { name: "Subscriptions" });
  const rowOf = (sub) => table.getByRole("row").filter({ has: page.locator(`a[href="/subscriptions/${sub.id}"]`) });
  const expectations = [
    [yearlySub, wingtip, "3", "1 year, billed monthly"],
    [monthlySub, contoso, "4", "1 month, billed monthly"],
    [addedSub, contoso, "2", "1 month, billed monthly"],
  ];
  for (const [sub, customer, seats, term] of expectations) {
    const row = rowOf(sub);
    await row.getByRole("link", { name: customer.name }).waitFor();
    await row.getByRole("cell", { name: seats, exact: true }).waitFor();
    await row.getByRole("cell", { name: sub.termEndDate.slice(0, 10), exact: true }).waitFor();
    await row.getByRole("cell", { name: term, exact: true }).waitFor();
    await row.getByText("active", { exact: true }).waitFor();
  }
  assert.equal(await bodyRows(table).count(), 3);
  // Soonest term end first: the two monthly ones before the yearly one.
  assert.match(await bodyRows(table).last().textContent(), new RegExp(wingtip.name));
  await visited(page, "worklists-subscriptions-all");

  // Renewing within 30 days: the monthly terms only.
  await page.getByLabel("Renewing within").selectOption({ label: "30 days" });
  await page.waitForURL(/within=30/, WAIT);
  await rowOf(yearlySub).waitFor({ state: "detached" });
  await rowOf(monthlySub).getByRole("cell", { name: "4", exact: true }).waitFor();
  await rowOf(addedSub).getByRole("cell", { name: "2", exact: true }).waitFor();
  assert.equal(await bodyRows(table).count(), 2);
  await visited(page, "worklists-subscriptions-renewing");

  // One product's: the yearly item's product, any time.
  await page.getByLabel("Renewing within").selectOption({ label: "Any time" });
  await rowOf(yearlySub).waitFor();
  const product = yearly.catalogItemId.split(":")[0];
  const productField = page.getByLabel("Product id");
  await productField.fill(product);
  await productField.press("Enter");
  await page.waitForURL(new RegExp(`productId=${product}`), WAIT);
  if (product !== contosoOrder.lines[0].catalogItemId.split(":")[0]) {
    await rowOf(monthlySub).waitFor({ state: "detached" });
    assert.equal(await bodyRows(table).count(), 1);
  }
  await rowOf(yearlySub).getByRole("link", { name: wingtip.name }).waitFor();
  await productField.fill("");
  await productField.press("Enter");

  // Suspended: none is.
  await page.getByLabel("Status").selectOption({ label: "Suspended" });
  await page.waitForURL(/status=suspended/, WAIT);
  await page.getByText("No subscription matches these filters.").waitFor();
  await page.getByLabel("Status").selectOption({ label: "Active" });
  await rowOf(yearlySub).waitFor();
  assert.equal(await bodyRows(table).count(), 3);
  await visited(page, "worklists-subscriptions-active");
});
