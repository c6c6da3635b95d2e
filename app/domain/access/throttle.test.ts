import { describe, expect, it } from "vitest";
import { ACCOUNT_RULE, delayAfterFailure, IP_RULE, waitMessage } from "./throttle.ts";

describe("sign-in throttling", () => {
  it("lets the first failures through, then doubles the delay up to a short cap", () => {
    const delays = Array.from({ length: 14 }, (_, i) => delayAfterFailure(i + 1, ACCOUNT_RULE));
    expect(delays).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(delayAfterFailure(30, IP_RULE)).toBe(0);
    expect(delayAfterFailure(1000, IP_RULE)).toBe(300);
  });

  it("says how long to wait in French", () => {
    expect(waitMessage(400)).toMatch(/Réessayez dans 1 seconde,/);
    expect(waitMessage(32_000)).toMatch(/Réessayez dans 32 secondes,/);
    expect(waitMessage(300_000)).toMatch(/Réessayez dans 5 minutes,/);
  });
});
