import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// jsdom has no ResizeObserver; Fluent's MessageBar (auto layout) needs one.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (!("ResizeObserver" in globalThis)) {
  Object.assign(globalThis, { ResizeObserver: NoopResizeObserver });
}

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

// findBy* and waitFor give up after a second by default: far too little on a busy 2-core machine.
configure({ asyncUtilTimeout: 30_000 });
