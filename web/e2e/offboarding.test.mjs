// A provider's admin offboards a customer (the page shows the badge, and an order placed for it is refused with the
// reason), finds the lists hiding it unless "Show offboarded" is on, is told why its reseller cannot be offboarded
// while another customer is still on, restores the customer, and renames the reseller, seen in the list.
import assert from "node:assert/strict";
import {
  api, browserTest, control, domain, enrolledProvider, eventually, newId, operatorId, partnerId, signInAs, visited, WAIT,
} from "./support.mjs";


/** A customer of the reseller, active. */
async function activeCustomer(admin, app, resellerId, resellerPartnerId, name) {
  const customerDomain = domain("offb");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId, name, domain: customerDomain, contactEmail: "it@customer.example",
  });
  await control("POST", "customers/accept", { providerTenantId: app.tenantId, resellerPartnerId, domain: customerDomain, country: "US" });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.currency === "USD");
  return customerId;
}

/** A provider with one sellable US item, an active reseller and two active customers under it. */
async function aResellerWithTwoCustomers() {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Offboarding ${newId("o").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const all = (await api(admin, "GET", "/catalog?country=US&termDuration=P1Y&billingCycle=monthly&limit=500")).items;
  const wide = (await api(admin, "GET", "/catalog?country=US&limit=500")).items;
  const item = all.find((candidate) => {
    const word = candidate.title.toLowerCase();
    const alike = wide.filter((other) => `${other.title} ${other.skuTitle}`.toLowerCase().includes(word));
    return candidate.price !== null && !candidate.isAddon && alike.length <= 12;
  });
  assert.ok(item, "a one-year monthly item a search finds among few others");
  await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });

  const resellerPartnerId = partnerId();
  const resellerName = `Fabrikam ${resellerPartnerId}`;
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: resellerPartnerId, name: resellerName, contactEmail: "it@fabrikam.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: resellerPartnerId });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  const name = `Wingtip ${newId("c").slice(2, 8)}`;
  const customerId = await activeCustomer(admin, app, resellerId, resellerPartnerId, name);
  const otherName = `Tailspin ${newId("c").slice(2, 8)}`;
  await activeCustomer(admin, app, resellerId, resellerPartnerId, otherName);
  return { admin, item, resellerId, resellerName, customerId, name, otherName };
}

browserTest("a provider admin offboards a customer, is told why its reseller cannot be yet, restores it and renames the reseller", async ({ page }) => {
  const { admin, item, resellerId, resellerName, customerId, name, otherName } = await aResellerWithTwoCustomers();

  // Offboard the customer from its page: the dialog says what it means, the badge and the notice follow.
  await signInAs(page, admin, `/customers/${customerId}`);
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await visited(page, "offboarding-customer");
  await page.getByRole("button", { name: "Offboard", exact: true }).click();
  let dialog = page.getByRole("dialog", { name: `Offboard ${name}?` });
  await dialog.getByText(/subscriptions stay as they are in Partner Center/).waitFor();
  await dialog.getByRole("textbox", { name: /^Reason/ }).fill("Contract ended");
  await visited(page, "offboarding-customer-dialog");
  await dialog.getByRole("button", { name: `Offboard ${name}` }).click();
  await dialog.waitFor({ state: "detached" });
  const details = page.getByRole("definition").filter({ hasText: "Offboarded" });
  await details.getByText("Offboarded", { exact: true }).waitFor();
  await page.getByText(/^Offboarded on .* by you$/).waitFor();
  await page.getByText(/Reason: Contract ended/).waitFor();
  await page.getByRole("button", { name: "Restore", exact: true }).waitFor();
  await visited(page, "offboarding-customer-offboarded");

  // Its page offers no new order and says why; an order placed for it anyway (through the API) is refused.
  const ordersRegion = page.getByRole("region", { name: "Orders" });
  await ordersRegion.getByText(/is offboarded: no new orders until it is restored/).waitFor();
  assert.equal(await ordersRegion.getByRole("button", { name: "Place an order" }).count(), 0, "no order offered");
  await assert.rejects(
    api(admin, "POST", "/orders", {
      customerId,
      lines: [{ catalogItemId: item.catalogItemId, quantity: 1, termDuration: item.termDuration, billingCycle: item.billingCycle }],
    }),
    /409 .*offboarded/,
  );
  const orders = await api(admin, "GET", `/orders?customerId=${customerId}`);
  assert.equal(orders.items.length, 0, "no order was recorded");

  // The customers list hides it until "Show offboarded" is on, then marks it.
  await page.goto(page.url().replace(/\/customers\/.*$/, "/customers"));
  const table = page.getByRole("table", { name: "Customers" });
  await table.getByRole("link", { name: otherName }).waitFor();
  assert.equal(await table.getByRole("link", { name }).count(), 0, "an offboarded customer is hidden by default");
  // The switch lives in the address (?offboarded=shown): its state follows the navigation, so wait for that.
  await page.getByRole("switch", { name: "Show offboarded" }).click();
  await page.waitForURL(/[?&]offboarded=shown/, WAIT);
  const row = table.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await row.getByText("Offboarded", { exact: true }).waitFor();
  await visited(page, "offboarding-customers-shown");

  // Its reseller cannot be offboarded while the other customer is still on: the refusal says how many.
  await page.goto(page.url().replace(/\/customers.*$/, `/resellers/${resellerId}`));
  await page.getByRole("heading", { name: resellerName, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Offboard", exact: true }).click();
  dialog = page.getByRole("dialog", { name: `Offboard ${resellerName}?` });
  await dialog.getByRole("button", { name: `Offboard ${resellerName}` }).click();
  await dialog.getByText(/still has 1 customer not offboarded/).waitFor();
  await visited(page, "offboarding-reseller-refused");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  assert.equal((await api(admin, "GET", `/resellers/${resellerId}`)).offboardedAt, null, "the reseller is still in business");

  // Restore the customer from its page.
  await page.goto(page.url().replace(/\/resellers\/.*$/, `/customers/${customerId}`));
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Restore", exact: true }).click();
  dialog = page.getByRole("dialog", { name: `Restore ${name}?` });
  await dialog.getByRole("button", { name: `Restore ${name}` }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Offboard", exact: true }).waitFor();
  assert.equal(await page.getByText(/^Offboarded on /).count(), 0, "the notice is gone");
  await visited(page, "offboarding-customer-restored");
  assert.equal((await api(admin, "GET", `/customers/${customerId}`)).offboardedAt, null);

  // Rename the reseller; the list shows the new name.
  await page.goto(page.url().replace(/\/customers\/.*$/, `/resellers/${resellerId}`));
  await page.getByRole("heading", { name: resellerName, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  dialog = page.getByRole("dialog", { name: "Edit name and contact" });
  const renamed = `${resellerName} Cloud`;
  await dialog.getByRole("textbox", { name: /^Name/ }).fill(renamed);
  await visited(page, "offboarding-reseller-edit");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("heading", { name: renamed, level: 1 }).waitFor();
  await page.goto(page.url().replace(/\/resellers\/.*$/, "/resellers"));
  await page.getByRole("table", { name: "Resellers" }).getByRole("link", { name: renamed }).waitFor();
  await visited(page, "offboarding-resellers");
});
