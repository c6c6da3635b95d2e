import { describe, expect, it } from "vitest";
import { deriveRequestStatus } from "./status.ts";

describe("deriveRequestStatus", () => {
  it("is the least advanced live status", () => {
    expect(deriveRequestStatus(["DONE", "SCHEDULED", "SCHEDULED"])).toBe("SCHEDULED");
    expect(deriveRequestStatus(["PAID", "INVOICED"])).toBe("INVOICED");
  });
  it("ignores cancelled dates while others are live", () => {
    expect(deriveRequestStatus(["CANCELLED", "DONE"])).toBe("DONE");
  });
  it("is cancelled or declined when nothing is live", () => {
    expect(deriveRequestStatus(["CANCELLED", "CANCELLED"])).toBe("CANCELLED");
    expect(deriveRequestStatus(["DECLINED"])).toBe("DECLINED");
    expect(deriveRequestStatus([])).toBe("CANCELLED");
  });
  it("is in progress as soon as one date is", () => {
    expect(deriveRequestStatus(["SCHEDULED", "IN_PROGRESS", "DONE"])).toBe("IN_PROGRESS");
  });
});
