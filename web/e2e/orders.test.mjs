// A reseller's staff sell from a customer's page: first they record the customer's acceptance of the Microsoft
// Customer Agreement (orders are refused without it), then an order of two lines built from the customer's market, its
// total seen before sending, then followed on its page until it completes, each line linking its subscription;
// storefront orders above the customer's approval threshold wait, one approved and provisioned, one rejected with
// a reason. The reseller's staff never see the provider's cost. A promotion: the provider's admin sees it in the
// catalog and passes half its discount down; the reseller's staff buy a line under it at their promotional price.
import assert from "node:assert/strict";
import {
  api, browserTest, cents, control, domain, enrolledProvider, eventually, newId, operatorId, partnerId, signInAs, usd, visited, WAIT,
} from "./support.mjs";

const itemName = (item) => (item.skuTitle && item.skuTitle !== item.title ? `${item.title} (${item.skuTitle})` : item.title);

/** A provider with the US catalog, an active reseller with a staff member, an active US customer under it. */
/** A provider selling two items to a reseller's active customer; `acceptAgreement: false` leaves the customer
 * without the Microsoft Customer Agreement (its global admin accepts only the relationship request). */
async function readyToSell({ acceptAgreement = true } = {}) {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Orders ${newId("o").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });

  // Two one-year monthly items whose names a search finds among few others, switched on for resellers.
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
  const items = picked.slice(0, 2);
  for (const item of items) {
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }

  const resellerPartnerId = partnerId();
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: resellerPartnerId, name: `Reseller ${resellerPartnerId}`, contactEmail: "it@reseller.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: resellerPartnerId });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");

  const name = `Wingtip ${newId("c").slice(2, 8)}`;
  const customerDomain = domain("wingtip");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId, name, domain: customerDomain, contactEmail: "it@wingtip.example",
  });
  // Its global admin accepts the relationship request, and with it the Microsoft Customer Agreement unless told not to.
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId, domain: customerDomain, country: "US", acceptAgreement,
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.currency === "USD");

  // The provider's admin adds the reseller's first admin, who adds its staff.
  const resellerAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: resellerAdmin, orgType: "reseller", orgId: resellerId, role: "reseller.admin" });
  const staff = newId("reseller-staff");
  await api(resellerAdmin, "POST", "/members", { userId: staff, orgType: "reseller", orgId: resellerId, role: "reseller.staff" });
  return { admin, staff, customerId, name, items };
}

/** Nothing on the page speaks of the provider's cost, and the API gave none of it. */
async function noProviderCost(page, staff, orderId) {
  const main = page.getByRole("main");
  assert.equal(await main.getByText(/cost/i).count(), 0, "the page names no cost");
  assert.equal(await main.getByRole("columnheader", { name: /cost/i }).count(), 0, "no cost column");
  const order = await api(staff, "GET", `/orders/${orderId}`);
  assert.ok(!("providerCost" in order.totals), "no providerCost in the totals");
  for (const line of order.lines) assert.ok(!("providerCost" in line) && !("providerCostTotal" in line), "no providerCost on a line");
  return order;
}

/** The order's own status, as its page shows it (not a line's). */
const orderStatus = (page, status) => page.getByRole("status").getByText(status, { exact: true });

