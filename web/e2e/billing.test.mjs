// A period reconciled in the browser: subscriptions bought through orders, the sandbox's Microsoft charges for the
// month with one discrepancy of each kind it can plant, a billing run started by the provider's admin and followed
// to completion, its totals, each discrepancy found by its kind, the lines paged through, and the CSV of every line
// whose customer charges add up exactly to the customers' total shown. Then the reseller's staff read their share.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  CONSOLE_URL, WAIT, api, browserTest, control, domain, enrolledProvider, newId, operatorId, partnerId, signInAs, visited,
} from "./support.mjs";

const KINDS = ["unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
  "partnerOfRecordMismatch"];
const KIND_LABELS = {
  unknownSubscription: "Unknown subscription", quantityMismatch: "Quantity mismatch", priceMismatch: "Price mismatch",
  missingCharge: "Missing charge", endedRelationship: "Ended relationship",
  partnerOfRecordMismatch: "Partner of record mismatch",
};
const WHOLE_UNITS = new Set(["JPY", "KRW"]);

async function eventually(read, accept, timeout = WAIT.timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`did not converge: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// Money, exactly: decimal strings to whole minor units as BigInt and back, as the console writes them.
const places = (currency) => (WHOLE_UNITS.has(currency) ? 0 : 2);
function minor(amount, currency) {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  assert.ok(match, `not a decimal: ${amount}`);
  const [, sign, whole, fraction = ""] = match;
  assert.ok(fraction.length <= places(currency), `more places than ${currency} has: ${amount}`);
  const units = BigInt(whole + fraction.padEnd(places(currency), "0"));
  return sign ? -units : units;
}
function shown(amount, currency) {
  const units = minor(amount, currency);
  const digits = (units < 0n ? -units : units).toString().padStart(places(currency) + 1, "0");
  const whole = places(currency) ? digits.slice(0, -places(currency)) : digits;
  const text = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${places(currency) ? `.${digits.slice(-places(currency))}` : ""}`;
  return `${units < 0n ? "-" : ""}${text} ${currency}`;
}
/** "1,234.50 USD" as the page shows it, back to minor units. */
function fromShown(text, currency) {
  const match = new RegExp(`^(-?[\\d,]+(?:\\.\\d+)?) ${currency}$`).exec(text.trim());
  assert.ok(match, `not an amount in ${currency}: ${text}`);
  return minor(match[1].replaceAll(",", ""), currency);
}

/** RFC 4180 rows: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") { row.push(field); field = ""; }
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += char;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== "");
  return { header, records: body.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ""]))) };
}

/** The exact sum of one CSV column over the rows in a currency (empty cells are lines with no price). */
function csvSum(records, column, currency) {
  return records
    .filter((r) => r.currency === currency && r[column] !== "")
    .reduce((sum, r) => sum + minor(r[column], currency), 0n);
}

async function activeReseller(admin, app) {
  const id = partnerId();
  const { resellerId } = await api(admin, "POST", "/reseller-invitations", {
    partnerId: id, name: `Reseller ${id}`, contactEmail: "it@r.example",
  });
  await control("POST", "resellers/accept", { providerTenantId: app.tenantId, partnerId: id });
  await api(admin, "POST", `/resellers/${resellerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/resellers/${resellerId}`), (r) => r.status === "active");
  return { resellerId, partnerId: id, name: `Reseller ${id}` };
}

async function activeCustomer(admin, app, reseller, name) {
  const customerDomain = domain("bill");
  const { customerId } = await api(admin, "POST", "/customer-invitations", {
    resellerId: reseller.resellerId, name, domain: customerDomain, contactEmail: "it@c.example",
  });
  const { tenantId } = await control("POST", "customers/accept", {
    providerTenantId: app.tenantId, resellerPartnerId: reseller.partnerId, domain: customerDomain, country: "US",
  });
  await api(admin, "POST", `/customers/${customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${customerId}`), (c) => c.status === "active" && c.currency === "USD");
  return { customerId, tenantId, name };
}

async function completedOrder(admin, customerId, items) {
  const lines = items.map((item, n) => ({
    catalogItemId: item.catalogItemId, quantity: 2 + n, termDuration: item.termDuration, billingCycle: item.billingCycle,
  }));
  const order = await api(admin, "POST", "/orders", { customerId, lines });
  const done = await eventually(() => api(admin, "GET", `/orders/${order.id}`),
    (o) => ["completed", "partiallyCompleted", "failed", "rejected"].includes(o.status), 120_000);
  assert.equal(done.status, "completed", JSON.stringify(done));
}

