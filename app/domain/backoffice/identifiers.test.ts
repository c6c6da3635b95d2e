import { describe, expect, it } from "vitest";
import { luhnValid, siretProblem, vatNumberProblem } from "./identifiers.ts";

describe("SIRET", () => {
  it("accepts a Luhn-valid SIRET, with or without spaces", () => {
    expect(siretProblem("73282932000074")).toBeNull();
    expect(siretProblem("732 829 320 00074")).toBeNull();
  });
  it("refuses a wrong key and a wrong length", () => {
    expect(siretProblem("73282932000075")).toBe("checksum");
    expect(siretProblem("7328293200007")).toBe("format");
    expect(siretProblem("abc")).toBe("format");
  });
  it("computes Luhn", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
  });
});

describe("intra-EU VAT number", () => {
  it("accepts a French number whose key matches its SIREN", () => {
    // SIREN 732829320: key = (12 + 3 × (732829320 mod 97)) mod 97 = 44
    expect(vatNumberProblem("FR44732829320")).toBeNull();
    expect(vatNumberProblem("fr 44 732 829 320")).toBeNull();
  });
  it("refuses a wrong French key, a non-EU prefix and a malformed number", () => {
    expect(vatNumberProblem("FR45732829320")).toBe("checksum");
    expect(vatNumberProblem("US123456789")).toBe("country");
    expect(vatNumberProblem("12345")).toBe("format");
    expect(vatNumberProblem("FR4473282932")).toBe("format");
  });
  it("checks only the format of other member states", () => {
    expect(vatNumberProblem("DE123456789")).toBeNull();
  });
});
