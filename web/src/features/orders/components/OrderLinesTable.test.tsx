import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { renderWith } from "../../../testing/render";
import { OrderLinesTable } from "./OrderLinesTable";

function line(number: number, promotionId: string | null): Schemas["OrderLineOut"] {
  return {
    lineNumber: number, catalogItemId: `ITEM${number}:0001:AV:P1Y:monthly`, offerId: `ITEM${number}:0001:AV`,
    title: `Item ${number}`, quantity: 3, termDuration: "P1Y", billingCycle: "monthly", status: "pending",
    subscriptionId: null, error: null, promotionId, currency: "USD", resellerPrice: "5.61", resellerPriceTotal: "16.83",
  } as Schemas["OrderLineOut"];
}

describe("an order's lines", () => {
  it("name the promotion a line is bought under, and only that line's", () => {
    renderWith(<OrderLinesTable lines={[line(1, "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"), line(2, null)]} status="accepted" />);
    const table = screen.getByRole("table", { name: "Order lines" });
    const [, first, second] = within(table).getAllByRole("row");
    expect(within(first!).getByText("Under promotion 39NFJQT1Q5KL:0001:39NFJQT1Q5KL")).toBeInTheDocument();
    expect(within(second!).queryByText(/Under promotion/)).toBeNull();
  });
});
