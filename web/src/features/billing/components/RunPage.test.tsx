import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import BillingRunRoute from "../../../app/routes/billing-run";
import { fakeApi, json } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Run } from "../api/billing";

afterEach(() => vi.unstubAllGlobals());

const queued: Run = {
  id: "br-1",
  attempt: 1,
  period: "2026-10",
  kind: "billed",
  status: "queued",
  createdAt: "2026-11-06T03:00:00+00:00",
  startedAt: null,
  completedAt: null,
  failureReason: null,
  invoiceId: null,
  invoices: [],
  current: false,
  counts: { lines: 0, discrepancies: 0, billableLines: 0, unpricedLines: 0, discrepanciesByKind: {} },
  totals: { byCurrency: [], currencies: [], currency: null, customers: [], resellers: [], providerCost: [] },
};

const completed: Run = {
  ...queued,
  status: "completed",
  startedAt: "2026-11-06T03:00:02+00:00",
  completedAt: "2026-11-06T03:01:47+00:00",
  current: true,
  invoiceId: "G1",
  invoices: [{ invoiceId: "G1", currency: "EUR" }, { invoiceId: "G2", currency: "JPY" }],
  counts: { lines: 3, discrepancies: 2, billableLines: 3, unpricedLines: 0, discrepanciesByKind: { priceMismatch: 2 } },
  totals: {
    byCurrency: [
      { currency: "EUR", customers: "857.10", resellers: "745.20", providerCost: "688.60" },
      { currency: "JPY", customers: "1200", resellers: "1000", providerCost: "900" },
    ],
    currencies: ["EUR", "JPY"],
    currency: null,
    customers: [{ customerId: "cus-1", resellerId: "res-1", amount: "857.10", currency: "EUR" }],
    resellers: [{ resellerId: "res-1", amount: "745.20", currency: "EUR" }],
    providerCost: [{ amount: "688.60", currency: "EUR" }],
  },
};

const resellerShare: Run = {
  ...completed,
  current: undefined,
  counts: { lines: 3 },
  totals: {
    byCurrency: [{ currency: "EUR", customers: "857.10", resellers: "745.20" }],
    currencies: ["EUR"],
    currency: "EUR",
    customers: completed.totals.customers,
    resellers: completed.totals.resellers,
  },
};

const emptyPage = () => json({ items: [], continuationToken: null });

describe("the billing run page", () => {
  it("follows a queued run until it completes, then shows each currency's totals", async () => {
    let reads = 0;
    fakeApi({
      "GET /api/billing/runs/br-1": () => json(++reads < 2 ? queued : completed),
      "GET /api/billing/runs/br-1/lines": emptyPage,
      "GET /api/billing/runs/br-1/discrepancies": emptyPage,
      "GET /api/resellers": emptyPage,
      "GET /api/customers/cus-1": () => json({ id: "cus-1", name: "Wingtip" }),
    });
    renderWith(<BillingRunRoute />, { route: "/billing/br-1", path: "/billing/:id", me: members.providerStaff });
    expect(await screen.findByText(/The run is queued; this page follows it/)).toBeInTheDocument();
    const totals = await screen.findByRole("table", { name: "Totals by currency" });
    expect(within(totals).getByText("857.10 EUR")).toBeInTheDocument();
    expect(within(totals).getByText("1,200 JPY")).toBeInTheDocument();
    expect(within(totals).getByText("688.60 EUR")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: "Discrepancies" })).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Wingtip" })).toHaveAttribute("href", "/customers/cus-1");
    expect(screen.getByRole("button", { name: "Download lines (CSV)" })).toBeInTheDocument();
  });

  it("shows reseller staff their share without the provider cost or the discrepancies", async () => {
    const api = fakeApi({
      "GET /api/billing/runs/br-1": () => json(resellerShare),
      "GET /api/billing/runs/br-1/lines": emptyPage,
      "GET /api/resellers/res-1": () => json({ id: "res-1", name: "Fabrikam" }),
      "GET /api/customers/cus-1": () => json({ id: "cus-1", name: "Wingtip" }),
    });
    renderWith(<BillingRunRoute />, { route: "/billing/br-1", path: "/billing/:id", me: members.resellerStaff });
    const totals = await screen.findByRole("table", { name: "Totals by currency" });
    expect(within(totals).queryByText(/Provider cost/)).toBeNull();
    expect(screen.queryByRole("heading", { name: "Discrepancies" })).toBeNull();
    const byReseller = await screen.findByRole("table", { name: "Totals by reseller" });
    expect(await within(byReseller).findByRole("link", { name: "Fabrikam" })).toHaveAttribute("href", "/resellers/res-1");
    expect(api.calls("GET /api/billing/runs/br-1/discrepancies")).toHaveLength(0);
  });

  it("says why a run failed", async () => {
    fakeApi({
      "GET /api/billing/runs/br-1": () =>
        json({ ...queued, status: "failed", failureReason: "RuntimeError: Partner Center has no invoice for 2026-10 yet" }),
    });
    renderWith(<BillingRunRoute />, { route: "/billing/br-1", path: "/billing/:id", me: members.providerAdmin });
    expect(await screen.findByText(/Partner Center has no invoice for 2026-10 yet/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Download lines (CSV)" })).toBeNull();
  });
});
