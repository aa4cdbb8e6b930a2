import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWith } from "../../../testing/render";
import { TotalsByCurrency } from "./TotalsByCurrency";

const rowsOf = () =>
  within(screen.getByRole("table", { name: "Totals by currency" }))
    .getAllByRole("row")
    .map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent));

describe("the totals by currency", () => {
  it("shows each currency on its own row at its minor unit, never summed across currencies", () => {
    renderWith(
      <TotalsByCurrency
        totals={[
          { currency: "JPY", customers: "1234567", resellers: "1100000", providerCost: "1000000" },
          { currency: "EUR", customers: "1857.10", resellers: "745.2", providerCost: null },
        ]}
      />,
    );
    expect(rowsOf()).toEqual([
      ["Currency", "Customers invoiced", "Resellers invoiced", "Provider cost (Microsoft)"],
      ["EUR", "1,857.10 EUR", "745.20 EUR", "—"],
      ["JPY", "1,234,567 JPY", "1,100,000 JPY", "1,000,000 JPY"],
    ]);
    expect(screen.queryByText(/3,09/)).toBeNull();
  });

  it("leaves out the provider cost for a reseller's staff, who never receive it", () => {
    renderWith(<TotalsByCurrency totals={[{ currency: "USD", customers: "-12.5", resellers: "-10.00" }]} />);
    expect(rowsOf()).toEqual([
      ["Currency", "Customers invoiced", "Resellers invoiced"],
      ["USD", "-12.50 USD", "-10.00 USD"],
    ]);
  });
});
