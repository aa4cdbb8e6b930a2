import { describe, expect, it } from "vitest";
import { addToCart, approvalRule, cartLineTotal, cartTotal, orderLines, quantityProblem, removeLine, setQuantity } from "./cart";
import { groupProducts } from "./products";
import { catalogItem } from "./testing";

const basic = catalogItem("BASIC", "Business Basic", "12.40");
const phone = catalogItem("PHONE", "Teams Phone", "0.10", { maxQuantity: 5 });

describe("the cart's arithmetic", () => {
  it("prices a line as unit price times quantity, exactly: 3 x 12.40 EUR = 37.20 EUR", () => {
    expect(cartLineTotal({ item: basic, quantity: 3 })).toBe("37.20");
  });

  it("sums the lines without a float's rounding: 3 x 0.10 + 3 x 12.40 = 37.50", () => {
    const lines = addToCart(addToCart([], basic, 3), phone, 3);
    expect(cartTotal(lines)).toEqual({ amount: "37.50", currency: "EUR" });
  });

  it("adds to a line already in the cart, changes and removes lines", () => {
    let lines = addToCart(addToCart([], basic, 1), basic, 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.quantity).toBe(3);
    lines = setQuantity(addToCart(lines, phone, 1), phone.catalogItemId, 4);
    expect(cartTotal(lines).amount).toBe("37.60");
    lines = removeLine(lines, basic.catalogItemId);
    expect(cartTotal(lines).amount).toBe("0.40");
    expect(cartTotal([])).toEqual({ amount: null, currency: null });
  });

  it("leaves the total open when an item has no price", () => {
    expect(cartTotal([{ item: basic, quantity: 1 }, { item: catalogItem("X", "X", null), quantity: 1 }]).amount).toBeNull();
  });

  it("keeps a quantity within the item's bounds", () => {
    expect(quantityProblem(phone, 5)).toBeNull();
    expect(quantityProblem(phone, 6)).toBe("Between 1 and 5.");
    expect(quantityProblem(phone, 0)).toBe("Between 1 and 5.");
    expect(quantityProblem(phone, null)).toBe("Enter a whole number.");
  });

  it("orders each item with its own term and cycle", () => {
    expect(orderLines([{ item: basic, quantity: 3 }])).toEqual([
      { catalogItemId: basic.catalogItemId, quantity: 3, termDuration: "P1Y", billingCycle: "monthly" },
    ]);
  });
});

describe("the approval rule", () => {
  it("says the rule in the customer's currency", () => {
    expect(approvalRule("500", "EUR", "37.20")).toEqual({
      rule: "Orders over 500.00 EUR wait for your reseller's approval.",
      waits: false,
    });
  });

  it("says the order waits only when its total is over the threshold", () => {
    expect(approvalRule("500.00", "EUR", "500.00")?.waits).toBe(false);
    expect(approvalRule("500.00", "EUR", "500.01")?.waits).toBe(true);
    expect(approvalRule("1,000", "EUR", "2.00")?.waits).toBe(false); // not a decimal: nothing is claimed
  });

  it("has nothing to say without a threshold", () => {
    expect(approvalRule(null, "EUR", "9999.00")).toBeNull();
  });
});

describe("products", () => {
  it("groups the items of one product and SKU, shortest term first", () => {
    const yearly = catalogItem("BASIC", "Business Basic", "120.00", { termDuration: "P1Y", billingCycle: "annual" });
    const monthly = catalogItem("BASIC", "Business Basic", "12.40", { termDuration: "P1M", billingCycle: "monthly" });
    const products = groupProducts([yearly, phone, monthly]);
    expect(products.map((p) => p.title)).toEqual(["Business Basic", "Teams Phone"]);
    expect(products[0]?.items.map((i) => i.catalogItemId)).toEqual([monthly.catalogItemId, yearly.catalogItemId]);
  });
});