/** The cells of a table's rows, as text (the header row first). */
async function rowsOf(table) {
  return table.locator("tr").evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim())));
}

async function headersOf(table) {
  return (await rowsOf(table))[0];
}

/** One set-up for the whole file: a provider with a reseller, two customers (one whose relationship then ended),
 * thirteen subscriptions, and the month's charges with every discrepancy kind planted. */
async function billedPeriod() {
  const operator = await operatorId();
  const { app, admin } = await enrolledProvider(operator, `Billing ${newId("b").slice(2, 10)}`);
  await api(admin, "PUT", "/catalog/settings", { newItemsSellable: true });
  await api(admin, "POST", "/catalog/sync", { country: "US" });
  const catalog = await api(admin, "GET", "/catalog?country=US&billingCycle=monthly&limit=500");
  const items = catalog.items.filter((i) => !i.isAddon && i.price !== null && i.status === "active");
  assert.ok(items.length >= 13, `the US catalog has ${items.length} monthly items`);
  for (const item of items.filter((i) => i.sellable === false)) {
    await api(admin, "PUT", `/catalog/items/${encodeURIComponent(item.catalogItemId)}/sellable`, { sellable: true, country: "US" });
  }

  const reseller = await activeReseller(admin, app);
  const staying = await activeCustomer(admin, app, reseller, `Wingtip ${newId("w").slice(2, 8)}`);
  const leaving = await activeCustomer(admin, app, reseller, `Tailspin ${newId("t").slice(2, 8)}`);
  await api(admin, "PUT", `/resellers/${reseller.resellerId}/pricing`, { margin: "0.10", overrides: [] });
  for (const customer of [staying, leaving]) {
    await api(admin, "PUT", `/customers/${customer.customerId}/pricing`, { margin: "0.20", overrides: [] });
  }
  await completedOrder(admin, staying.customerId, items.slice(0, 12));
  await completedOrder(admin, leaving.customerId, items.slice(12, 13));

  await control("POST", "relationships/end", { providerTenantId: app.tenantId, tenantId: leaving.tenantId });
  await api(admin, "POST", `/customers/${leaving.customerId}/relationship-check`);
  await eventually(() => api(admin, "GET", `/customers/${leaving.customerId}`), (c) => c.status === "ended");

  const period = (await control("GET", "clock")).now.slice(0, 7);
  const generated = await control("POST", "reconciliation", {
    providerTenantId: app.tenantId, period, kind: "billed", seed: 17,
    discrepancies: KINDS.map((kind) => ({ kind, count: 1 })),
  });
  for (const entry of generated.discrepancies) assert.equal(entry.count, 1, `${entry.kind} was planted`);
  // The reseller's first member is its admin, who adds a staff member.
  const resellerAdmin = newId("reseller-admin");
  await api(admin, "POST", "/members", { userId: resellerAdmin, orgType: "reseller", orgId: reseller.resellerId, role: "reseller.admin" });
  const staff = newId("reseller-staff");
  await api(resellerAdmin, "POST", "/members", { userId: staff, orgType: "reseller", orgId: reseller.resellerId, role: "reseller.staff" });
  return { admin, staff, reseller, staying, leaving, period, generated };
}

