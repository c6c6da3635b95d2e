import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatEuros, formatMinutes, formatVatRate } from "./format.ts";

// Intl uses narrow no-break spaces in French: compare with them normalised.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

describe("French formatting", () => {
  it("formats euros from integer cents", () => {
    expect(plain(formatEuros(123456))).toBe("1 234,56 €");
    expect(plain(formatEuros(0))).toBe("0,00 €");
  });
  it("formats dates in Paris time, even near midnight UTC", () => {
    expect(formatDate(new Date("2026-11-29T23:30:00Z"))).toBe("30 novembre 2026");
    expect(plain(formatDateTime(new Date("2026-07-01T07:00:00Z")))).toBe("1 juillet 2026 à 09:00");
  });
  it("formats durations and VAT rates", () => {
    expect(formatMinutes(150)).toBe("2 h 30");
    expect(formatMinutes(60)).toBe("1 h");
    expect(formatMinutes(45)).toBe("45 min");
    expect(plain(formatVatRate(550))).toBe("5,5 %");
  });
});
