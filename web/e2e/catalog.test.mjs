// The catalog and the three price tiers in a browser: a provider admin searches the US catalog, switches an item
// off (it stays off), prices a reseller (a margin and a fixed price, previewed before saving); the reseller's staff
// then see their own prices only, price their customer, and the customer's catalog shows exactly the previewed
// price. A margin that is no number is refused by the API at the margin field.
import assert from "node:assert/strict";
import {
  api, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, signInAs, visited,
} from "./support.mjs";

async function eventually(read, accept, timeout = 90_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`did not converge: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A reseller invited by the provider and accepted in Partner Center, checked until active. */
async function activeReseller(admin, app) {
  const id = partnerId();
  const name = `Reseller ${id}`;
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", { partnerId: id, name, contactEmail: "it@r.example" });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: id });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  return { resellerId, name };
}

/** A customer invited under the reseller, accepted by its admin with its market in the US, checked until active. */
async function activeCustomer(admin, app, resellerId) {
  const customerDomain = domain("tailspin");
  const name = `Tailspin ${newId("c").slice(2, 8)}`;
  const invited = await api(admin, "POST", "/customer-invitations", {
    resellerId, name, domain: customerDomain, contactEmail: "it@tailspin.example",
  });
  await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, url: invited.invitationUrl, domain: customerDomain, country: "US",
  });
  await api(admin, "POST", `/customers/${invited.customerId}/relationship-check`);
  await eventually(
    () => api(admin, "GET", `/customers/${invited.customerId}`),
    (c) => c.status === "active" && c.country === "US",
  );
  return { customerId: invited.customerId, name };
}

const E1_MONTH = "Office 365 E1 · 1 month · Monthly";
const E1_YEAR = "Office 365 E1 · 1 year · Annual";
const STANDARD_MONTH = "Microsoft 365 Business Standard · 1 month · Monthly";

/** The text of each cell of the table row that starts with this item. */
async function rowCells(table, label) {
  const row = table.getByRole("row").filter({ has: table.page().getByRole("cell", { name: label, exact: true }) });
  await row.first().waitFor();
  return row.first().getByRole("cell").allTextContents();
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
}

browserTest("the catalog at each tier's own price, the sellable switch and pricing with its preview", async ({ page }) => {
  const operator = await operatorId();
  const { app, provider, admin } = await enrolledProvider(operator, `Catalog ${newId("p").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  const synced = await api(admin, "POST", "/catalog/sync", { country: "US" });
  assert.equal(synced.country, "US");
  const us = await api(admin, "GET", "/catalog?country=US&limit=500");
  const byLabel = (title, term, cycle) =>
    us.items.find((i) => i.title === title && i.termDuration === term && i.billingCycle === cycle);
  const e1Month = byLabel("Office 365 E1", "P1M", "monthly");
  const e1Year = byLabel("Office 365 E1", "P1Y", "annual");
  const e1YearMonthly = byLabel("Office 365 E1", "P1Y", "monthly");
  const standardMonth = byLabel("Microsoft 365 Business Standard", "P1M", "monthly");
  // A sync queued at enrollment may have brought the market in switched off: switch on what the test sells.
  for (const item of [e1Month, e1Year, e1YearMonthly, standardMonth]) {
    assert.ok(item, "the sandbox's US catalog has the items this test prices");
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }
  const reseller = await activeReseller(admin, app);
  const customer = await activeCustomer(admin, app, reseller.resellerId);
  const resellerAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: resellerAdmin, orgType: "reseller", orgId: reseller.resellerId, role: "reseller.admin" });
  const resellerStaff = newId("reseller-staff");
  await api(resellerAdmin, "POST", "/members", { userId: resellerStaff, orgType: "reseller", orgId: reseller.resellerId, role: "reseller.staff" });
  const customerAdmin = newId("customer-admin");
  await api(admin, "POST", "/members", { userId: customerAdmin, orgType: "customer", orgId: customer.customerId, role: "customer.admin" });

  // The provider admin: the US catalog at cost, searched.
  await signInAs(page, admin, "/");
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalog" }).click();
  await page.getByRole("heading", { name: "Catalog", level: 1 }).waitFor();
  const catalog = page.getByRole("table", { name: "Catalog US" });
  await catalog.waitFor();
  assert.equal(await page.getByRole("combobox", { name: "Market" }).inputValue(), "US", "the customers' market is the default");
  await catalog.getByRole("columnheader", { name: "Cost" }).waitFor();
  await catalog.getByRole("cell", { name: "26.40 USD" }).first().waitFor(); // Business Premium, a month
  await visited(page, "catalog-provider");

  await page.getByRole("searchbox", { name: "Search titles" }).fill("E1");
  await page.getByRole("button", { name: "Search" }).click();
  await catalog.getByRole("cell", { name: "Microsoft 365 E5" }).first().waitFor({ state: "detached" });
  const e1Rows = catalog.getByRole("row").filter({ has: page.getByRole("cell", { name: "Office 365 E1", exact: true }) });
  await e1Rows.nth(2).waitFor();
  assert.equal(await e1Rows.count(), 3, "the three terms of Office 365 E1, nothing else");
  const e1Cells = await rowCells(catalog, "Office 365 E1");
  assert.ok(e1Cells.includes("12.00 USD"), `the price with its currency: ${e1Cells}`);
  await visited(page, "catalog-provider-search");

  // Switched off, and still off after a reload.
  const yearSwitch = page.getByRole("switch", { name: `Sellable: ${E1_YEAR}` });
  assert.equal(await yearSwitch.isChecked(), true);
  await yearSwitch.click();
  await page.getByText(`${E1_YEAR} is switched off in US`).waitFor();
  await visited(page, "catalog-provider-switched-off");
  await page.reload();
  await page.getByRole("switch", { name: `Sellable: ${E1_YEAR}` }).waitFor();
  assert.equal(await page.getByRole("switch", { name: `Sellable: ${E1_YEAR}` }).isChecked(), false, "it stays off");
  assert.equal(await page.getByRole("switch", { name: `Sellable: ${E1_MONTH}` }).isChecked(), true);

  // Sync now: running, then the figures.
  await page.getByRole("button", { name: "Sync US now" }).click();
  await page.getByText("US synced").waitFor();
  const figures = await page.getByRole("list", { name: "Sync figures" }).textContent();
  assert.match(figures, /US: 0 added, \d+ updated, 0 retired, \d+ unchanged, 41 priced, price sheet loaded/);
  await visited(page, "catalog-provider-synced");

  // The reseller's pricing: a margin of 10% (0.10) and a fixed price, previewed, then saved.
  await page.goto(page.url().replace(/\/catalog.*$/, `/resellers/${reseller.resellerId}`));
  await page.getByRole("heading", { name: reseller.name, level: 1 }).waitFor();
  const pricing = page.getByRole("region", { name: "Pricing" });
  await pricing.getByText(/^Stored: margin none, 0 fixed prices/).waitFor();
  await pricing.getByRole("table", { name: "Price preview" }).waitFor();
  await pricing.getByRole("textbox", { name: "Margin over cost" }).fill("10");
  await pricing.getByText("10% over the supplier's price, sent as the fraction 0.10.").waitFor();
  await pricing.getByRole("button", { name: "Add a fixed price" }).click();
  await pricing.getByRole("combobox", { name: "Item of fixed price 1" }).selectOption({ label: E1_MONTH });
  await pricing.getByRole("textbox", { name: "Fixed price 1" }).fill("11.00");
  const preview = pricing.getByRole("table", { name: "Price preview" });
  assert.deepEqual(await rowCells(preview, E1_MONTH), [E1_MONTH, "12.00 USD", "12.00 USD", "11.00 USD (changes)", "fixed price"]);
  assert.deepEqual(await rowCells(preview, STANDARD_MONTH), [STANDARD_MONTH, "15.00 USD", "15.00 USD", "16.50 USD (changes)", "margin 10% (0.10)"]);
  await visited(page, "reseller-pricing-preview");
  await pricing.getByRole("button", { name: "Save pricing" }).click();
  await pricing.getByText("Pricing saved. The catalog now shows the stored prices.").waitFor();
  await pricing.getByText(/^Stored: margin 10% \(0\.1\d*\), 1 fixed price, changed/).waitFor();
  await page.reload();
  await page.getByRole("region", { name: "Pricing" }).getByText(/^Stored: margin 10%/).waitFor();
  assert.equal(await pricing.getByRole("textbox", { name: "Margin over cost" }).inputValue(), "10");
  assert.equal(await pricing.getByRole("textbox", { name: "Fixed price 1" }).inputValue(), "11.00");
  const savedRow = await rowCells(preview, STANDARD_MONTH);
  assert.deepEqual(savedRow.slice(0, 4), [STANDARD_MONTH, "15.00 USD", "16.50 USD", "16.50 USD"]);
  const stored = await api(admin, "GET", `/resellers/${reseller.resellerId}/pricing`);
  assert.equal(Number.isNaN(Number(stored.margin)), false);
  assert.match(stored.margin, /^0\.10?$/);
  assert.deepEqual(stored.overrides, [{ catalogItemId: e1Month.catalogItemId, currency: "USD", price: "11.00" }]);
  await visited(page, "reseller-pricing-saved");
  assert.ok(provider.id);

  // The reseller's staff: their own price, no cost, no reseller pricing.
  await signOut(page);
  await signInAs(page, resellerStaff, "/catalog");
  await page.getByRole("heading", { name: "Catalog", level: 1 }).waitFor();
  const theirs = page.getByRole("table", { name: "Catalog US" });
  await theirs.waitFor();
  assert.equal(await theirs.getByRole("columnheader", { name: "Cost" }).count(), 0, "no cost column");
  assert.equal(await theirs.getByRole("columnheader", { name: "Sellable" }).count(), 0);
  const standard = theirs.getByRole("row").filter({ has: page.getByRole("cell", { name: "Microsoft 365 Business Standard", exact: true }) });
  assert.deepEqual((await standard.first().getByRole("cell").allTextContents()).slice(2), ["1 month", "Monthly", "16.50 USD", "16.50 USD"]);
  await page.getByRole("searchbox", { name: "Search titles" }).fill("Office 365 E1");
  await page.getByRole("button", { name: "Search" }).click();
  const e1Theirs = theirs.getByRole("row").filter({ has: page.getByRole("cell", { name: "Office 365 E1", exact: true }) });
  await theirs.getByRole("cell", { name: "Microsoft 365 Business Standard" }).first().waitFor({ state: "detached" });
  await theirs.getByRole("cell", { name: "11.00 USD" }).first().waitFor(); // the fixed price
  await e1Theirs.nth(1).waitFor();
  assert.equal(await e1Theirs.count(), 2, "the switched-off annual term is not on sale");
  await visited(page, "catalog-reseller");
  await page.goto(page.url().replace(/\/catalog.*$/, `/resellers/${reseller.resellerId}`));
  await page.getByRole("heading", { name: reseller.name, level: 1 }).waitFor();
  await page.getByText("Partner ID").first().waitFor();
  assert.equal(await page.getByRole("region", { name: "Pricing" }).count(), 0, "what the reseller pays is not shown to it");
  await visited(page, "reseller-own-page");

  // The customer's pricing, by the reseller's staff: a margin that is no number is refused at the field.
  await page.goto(page.url().replace(/\/resellers\/.*$/, `/customers/${customer.customerId}`));
  await page.getByRole("heading", { name: customer.name, level: 1 }).waitFor();
  const customerPricing = page.getByRole("region", { name: "Pricing" });
  await customerPricing.getByRole("table", { name: "Price preview" }).waitFor();
  const margin = customerPricing.getByRole("textbox", { name: "Margin over the reseller's price" });
  await margin.fill("abc");
  await customerPricing.getByRole("button", { name: "Save pricing" }).click();
  await customerPricing.getByText('margin must be a decimal string such as "7.50"').waitFor();
  assert.equal(await margin.getAttribute("aria-invalid"), "true");
  await visited(page, "customer-pricing-refused");
  await margin.fill("2000");
  await customerPricing.getByRole("button", { name: "Save pricing" }).click();
  await customerPricing.getByText(/a margin must lie between -0\.5 and 10/).waitFor();

  // ...then 20% and a fixed price, previewed from the reseller's own price, saved, and the customer's catalog agrees.
  await margin.fill("20");
  await customerPricing.getByRole("button", { name: "Add a fixed price" }).click();
  await customerPricing.getByRole("combobox", { name: "Item of fixed price 1" }).selectOption({ label: E1_MONTH });
  await customerPricing.getByRole("textbox", { name: "Fixed price 1" }).fill("14.50");
  const customerPreview = customerPricing.getByRole("table", { name: "Price preview" });
  assert.deepEqual(await rowCells(customerPreview, STANDARD_MONTH), [STANDARD_MONTH, "16.50 USD", "16.50 USD", "19.80 USD (changes)", "margin 20% (0.20)"]);
  assert.deepEqual(await rowCells(customerPreview, E1_MONTH), [E1_MONTH, "11.00 USD", "11.00 USD", "14.50 USD (changes)", "fixed price"]);
  await visited(page, "customer-pricing-preview");
  await customerPricing.getByRole("button", { name: "Save pricing" }).click();
  await customerPricing.getByText("Pricing saved. The catalog now shows the stored prices.").waitFor();
  await customerPricing.getByText(/^Stored: margin 20% \(0\.2\d*\), 1 fixed price, changed/).waitFor();
  assert.equal(await margin.getAttribute("aria-invalid"), null);
  await visited(page, "customer-pricing-saved");
  const own = await api(customerAdmin, "GET", "/catalog?limit=500");
  const ownPrice = (item) => own.items.find((i) => i.catalogItemId === item.catalogItemId)?.price;
  assert.equal(ownPrice(standardMonth), "19.80", "the customer's catalog shows the previewed price");
  assert.equal(ownPrice(e1Month), "14.50");
  assert.equal(own.items.some((i) => "cost" in i), false);
});
