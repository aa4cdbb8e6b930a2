// Fails (exit 1) when the committed API types are stale: regenerates the OpenAPI document and the
// TypeScript types from the Python app into a temporary folder and compares them with
// src/lib/api/openapi.json and src/lib/api/schema.d.ts. Fix with `npm run gen:api`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(web, "..");
const committed = {
  json: join(web, "src/lib/api/openapi.json"),
  types: join(web, "src/lib/api/schema.d.ts"),
};
const python = process.env.PYTHON ?? join(repo, ".venv/bin/python");
const tmp = mkdtempSync(join(tmpdir(), "check-api-"));
const fresh = { json: join(tmp, "openapi.json"), types: join(tmp, "schema.d.ts") };

function read(path) {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

let failures = [];
try {
  execFileSync(python, ["-m", "local.openapi", "--out", fresh.json], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
  const cli = join(web, "node_modules/openapi-typescript/bin/cli.js");
  execFileSync(process.execPath, [cli, fresh.json, "-o", fresh.types], { cwd: web, stdio: ["ignore", "ignore", "inherit"] });
  for (const [what, path] of Object.entries(committed)) {
    const before = read(path);
    const after = read(fresh[what]);
    if (before === null) failures.push(`${path} is missing`);
    else if (before !== after) failures.push(`${path} differs from what the API generates now`);
  }
} catch (error) {
  console.error(`check:api could not regenerate the API types: ${error.message}`);
  process.exitCode = 2;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// Every documented answer and request is typed all the way down: `unknown` is allowed only in the index signature
// openapi-typescript gives each response's headers, never in a body's type.
const loose = (read(committed.types) ?? "")
  .split("\n")
  .map((line, index) => ({ line, number: index + 1 }))
  .filter(({ line }) => /\bunknown\b/.test(line.replace(/"[^"]*"/g, "")))
  .filter(({ line }) => !line.trim().startsWith("*") && !/^\s*\[name: string\]: unknown;$/.test(line));
for (const { line, number } of loose) failures.push(`schema.d.ts:${number} has a loose type: ${line.trim()}`);

if (failures.length > 0) {
  console.error("The web console's API types are stale or loose:");
  for (const failure of failures) console.error(`  - ${failure}`);
  console.error("Run `npm run gen:api` in web/ and commit src/lib/api/openapi.json and src/lib/api/schema.d.ts.");
  process.exitCode = 1;
} else if (!process.exitCode) {
  console.log("API types are up to date with the API's OpenAPI document.");
}
