// The dashboard's first load for `make bench` (bench/bench_console.py starts the stack): a fresh browser
// context each time (no HTTP cache), already signed in (the development session in sessionStorage), from
// navigation start to the dashboard's data shown. Prints one JSON line.
import { chromium } from "playwright-core";

const origin = process.env.CONSOLE_URL.replace(/\/$/, "");
const session = JSON.parse(process.env.DEV_SESSION);
const loads = Number(process.env.LOADS ?? "10");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const samples = [];
try {
  for (let n = 0; n < loads + 1; n++) {
    const context = await browser.newContext();
    await context.addInitScript((value) => sessionStorage.setItem("csp.devSession", value), JSON.stringify(session));
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.getByText("Orders in flight").waitFor({ timeout: 60_000 });
    await page.getByText("Resellers by status").waitFor({ timeout: 60_000 });
    const shown = await page.evaluate(() => performance.now());
    if (n > 0) samples.push(shown); // the first load warms the API's caches, not the browser's
    await context.close();
  }
} finally {
  await browser.close();
}
samples.sort((a, b) => a - b);
const at = (p) => samples[Math.min(samples.length - 1, Math.round((p / 100) * (samples.length - 1)))];
console.log(JSON.stringify({ loads: samples.length, p50: at(50), p90: at(90), max: samples[samples.length - 1] }));
