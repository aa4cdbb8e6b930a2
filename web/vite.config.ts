import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The console is served from the API's own origin ("/" and every non-API path), so base is "/".
// A developer running `vite` locally gets /api proxied to the local API.
export default defineConfig({
  base: "/",
  plugins: [react()],
  server: {
    proxy: { "/api": "http://127.0.0.1:7071" },
  },
  build: {
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
    // Fluent UI, React and the router make the entry about 550 kB minified (about 160 KiB gzip); pages are lazy.
    chunkSizeWarningLimit: 700,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // The machine has 2 cores and is shared: keep the pool small.
    pool: "threads",
    maxWorkers: 2,
    // Generous deadlines: a test on a busy 2-core machine is slow, not wrong (Testing Library's waits too).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
