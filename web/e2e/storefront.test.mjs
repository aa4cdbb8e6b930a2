// A customer's admin buys for itself: signed in it lands in the storefront; its first order is refused until it
// accepts the Microsoft Customer Agreement (Microsoft's link shown); an order under its reseller's approval
// threshold is followed to completed without a reload; one over it waits until the reseller's staff, in their own
// browser, approve it; seats added on a subscription are followed until applied; its charges for the month are
// empty until a billing run covers it, then listed in its currency; another customer's order is not found.
import assert from "node:assert/strict";
import {
  api, browserTest, cents, CONSOLE_URL, control, domain, enrolledProvider, eventually, newId, operatorId, partnerId, signInAs, usd, visited, WAIT,
} from "./support.mjs";

const decimal = (units) => `${units / 100n}.${(units % 100n).toString().padStart(2, "0")}`;

const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const productName = (item) => (item.skuTitle && item.skuTitle !== item.title ? `${item.title} (${item.skuTitle})` : item.title);

async function activeCustomer(admin, app, resellerId, resellerPartnerId, name, { acceptAgreement = true } = {}) {
  const customerDomain = domain("store");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId, name, domain: customerDomain, contactEmail: "it@store.example",
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId, domain: customerDomain, country: "US", acceptAgreement,
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.currency === "USD");
  return customerId;
}

/** A provider with the US catalog, an active reseller with staff, two active US customers under it; the first with
 * its storefront open, an admin of its own and the Microsoft Customer Agreement not accepted yet. */
async function openStorefront() {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Store ${newId("s").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const all = (await api(admin, "GET", "/catalog?country=US&termDuration=P1Y&billingCycle=monthly&limit=500")).items;
  const wide = (await api(admin, "GET", "/catalog?country=US&limit=500")).items;
  const rare = all.filter((item) => {
    const word = item.title.toLowerCase();
    const alike = wide.filter((other) => `${other.title} ${other.skuTitle}`.toLowerCase().includes(word));
    return item.price !== null && cents(item.price) >= 100n && !item.isAddon && alike.length <= 12 && (item.maxQuantity ?? 99) >= 5;
  });
  const picked = [];
  for (const item of rare) if (!picked.some((p) => p.title === item.title)) picked.push(item);
  assert.ok(picked.length >= 2, `two distinct one-year monthly items in the US catalog (found ${picked.length})`);
  for (const item of picked.slice(0, 2)) {
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }

  const resellerPartnerId = partnerId();
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: resellerPartnerId, name: `Reseller ${resellerPartnerId}`, contactEmail: "it@reseller.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: resellerPartnerId });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  // Its global admin accepted the relationship request but not the Microsoft Customer Agreement.
  const customerId = await activeCustomer(admin, app, resellerId, resellerPartnerId, `Fabrikam ${newId("c").slice(2, 8)}`,
    { acceptAgreement: false });
  const otherId = await activeCustomer(admin, app, resellerId, resellerPartnerId, `Contoso ${newId("c").slice(2, 8)}`);

  const resellerAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: resellerAdmin, orgType: "reseller", orgId: resellerId, role: "reseller.admin" });
  const staff = newId("reseller-staff");
  await api(resellerAdmin, "POST", "/members", { userId: staff, orgType: "reseller", orgId: resellerId, role: "reseller.staff" });
  await api(staff, "PATCH", `/customers/${customerId}`, { storefrontEnabled: true });
  const customerAdmin = newId("customer-admin");
  await api(admin, "POST", "/members", { userId: customerAdmin, orgType: "customer", orgId: customerId, role: "customer.admin" });

  // The items at the customer's own price, cheaper first: the threshold lets two of the cheaper one through.
  const priced = [];
  for (const item of picked.slice(0, 2)) {
    const found = (await api(customerAdmin, "GET", `/storefront/catalog?q=${encodeURIComponent(item.title)}&limit=100`)).items
      .find((i) => i.catalogItemId === item.catalogItemId);
    assert.ok(found?.price, `${item.title} is in the storefront at a price`);
    priced.push(found);
  }
  priced.sort((x, y) => (cents(x.price) < cents(y.price) ? -1 : 1));
  const [cheap, dear] = priced;
  const threshold = cents(cheap.price) * 3n;
  await api(staff, "PATCH", `/customers/${customerId}`, {
    storefrontPolicy: { approvalThreshold: decimal(threshold), allowSeatDecrease: true, maxTermDuration: "P3Y" },
  });
  const overQuantity = threshold / cents(dear.price) + 1n;
  assert.ok(overQuantity <= BigInt(dear.maxQuantity ?? 99), "the dearer item can be bought above the threshold");
  return { app, admin, staff, customerId, otherId, customerAdmin, cheap, dear, threshold, overQuantity: Number(overQuantity) };
}

