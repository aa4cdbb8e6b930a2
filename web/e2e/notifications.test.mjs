// A provider admin registers a webhook endpoint at the sandbox's receiver, sees the signing secret once, pings it and
// sees the delivery delivered; an endpoint that answers 500 shows its failed attempts; a replay delivers.
import assert from "node:assert/strict";
import {
  SANDBOX_URL, WAIT, browserTest, control, enrolledProvider, newId, operatorId, reloadUntil, signInAs, visited,
} from "./support.mjs";

browserTest("a provider admin registers an endpoint, pings it, and replays a failed delivery", async ({ page }) => {
  const operator = await operatorId();
  const { admin } = await enrolledProvider(operator, `Events ${newId("d").slice(2, 10)}`);
  const receiver = `console-${newId("r").slice(2, 10)}`;
  const url = `${SANDBOX_URL}/_sandbox/receivers/${receiver}`;

  await signInAs(page, admin, "/");
  await page.getByRole("link", { name: "Event subscriptions" }).click();
  await page.getByRole("heading", { name: "Event subscriptions", level: 1 }).waitFor();
  await page.getByText("No endpoint yet").waitFor();
  await visited(page, "event-subscriptions-empty");

  await page.getByRole("button", { name: "Register an endpoint" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox", { name: /^URL/ }).fill(url);
  await dialog.getByRole("textbox", { name: /^Description/ }).fill("Service desk");
  await dialog.getByRole("checkbox", { name: /billing\.runCompleted/ }).check();
  await visited(page, "event-subscriptions-register");
  await dialog.getByRole("button", { name: "Register endpoint" }).click();
  await page.getByText("it will not be shown again").waitFor(WAIT);
  const secret = await page.getByTestId("signing-secret").textContent();
  assert.match(secret ?? "", /^whsec_/);
  await visited(page, "event-subscriptions-secret");

  await page.getByRole("link", { name: "Open the endpoint" }).click();
  await page.getByRole("heading", { name: "Service desk", level: 1 }).waitFor();
  assert.equal(await page.getByText(secret ?? "").count(), 0, "the secret is not shown again");
  await page.getByRole("button", { name: "Send a ping" }).click();
  const deliveries = page.getByRole("table", { name: "Deliveries" });
  await deliveries.getByText("delivered").waitFor(WAIT);
  await visited(page, "event-subscription-delivered");
  const received = await control("GET", `receivers/${receiver}`);
  assert.equal(received.items.length, 1);
  assert.equal(received.items[0].headers["x-event-type"], "ping");

  // The receiver starts failing: the next ping's attempts fail, and show so.
  await control("POST", `receivers/${receiver}/fail`, { status: 500 });
  await page.getByRole("button", { name: "Send a ping" }).click();
  await reloadUntil(page, () => page.getByRole("table", { name: "Deliveries" }).getByText(/1 attempt, last 500/));
  await page.getByRole("table", { name: "Deliveries" }).getByText(/1 attempt, last 500/).click();
  await page.getByText("answered 500").first().waitFor();
  await visited(page, "event-subscription-failing");

  // Fixed again; the delivered ping is replayed and delivered once more.
  await control("POST", `receivers/${receiver}/fail`, { status: 200 });
  const replay = page.getByRole("table", { name: "Deliveries" }).getByRole("button", { name: /^Replay the ping delivery/ });
  await replay.last().click();
  await reloadUntil(page, () => page.getByRole("table", { name: "Deliveries" }).getByText(/2 attempts, last 200/));
  const after = await control("GET", `receivers/${receiver}`);
  assert.equal(after.items.filter((r) => r.answered === 200).length, 2);
  await visited(page, "event-subscription-replayed");
});