browserTest("reseller staff place an order, follow it to completed, and approve and reject storefront orders", async ({ page }) => {
  const { admin, staff, customerId, name, items } = await readyToSell({ acceptAgreement: false });
  const prices = new Map(
    (await api(staff, "GET", `/catalog?customerId=${customerId}&termDuration=P1Y&billingCycle=monthly&limit=500`)).items
      .map((item) => [item.catalogItemId, item]),
  );
  const [first, second] = items.map((item) => prices.get(item.catalogItemId));
  assert.ok(first && second, "both items are sold to the reseller");
  assert.ok(!("cost" in first), "the reseller's catalog has no cost");

  // The customer's page: its orders, none yet, and "Place an order".
  await signInAs(page, staff, `/customers/${customerId}`);
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  const orders = page.getByRole("region", { name: "Orders" });
  await orders.getByText("No order yet").waitFor();
  await visited(page, "orders-customer-none");

  // Orders are refused until the customer's acceptance of the Microsoft Customer Agreement is recorded.
  const agreement = page.getByRole("region", { name: "Microsoft Customer Agreement" });
  await agreement.getByText("Not accepted", { exact: true }).waitFor();
  await agreement.getByText(/its orders are refused until an acceptance is recorded/).waitFor();
  await agreement.getByRole("button", { name: "Record acceptance" }).click();
  const record = page.getByRole("dialog");
  await record.getByRole("textbox", { name: /^First name/ }).fill("Nina");
  await record.getByRole("textbox", { name: /^Last name/ }).fill("Winters");
  await record.getByRole("textbox", { name: /^Email/ }).fill("nina@wingtip.example");
  await record.getByRole("textbox", { name: /^Phone number/ }).fill("+1 425 555 0100");
  await visited(page, "orders-customer-agreement-dialog");
  await record.getByRole("button", { name: "Record acceptance" }).click();
  await record.waitFor({ state: "detached" });
  await agreement.getByText("Accepted", { exact: true }).waitFor();
  await agreement.getByText("Nina Winters (nina@wingtip.example, +1 425 555 0100)").waitFor();
  assert.equal((await api(staff, "GET", `/customers/${customerId}`)).agreement.status, "accepted");
  await visited(page, "orders-customer-agreement-accepted");

  await orders.getByRole("button", { name: "Place an order" }).click();
  const dialog = page.getByRole("dialog");
  const quantities = [3, 2];
  for (const [index, item] of [first, second].entries()) {
    await dialog.getByRole("searchbox", { name: /Search the customer's market/ }).fill(item.title);
    await dialog.getByRole("button", { name: `Add ${itemName(item)}, 1 year, monthly`, exact: true }).click();
    const quantity = dialog.getByRole("spinbutton", { name: `Quantity of ${itemName(item)}` });
    await quantity.fill(String(quantities[index]));
  }
  const expected = cents(first.price) * 3n + cents(second.price) * 2n;
  await dialog.getByRole("group", { name: "Order total" })
    .getByText(`Reseller price total (reseller price × quantity): ${usd(expected)}`).waitFor();
  assert.equal(await dialog.getByText(/cost/i).count(), 0, "the dialog names no cost");
  await visited(page, "orders-place-dialog");
  await dialog.getByRole("button", { name: "Place order" }).click();

  // The order's page follows it, without a reload, until it completes.
  await page.waitForURL(/\/orders\/ord-/, WAIT);
  const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await page.getByRole("heading", { name: `Order for ${name}`, level: 1 }).waitFor();
  await page.evaluate(() => { window.__notReloaded = true; });
  await orderStatus(page, "completed").waitFor();
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page followed the order without a reload");
  const completed = await noProviderCost(page, staff, orderId);
  assert.equal(completed.status, "completed");
  assert.equal(completed.totals.resellerPrice, usd(expected).replace(" USD", "").replace(/,/g, ""));
  const lines = page.getByRole("table", { name: "Order lines" });
  for (const line of completed.lines) {
    assert.ok(line.subscriptionId, "each line has its subscription");
    const link = lines.getByRole("link", { name: line.subscriptionId });
    assert.equal(await link.getAttribute("href"), `/subscriptions/${encodeURIComponent(line.subscriptionId)}`);
  }
  assert.equal(await lines.getByRole("link").count(), 2);
  await page.getByText(usd(expected)).first().waitFor(); // the reseller price total, as the API priced it
  await visited(page, "orders-order-completed");

  // The storefront: above the customer's approval threshold, its admin's orders wait.
  await api(staff, "PATCH", `/customers/${customerId}`, {
    storefrontEnabled: true, storefrontPolicy: { approvalThreshold: "1.00", allowSeatDecrease: true, maxTermDuration: "P1Y" },
  });
  const customerAdmin = newId("customer-admin");
  await api(admin, "POST", "/members", { userId: customerAdmin, orgType: "customer", orgId: customerId, role: "customer.admin" });
  const line = { catalogItemId: first.catalogItemId, quantity: 2, termDuration: "P1Y", billingCycle: "monthly" };
  const toApprove = await api(customerAdmin, "POST", "/storefront/orders", { lines: [line] });
  const toReject = await api(customerAdmin, "POST", "/storefront/orders", { lines: [{ ...line, quantity: 3 }] });
  assert.equal(toApprove.status, "pendingApproval");
  assert.equal(toReject.status, "pendingApproval");

  // Found under "waiting for approval" on the customer's page, approved, then followed to completed.
  await page.getByRole("link", { name: `Back to ${name}` }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await orders.getByLabel("Show").selectOption({ label: "Waiting for approval" });
  const approveLink = orders.locator(`a[href="/orders/${toApprove.id}"]`);
  await approveLink.waitFor();
  await orders.locator(`a[href="/orders/${toReject.id}"]`).waitFor();
  assert.equal(await orders.locator(`a[href="/orders/${orderId}"]`).count(), 0, "a completed order is not waiting");
  await visited(page, "orders-waiting-for-approval");
  await approveLink.click();
  await page.getByRole("heading", { name: `Order for ${name}`, level: 1 }).waitFor();
  await orderStatus(page, "pendingApproval").waitFor();
  await visited(page, "orders-pending-approval");
  await page.getByRole("button", { name: "Approve order" }).click();
  await page.getByText(/^Approved/).waitFor();
  await orderStatus(page, "completed").waitFor();
  const approved = await noProviderCost(page, staff, toApprove.id);
  assert.equal(approved.status, "completed");
  await page.getByRole("table", { name: "Order lines" }).getByRole("link", { name: approved.lines[0].subscriptionId }).waitFor();
  await visited(page, "orders-approved-completed");

  // The other one rejected with a reason, which its page then shows.
  await page.getByRole("link", { name: `Back to ${name}` }).click();
  await orders.getByLabel("Show").selectOption({ label: "Waiting for approval" });
  await orders.locator(`a[href="/orders/${toReject.id}"]`).click();
  await orderStatus(page, "pendingApproval").waitFor();
  await page.getByRole("button", { name: "Reject order" }).click();
  const reject = page.getByRole("dialog");
  const reason = "Three seats are one too many: the customer asked for two.";
  await reject.getByRole("textbox", { name: /Reason/ }).fill(reason);
  await visited(page, "orders-reject-dialog");
  await reject.getByRole("button", { name: "Reject order" }).click();
  await orderStatus(page, "rejected").waitFor();
  await page.getByText(reason).waitFor();
  assert.equal(await page.getByRole("button", { name: "Approve order" }).count(), 0, "a rejected order is decided");
  const rejected = await noProviderCost(page, staff, toReject.id);
  assert.equal(rejected.rejectionReason, reason);
  await visited(page, "orders-rejected");
});

browserTest("reseller staff co-term a line with the customer's subscription and see an add-on refused without its base", async ({ page }) => {
  const { admin, staff, customerId, name, items } = await readyToSell();
  const catalog = (await api(admin, "GET", "/catalog?country=US&limit=500")).items;
  const variant = (item, term, cycle) =>
    catalog.find((other) => other.offerId === item.offerId && other.termDuration === term && other.billingCycle === cycle);
  const monthlyBase = variant(items[0], "P1M", "monthly");
  const annual = variant(items[1], "P1Y", "annual");
  const addon = catalog.find((item) => item.isAddon && item.prerequisiteSkus.length > 0 && item.price !== null);
  assert.ok(monthlyBase && annual && addon, "a one-month item, a one-year annual item and an add-on in the US catalog");
  for (const item of [monthlyBase, annual, addon]) {
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }

  // A one-month subscription to end with, bought first.
  const base = await api(staff, "POST", "/orders", {
    customerId, lines: [{ catalogItemId: monthlyBase.catalogItemId, quantity: 1, termDuration: "P1M", billingCycle: "monthly" }],
  });
  const bought = await eventually(() => api(staff, "GET", `/orders/${base.id}`), (o) => o.status === "completed");
  const target = await api(staff, "GET", `/subscriptions/${bought.lines[0].subscriptionId}`);
  const lastDay = target.termEndDate.slice(0, 10);

  await signInAs(page, staff, `/customers/${customerId}`);
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  const orders = page.getByRole("region", { name: "Orders" });
  await orders.getByRole("button", { name: "Place an order" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("searchbox", { name: /Search the customer's market/ }).fill(annual.title);
  await dialog.getByRole("button", { name: `Add ${itemName(annual)}, 1 year, annual`, exact: true }).click();
  await dialog.getByRole("combobox", { name: `End of ${itemName(annual)}` }).selectOption({ value: target.id });
  const drafted = dialog.getByRole("table", { name: "Order lines" });
  await drafted.getByText(new RegExp(`^Ends ${lastDay}; first cycle \\d+ of \\d+ days$`)).waitFor();
  await drafted.getByText("first cycle, prorated").waitFor();
  await visited(page, "orders-place-coterm");
  await dialog.getByRole("button", { name: "Place order" }).click();

  await page.waitForURL(/\/orders\/ord-/, WAIT);
  const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await page.getByText(`Ends ${lastDay} with ${target.id}; first cycle prorated`).waitFor();
  await orderStatus(page, "completed").waitFor();
  const placed = await api(staff, "GET", `/orders/${orderId}`);
  assert.equal(placed.lines[0].customTermEndDate, lastDay);
  assert.ok(cents(placed.lines[0].resellerPriceFirstCycle) < cents(placed.lines[0].resellerPrice), "the first cycle is prorated");
  await visited(page, "orders-coterm-completed");
  await page.getByRole("table", { name: "Order lines" }).getByRole("link", { name: placed.lines[0].subscriptionId }).click();
  await page.getByText(`${lastDay} (co-termed: a shorter first term)`).waitFor();
  await visited(page, "subscriptions-coterm");

  // An add-on without its base: what it needs is said before, and the API's refusal names the base at its line.
  await page.goto(new URL(`/customers/${customerId}`, page.url()).toString());
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await orders.getByRole("button", { name: "Place an order" }).click();
  await dialog.getByRole("searchbox", { name: /Search the customer's market/ }).fill(addon.title);
  await dialog.getByText(`Add-on: needs an active subscription of ${addon.prerequisiteSkus.join(" or ")}`, { exact: false }).first().waitFor();
  await dialog.getByRole("button", { name: new RegExp(`^Add ${itemName(addon).replace(/[()]/g, "\\$&")}, `) }).first().click();
  await dialog.getByRole("button", { name: "Place order" }).click();
  const refusal = dialog.getByRole("table", { name: "Order lines" }).getByRole("alert");
  await refusal.waitFor();
  assert.match(await refusal.textContent(), new RegExp(addon.prerequisiteSkus[0]));
  await visited(page, "orders-addon-refused");
});

browserTest("a promotion seen in the catalog, its pass-through share set, and an order line bought under it", async ({ page }) => {
  const { admin, staff, customerId, name } = await readyToSell();
  const promotionId = "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"; // the sandbox's Business Basic 15% off one-year terms
  const basic = (await api(admin, "GET", "/catalog?country=US&termDuration=P1Y&billingCycle=monthly&limit=500")).items
    .find((item) => item.catalogItemId.startsWith("CFQ7TTC0LH18:0001:"));
  assert.ok(basic, "the US catalog has Business Basic on a one-year monthly term");
  await api(admin, "PUT", `/catalog/items/${encodeURIComponent(basic.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  await api(admin, "POST", `/customers/${customerId}/agreement`, {
    firstName: "Nina", lastName: "Winters", email: "nina@wingtip.example", dateAgreed: new Date(Date.now() - 60_000).toISOString(),
  });

  // The provider's admin sees the promotion in the catalog and passes half of its discount down.
  await signInAs(page, admin, "/catalog?country=US");
  const promotions = page.getByRole("region", { name: "Promotions in US" });
  await promotions.getByText("Microsoft 365 Business Basic annual 15% off").waitFor(WAIT);
  await promotions.getByText("Promotion −15%").first().waitFor();
  await promotions.getByText(/1 to 300 seats/).waitFor();
  const share = page.getByRole("textbox", { name: /Share of a promotion's discount/ });
  assert.equal(await share.inputValue(), "100", "the whole discount passes down by default");
  await share.fill("150");
  await page.getByRole("button", { name: "Save pass-through share" }).click();
  await page.getByText("Enter a percentage from 0 to 100, two decimals at most.").waitFor(WAIT);
  assert.equal((await api(admin, "GET", "/catalog/settings")).promotionPassThrough, "1", "a refused share changes nothing");
  await share.fill("50");
  await page.getByRole("button", { name: "Save pass-through share" }).click();
  await page.getByText("Saved: 50% of a promotion's discount passes down.").waitFor(WAIT);
  assert.equal((await api(admin, "GET", "/catalog/settings")).promotionPassThrough, "0.5");
  await page.reload();
  await page.getByText("Stored: 50%.").waitFor(WAIT);
  await visited(page, "catalog-promotions");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();

  // The reseller's staff buy Business Basic under it, at their own promotional price.
  const offered = (await api(staff, "GET", "/catalog/promotions?country=US")).items.find((p) => p.id === promotionId);
  const mine = offered?.items.find((item) => item.catalogItemId === basic.catalogItemId);
  assert.ok(mine && mine.promotionalPrice && cents(mine.promotionalPrice) < cents(mine.price), "a lower price under the promotion");
  await signInAs(page, staff, `/customers/${customerId}`);
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await page.getByRole("region", { name: "Orders" }).getByRole("button", { name: "Place an order" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("searchbox", { name: /Search the customer's market/ }).fill("Business Basic");
  await dialog.getByRole("button", { name: `Add ${itemName(basic)}, 1 year, monthly`, exact: true }).click();
  await dialog.getByRole("spinbutton", { name: `Quantity of ${itemName(basic)}` }).fill("4");
  await dialog.getByRole("combobox", { name: `Promotion for ${itemName(basic)}` }).selectOption(promotionId);
  const lines = dialog.getByRole("table", { name: "Order lines" });
  await lines.getByText(`instead of ${usd(cents(mine.price))}`).waitFor();
  await dialog.getByRole("group", { name: "Order total" })
    .getByText(`Reseller price total (reseller price × quantity): ${usd(cents(mine.promotionalPrice) * 4n)}`).waitFor();
  await visited(page, "orders-place-promotion");
  await dialog.getByRole("button", { name: "Place order" }).click();

  await page.waitForURL(/\/orders\/ord-/, WAIT);
  const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await page.getByRole("table", { name: "Order lines" }).getByText(`Under promotion ${promotionId}`).waitFor(WAIT);
  await orderStatus(page, "completed").waitFor(WAIT);
  const order = await api(staff, "GET", `/orders/${orderId}`);
  assert.equal(order.lines[0].promotionId, promotionId);
  assert.equal(order.lines[0].resellerPrice, mine.promotionalPrice);
  await visited(page, "orders-promotion-completed");
});
