import { describe, expect, it } from "vitest";
import { priceInForce } from "./price.ts";

const at = new Date("2026-06-01T10:00:00Z");
const prestation = { priceCents: 2000 };

describe("priceInForce", () => {
  it("falls back to the prestation's price", () => {
    expect(priceInForce(prestation, [], "org", at)).toEqual({ priceCents: 2000, negotiated: false });
  });
  it("takes the latest list version in force, ignoring future ones", () => {
    const versions = [
      { organisationId: null, priceCents: 2100, validFrom: "2026-01-01T00:00:00Z" },
      { organisationId: null, priceCents: 2200, validFrom: "2026-05-01T00:00:00Z" },
      { organisationId: null, priceCents: 9900, validFrom: "2026-07-01T00:00:00Z" },
    ];
    expect(priceInForce(prestation, versions, "org", at)).toEqual({ priceCents: 2200, negotiated: false });
  });
  it("prefers the partner's negotiated price, never another partner's", () => {
    const versions = [
      { organisationId: null, priceCents: 2200, validFrom: "2026-05-01T00:00:00Z" },
      { organisationId: "org", priceCents: 1900, validFrom: "2026-01-01T00:00:00Z" },
      { organisationId: "other", priceCents: 1000, validFrom: "2026-01-01T00:00:00Z" },
    ];
    expect(priceInForce(prestation, versions, "org", at)).toEqual({ priceCents: 1900, negotiated: true });
    expect(priceInForce(prestation, versions, "third", at)).toEqual({ priceCents: 2200, negotiated: false });
  });
});
