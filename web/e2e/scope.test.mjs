// What a person outside a resource's scope sees: another reseller's customer is "Not found" (the API's 404,
// exactly as if it did not exist), and someone signed in who is no member gets a page that says so.
import assert from "node:assert/strict";
import {
  api, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, signInAs, signInWithId,
  visited,
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

async function activeReseller(admin, app) {
  const id = partnerId();
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: id, name: `Reseller ${id}`, contactEmail: "it@r.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: id });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  return { resellerId, partnerId: id };
}

browserTest("a reseller opening another reseller's customer sees the 404 page", async ({ page }) => {
  const operator = await operatorId();
  const { app, provider, admin } = await enrolledProvider(operator, `Scope ${newId("s").slice(2, 10)}`);
  const mine = await activeReseller(admin, app);
  const theirs = await activeReseller(admin, app);
  const theirDomain = domain("other");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId: theirs.resellerId, name: "Their customer", domain: theirDomain, contactEmail: "it@o.example",
  });
  const staff = newId("reseller-staff");
  await api(admin, "POST", "/members", {
    userId: staff, orgType: "reseller", orgId: mine.resellerId, role: "reseller.admin",
  });
  assert.ok(provider.id);

  await signInAs(page, staff, `/customers/${customerId}`);
  await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
  await visited(page, "reseller-other-customer-not-found");
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Their customer" }).count(), 0);
  await visited(page, "reseller-customers");
});

browserTest("someone signed in who is no member is told so and can sign out", async ({ page }) => {
  await signInWithId(page, newId("stranger"));
  await page.getByRole("heading", { name: "You are not a member of this platform", level: 1 }).waitFor();
  await visited(page, "not-a-member");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  await visited(page, "sign-in");
});