async function addToCart(page, item, quantity) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Store", exact: true }).click();
  await page.getByRole("heading", { name: "Store", level: 1 }).waitFor();
  await page.getByRole("searchbox", { name: "Search the catalog" }).fill(item.title);
  await page.getByText(`Showing products matching “${item.title}”.`).waitFor();
  const name = productName(item);
  const card = page.getByRole("group", { name, exact: true });
  await card.waitFor();
  await card.getByLabel(`Term and billing of ${name}`).selectOption({ label: "1 year, billed monthly" });
  await card.getByText(`${usd(cents(item.price))} per licence, 1 year, billed monthly`).waitFor();
  await card.getByRole("spinbutton", { name: `Quantity of ${name}` }).fill(String(quantity));
  await card.getByRole("button", { name: `Add ${name} to cart` }).click();
  await card.getByText(`Added ${quantity} × ${name}`, { exact: false }).waitFor();
}

const orderStatus = (page, label) => page.getByRole("status", { name: "Order status" }).getByText(label, { exact: true });

browserTest("a customer admin buys in its storefront, waits for approval above the threshold, adds seats, reads its charges, and sees it closed", async ({ page, browser }) => {
  const world = await openStorefront();
  const { admin, staff, customerAdmin, cheap, dear, threshold, overQuantity } = world;

  // Signed in, it lands in the storefront; staff pages are not for it.
  await signInAs(page, customerAdmin, "/");
  await page.waitForURL(/\/store\/catalog$/, WAIT);
  await page.getByRole("heading", { name: "Store", level: 1 }).waitFor();
  const menu = page.getByRole("navigation", { name: "Main" });
  for (const label of ["Store", "Cart", "Orders", "Subscriptions", "Charges"]) await menu.getByRole("link", { name: label, exact: true }).waitFor();
  assert.equal(await menu.getByRole("link", { name: "Customers" }).count(), 0, "no staff page in its menu");
  await visited(page, "storefront-catalog");

  // (a) Under the threshold: placed, then followed to completed without a reload.
  await addToCart(page, cheap, 2);
  await visited(page, "storefront-added");
  await menu.getByRole("link", { name: "Cart", exact: true }).click();
  const cartLines = page.getByRole("table", { name: "Cart lines" });
  await cartLines.getByText(usd(cents(cheap.price) * 2n)).waitFor();
  await page.getByRole("group", { name: "Cart total" }).getByText(`Total: ${usd(cents(cheap.price) * 2n)}`).waitFor();
  await page.getByText(`Orders over ${usd(threshold)} wait for your reseller's approval.`).waitFor();
  assert.equal(await page.getByText("This order will wait for your reseller's approval").count(), 0);
  await visited(page, "storefront-cart-under");
  // The first order is refused (409) until the organisation accepts the Microsoft Customer Agreement, at Microsoft's link.
  const agreement = page.getByRole("region", { name: "Microsoft Customer Agreement" });
  const link = agreement.getByRole("link", { name: "Microsoft's Customer Agreement" });
  assert.match(await link.getAttribute("href"), /^https:\/\//);
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByText(/Your order was not placed: your organisation has not accepted the Microsoft Customer Agreement/).waitFor();
  assert.equal((await api(customerAdmin, "GET", "/storefront/orders")).items.length, 0, "nothing was ordered");
  await visited(page, "storefront-agreement-refused");
  await agreement.getByRole("textbox", { name: /^Your first name/ }).fill("Nina");
  await agreement.getByRole("textbox", { name: /^Your last name/ }).fill("Winters");
  await agreement.getByRole("textbox", { name: /^Your email/ }).fill("nina@fabrikam.example");
  await agreement.getByRole("checkbox", { name: /accept it on behalf of my organisation/ }).check();
  await agreement.getByRole("button", { name: "I accept" }).click();
  await page.getByRole("note").getByText(/Microsoft Customer Agreement accepted on .* by Nina Winters/).waitFor();
  assert.equal((await api(customerAdmin, "GET", "/storefront/agreement")).status, "accepted");
  await visited(page, "storefront-agreement-accepted");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/store\/orders\/ord-/, WAIT);
  const firstId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await page.evaluate(() => { window.__notReloaded = true; });
  await orderStatus(page, "Completed").waitFor({ timeout: 180_000 });
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "followed without a reload");
  const lines = page.getByRole("table", { name: "Order lines" });
  await lines.getByText("Provisioned", { exact: true }).waitFor();
  const first = await api(customerAdmin, "GET", `/storefront/orders/${firstId}`);
  assert.equal(first.status, "completed");
  await page.getByText(usd(cents(first.totals.customerPrice))).first().waitFor();
  await visited(page, "storefront-order-completed");

  // (b) Over it: the order waits; the reseller's staff approve it in their own browser; the customer's page follows.
  await addToCart(page, dear, overQuantity);
  await menu.getByRole("link", { name: "Cart", exact: true }).click();
  const overTotal = cents(dear.price) * BigInt(overQuantity);
  await page.getByRole("group", { name: "Cart total" }).getByText(`Total: ${usd(overTotal)}`).waitFor();
  await page.getByText("This order will wait for your reseller's approval").waitFor();
  await visited(page, "storefront-cart-over");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL((url) => /\/store\/orders\/ord-/.test(url.pathname) && !url.pathname.endsWith(firstId), WAIT);
  const waitingId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await orderStatus(page, "Awaiting approval").waitFor();
  await page.getByText("Waiting for your reseller's approval").waitFor();
  await page.evaluate(() => { window.__notReloaded = true; });
  await visited(page, "storefront-order-awaiting");

  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  staffContext.setDefaultTimeout(WAIT.timeout);
  try {
    const staffPage = await staffContext.newPage();
    await signInAs(staffPage, staff, "/orders?queue=approval");
    await staffPage.locator(`a[href="/orders/${waitingId}"]`).first().click();
    await staffPage.getByRole("button", { name: "Approve order" }).click();
    await staffPage.getByText(/^Approved/).waitFor();

    // The customer's page shows its storefront and policy to its reseller's staff, who may edit them, and who
    // accepted the Microsoft Customer Agreement.
    await staffPage.goto(`${CONSOLE_URL}/customers/${encodeURIComponent(world.customerId)}`);
    const accepted = staffPage.getByRole("region", { name: "Microsoft Customer Agreement" });
    await accepted.getByText("Accepted", { exact: true }).waitFor();
    await accepted.getByText("Nina Winters (nina@fabrikam.example)").waitFor();
    const storefront = staffPage.getByRole("region", { name: "Storefront" });
    await storefront.getByText(`orders over ${usd(threshold)} wait`).waitFor();
    await storefront.getByText("open to its admins").waitFor();
    await storefront.getByRole("button", { name: "Edit storefront" }).click();
    const dialog = staffPage.getByRole("dialog");
    assert.equal(await dialog.getByRole("textbox", { name: /Approval threshold/ }).inputValue(), decimal(threshold));
    // The items it may buy are picked from its market's catalog, by name (left unsaved: every item stays open).
    await dialog.getByText("None chosen: every item sold to them.").waitFor();
    await dialog.getByRole("searchbox").fill(cheap.title);
    await dialog.getByRole("button", { name: new RegExp(`^Add ${escaped(productName(cheap))}, 1 year`) }).first().click();
    const chosen = dialog.getByRole("list", { name: "Items they may buy" });
    await chosen.getByText(new RegExp(`^${escaped(productName(cheap))}, 1 year`)).waitFor();
    await visited(staffPage, "storefront-staff-policy");
    await chosen.getByRole("button", { name: /^Remove / }).click();
    await dialog.getByText("None chosen: every item sold to them.").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
  } finally {
    await staffContext.close();
  }
  await orderStatus(page, "Completed").waitFor({ timeout: 180_000 });
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "followed without a reload");
  await page.getByRole("table", { name: "Order lines" }).getByRole("cell", { name: String(overQuantity), exact: true }).waitFor();
  await visited(page, "storefront-order-approved");

  // Its orders, both completed.
  await menu.getByRole("link", { name: "Orders", exact: true }).click();
  const orders = page.getByRole("table", { name: "Your orders" });
  await orders.getByText(`${overQuantity} × ${dear.title}`).waitFor();
  await orders.getByText(`2 × ${cheap.title}`).waitFor();
  assert.equal(await orders.getByRole("cell", { name: "Completed", exact: true }).count(), 2);
  await visited(page, "storefront-orders");

  // (c) Seats added to the first subscription, followed until applied.
  const subs = (await api(customerAdmin, "GET", "/storefront/subscriptions")).items;
  const sub = subs.find((s) => s.id === first.lines[0].subscriptionId);
  assert.ok(sub, "the first order's subscription is listed");
  await menu.getByRole("link", { name: "Subscriptions", exact: true }).click();
  const card = page.getByRole("group", { name: sub.name, exact: true });
  await card.getByRole("spinbutton", { name: `Seats of ${sub.name}` }).fill("4");
  await card.getByText("Adds 2 seats.").waitFor();
  await visited(page, "storefront-subscriptions");
  await card.getByRole("button", { name: "Change seats" }).click();
  await card.getByText("Applied: seats to 4").waitFor({ timeout: 180_000 });
  await card.locator("dd").getByText("4", { exact: true }).first().waitFor();
  assert.equal((await api(customerAdmin, "GET", "/storefront/subscriptions")).items.find((s) => s.id === sub.id).quantity, 4);
  await visited(page, "storefront-seats-applied");

  // (d) Charges: none before a billing run covers the month, then its own lines and total in USD.
  const period = (await control("GET", "clock")).now.slice(0, 7);
  await menu.getByRole("link", { name: "Charges", exact: true }).click();
  await page.getByRole("heading", { name: "Charges", level: 1 }).waitFor();
  await page.getByLabel("Billing period").fill(period);
  await page.getByText(`No billing run covers ${period} yet`, { exact: false }).waitFor();
  await visited(page, "storefront-charges-none");
  await control("POST", "reconciliation", { providerTenantId: world.app.tenantId, period, kind: "billed", seed: 5 });
  const run = await api(admin, "POST", "/billing/runs", { period, kind: "billed" });
  await eventually(() => api(admin, "GET", `/billing/runs/${encodeURIComponent(run.id)}`), (r) => ["completed", "failed"].includes(r.status), 180_000);
  const charges = await api(customerAdmin, "GET", `/storefront/charges?period=${period}`);
  assert.equal(charges.runId, run.id);
  await page.reload();
  await page.getByLabel("Billing period").fill(period);
  if (charges.items.length) {
    const table = page.getByRole("table", { name: `Charges for ${period}` });
    await table.waitFor();
    assert.equal(await table.locator("tbody tr").count(), charges.items.length);
    await page.getByRole("group", { name: "Charges total" }).getByText(`Total: ${usd(cents(charges.total))}`).waitFor();
    assert.equal(charges.currency, "USD");
  } else {
    await page.getByText(`You have no charges in ${period}.`).waitFor();
  }
  await visited(page, "storefront-charges");

  // (e) Another customer's order is not found; a staff page is not allowed.
  const other = await api(staff, "POST", "/orders", {
    customerId: world.otherId,
    lines: [{ catalogItemId: cheap.catalogItemId, quantity: 1, termDuration: "P1Y", billingCycle: "monthly" }],
  });
  await page.goto(page.url().replace(/\/store\/charges.*$/, `/store/orders/${encodeURIComponent(other.id)}`));
  await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
  await visited(page, "storefront-order-not-found");
  await page.goto(page.url().replace(/\/store\/orders\/.*$/, "/customers"));
  await page.getByRole("heading", { name: "Not allowed", level: 1 }).waitFor();

  // Switched off by its reseller, the store pages say why.
  await api(staff, "PATCH", `/customers/${world.customerId}`, { storefrontEnabled: false });
  await menu.getByRole("link", { name: "Store", exact: true }).click();
  await page.getByText("Your storefront is not open").waitFor();
  await page.getByText(/has not enabled the storefront/).waitFor();
  await visited(page, "storefront-closed");
  await menu.getByRole("link", { name: "Orders", exact: true }).click();
  await page.getByText("Your storefront is not open").waitFor();
});