browserTest("a provider admin runs the month's billing and reseller staff read their share", async ({ page }) => {
  const world = await billedPeriod();
  const { admin, period, generated } = world;

  // The provider's admin starts the run from the billing page and is taken to it.
  await signInAs(page, admin, "/billing");
  await page.getByRole("heading", { name: "Billing", level: 1 }).waitFor();
  await page.getByText("No billing run yet.").waitFor();
  await visited(page, "billing-runs-empty");
  await page.getByRole("button", { name: "Start a run" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Period").fill(period);
  await dialog.getByLabel("Kind").selectOption("billed");
  await visited(page, "billing-start-run");
  await dialog.getByRole("button", { name: "Start the run" }).click();
  await page.getByRole("heading", { name: `Billing run ${period} (billed)`, level: 1 }).waitFor();
  const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  assert.match(runId, /\S/);

  // Followed without a reload until it completes.
  const settled = page.locator('dl[aria-label="Billing run"]').getByText(/^(completed|failed)$/);
  await settled.waitFor({ timeout: 180_000 });
  const run = await api(admin, "GET", `/billing/runs/${encodeURIComponent(runId)}`);
  assert.equal(run.status, "completed", `the run: ${run.status} ${run.failureReason}`);
  assert.equal(await settled.textContent(), "completed");
  assert.equal(run.counts.lines, generated.count);
  assert.ok(run.counts.lines > 10, `${run.counts.lines} lines: enough for two pages of ten`);

  // The totals per currency, as the API computed them, each in its own currency.
  const totalsTable = page.getByRole("table", { name: "Totals by currency" });
  await totalsTable.waitFor();
  const expectedTotals = [...run.totals.byCurrency].sort((a, b) => a.currency.localeCompare(b.currency));
  assert.deepEqual(await rowsOf(totalsTable), [
    ["Currency", "Customers invoiced", "Resellers invoiced", "Provider cost (Microsoft)"],
    ...expectedTotals.map((t) => [t.currency, shown(t.customers, t.currency), shown(t.resellers, t.currency),
      t.providerCost === null ? "—" : shown(t.providerCost, t.currency)]),
  ]);
  assert.deepEqual(run.totals.currencies, ["USD"]);
  const customersTable = page.getByRole("table", { name: "Totals by customer" });
  await customersTable.getByRole("link", { name: world.staying.name }).waitFor();
  await page.getByRole("table", { name: "Totals by reseller" }).getByRole("link", { name: world.reseller.name }).waitFor();
  await visited(page, "billing-run-provider");

  // Each planted discrepancy, found by its kind, with the amount at stake.
  const section = page.getByRole("region", { name: "Discrepancies", exact: true });
  const kindFilter = section.getByLabel("Kind");
  for (const kind of KINDS) {
    const planted = generated.discrepancies.find((d) => d.kind === kind);
    const count = run.counts.discrepanciesByKind[kind] ?? 0;
    assert.ok(count >= 1, `the run found ${kind}`);
    assert.equal(await kindFilter.locator(`option[value="${kind}"]`).textContent(), `${KIND_LABELS[kind]} (${count})`);
    await kindFilter.selectOption(kind);
    const fromApi = await api(admin, "GET", `/billing/runs/${encodeURIComponent(runId)}/discrepancies?kind=${kind}&limit=500`);
    const mine = fromApi.items.find((d) => d.subscriptionId === planted.subscriptionIds[0]);
    assert.ok(mine, `${kind} for subscription ${planted.subscriptionIds[0]}: ${JSON.stringify(fromApi.items)}`);
    const table = section.getByRole("table", { name: "Discrepancies" });
    // The table shows the kind chosen once its rows are all of it (until then it may still show the previous kind's).
    await eventually(() => rowsOf(table),
      (r) => r.length - 1 === count && r.slice(1).every((cells) => cells[0] === KIND_LABELS[kind]));
    const row = table.getByRole("row").filter({ hasText: planted.subscriptionIds[0] });
    await row.waitFor();
    const cells = (await row.getByRole("cell").allTextContents()).map((c) => c.trim());
    assert.equal(cells[0], KIND_LABELS[kind]);
    assert.equal(cells[1], shown(mine.amount, mine.currency));
    assert.equal(cells[2], mine.detail);
    if (mine.lineItemIds.length) assert.equal(cells[6], mine.lineItemIds.join(", "));
    const rows = await rowsOf(table);
    assert.equal(rows.length - 1, count, `${kind}: every row is of that kind`);
    assert.ok(rows.slice(1).every((r) => r[0] === KIND_LABELS[kind]));
    await visited(page, `billing-discrepancies-${kind}`);
  }

  // The lines, ten to a page: page 2 holds the rest, and none of page 1's.
  const lines = page.getByRole("region", { name: "Lines", exact: true });
  await lines.getByLabel("Lines per page").selectOption("10");
  const linesTable = lines.getByRole("table", { name: "Billing lines" });
  await lines.getByText("Page 1", { exact: true }).waitFor();
  await eventually(async () => (await rowsOf(linesTable)).length, (n) => n === 11);
  const header = await headersOf(linesTable);
  for (const column of ["Provider cost", "Microsoft unit price", "Reseller charge", "Customer charge"]) {
    assert.ok(header.includes(column), `provider staff see ${column}`);
  }
  const idsColumn = header.indexOf("Microsoft line ids");
  const firstPage = (await rowsOf(linesTable)).slice(1).map((r) => r[idsColumn]);
  await visited(page, "billing-lines-page-1");
  await lines.getByRole("button", { name: "Next page" }).click();
  await lines.getByText("Page 2", { exact: true }).waitFor();
  const rest = Math.min(10, run.counts.lines - 10);
  await eventually(async () => (await rowsOf(linesTable)).length, (n) => n === rest + 1);
  const secondPage = (await rowsOf(linesTable)).slice(1).map((r) => r[idsColumn]);
  assert.ok(secondPage.every((id) => !firstPage.includes(id)), "page 2 repeats no line of page 1");
  await visited(page, "billing-lines-page-2");

  // The CSV of every line: its customer charges add up exactly to the customers' total shown for the currency.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download lines (CSV)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${runId}.csv`);
  const csv = parseCsv(await readFile(await download.path(), "utf8"));
  assert.equal(csv.records.length, run.counts.lines);
  assert.ok(csv.header.includes("customerCharge") && csv.header.includes("providerCost"), csv.header.join(","));
  for (const total of expectedTotals) {
    const usdRow = totalsTable.getByRole("row").filter({ has: page.getByRole("cell", { name: total.currency, exact: true }) });
    const shownTotal = fromShown(await usdRow.getByRole("cell").nth(1).textContent(), total.currency);
    assert.equal(csvSum(csv.records, "customerCharge", total.currency), shownTotal, `customers' total in ${total.currency}`);
    assert.ok(shownTotal > 0n);
  }

  // The list shows the run, current, with its counts.
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await page.getByRole("heading", { name: "Billing", level: 1 }).waitFor();
  const runs = page.getByRole("table", { name: "Billing runs" });
  const listed = runs.getByRole("row").filter({ has: page.locator(`a[href="/billing/${encodeURIComponent(runId)}"]`) });
  await listed.getByText("completed", { exact: true }).waitFor(); // read again on coming back: no longer queued
  const listedCells = (await listed.getByRole("cell").allTextContents()).map((c) => c.trim());
  assert.deepEqual([listedCells[0], listedCells[1], listedCells[2], listedCells[5], listedCells[6], listedCells[7]],
    [period, "billed", "completed", String(run.counts.lines), "yes", String(run.counts.discrepancies)]);
  await page.getByLabel("Period").fill("2001-01");
  await page.getByText("No billing run for 2001-01.").waitFor();
  await page.getByLabel("Period").fill(period);
  await listed.waitFor();
  await visited(page, "billing-runs-provider");

  // A run that cannot be computed says why, once it has failed, without a reload.
  const doomed = await api(admin, "POST", "/billing/runs", { period: "2999-01", kind: "billed" });
  await page.goto(`${CONSOLE_URL}/billing/${encodeURIComponent(doomed.id)}`);
  await page.getByRole("heading", { name: "Billing run 2999-01 (billed)", level: 1 }).waitFor();
  await page.getByText("The run failed").waitFor({ timeout: 180_000 });
  await page.getByText("Partner Center has no invoice for 2999-01 yet").waitFor();
  assert.equal(await page.getByRole("button", { name: "Download lines (CSV)" }).count(), 0);
  await visited(page, "billing-run-failed");

  // The reseller's staff: their share, with no provider cost, no discrepancies and none of Microsoft's prices.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInAs(page, world.staff, `/billing/${encodeURIComponent(runId)}`);
  await page.getByRole("heading", { name: `Billing run ${period} (billed)`, level: 1 }).waitFor();
  const share = await api(world.staff, "GET", `/billing/runs/${encodeURIComponent(runId)}`);
  const theirTotals = page.getByRole("table", { name: "Totals by currency" });
  await theirTotals.waitFor();
  assert.deepEqual(await rowsOf(theirTotals), [
    ["Currency", "Customers invoiced", "Resellers invoiced"],
    ...share.totals.byCurrency.map((t) => [t.currency, shown(t.customers, t.currency), shown(t.resellers, t.currency)]),
  ]);
  assert.equal(await page.getByRole("heading", { name: "Discrepancies" }).count(), 0);
  assert.equal(await page.getByText("Provider cost").count(), 0);
  const theirLines = page.getByRole("table", { name: "Billing lines" });
  await theirLines.waitFor();
  const theirHeader = await headersOf(theirLines);
  for (const column of ["Provider cost", "Microsoft unit price", "Microsoft prorated unit price", "Invoice", "Billable"]) {
    assert.ok(!theirHeader.includes(column), `reseller staff see no ${column} column`);
  }
  assert.ok(theirHeader.includes("Customer charge") && theirHeader.includes("Reseller charge"));
  await visited(page, "billing-run-reseller");
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await page.getByRole("table", { name: "Billing runs" }).getByRole("link", { name: period }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Start a run" }).count(), 0);
  assert.equal(await page.getByRole("columnheader", { name: "Discrepancies" }).count(), 0);
  await visited(page, "billing-runs-reseller");
});
