import { describe, expect, it } from "vitest";
import { checkSeats } from "./seats";

describe("checkSeats", () => {
  it("takes any addition", () => {
    expect(checkSeats("15", 10, 0)).toEqual({ kind: "add", delta: 5 });
  });

  it("allows a removal up to what is removable now", () => {
    expect(checkSeats("7", 10, 3)).toEqual({ kind: "remove", delta: 3, allowed: true, message: null });
  });

  it("warns before a removal beyond what is removable, without refusing to send it", () => {
    const check = checkSeats("6", 10, 3);
    expect(check).toMatchObject({ kind: "remove", delta: 4, allowed: false });
    expect(check.kind === "remove" && check.message).toMatch(/^Only 3 seats can be removed now/);
    const none = checkSeats("9", 10, 0);
    expect(none.kind === "remove" && none.message).toMatch(/^No seat can be removed now/);
  });

  it("refuses what is no quantity, and notes an unchanged one", () => {
    expect(checkSeats("", 10, 0).kind).toBe("invalid");
    expect(checkSeats("2.5", 10, 0).kind).toBe("invalid");
    expect(checkSeats("0", 10, 10).kind).toBe("invalid");
    expect(checkSeats("100001", 10, 0).kind).toBe("invalid");
    expect(checkSeats(" 10 ", 10, 0)).toEqual({ kind: "same" });
  });
});
