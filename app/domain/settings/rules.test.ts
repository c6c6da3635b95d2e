import { describe, expect, it } from "vitest";
import { callCoordination } from "~/domain/requests/contact.ts";
import { phoneSchema, resolveServiceRules } from "./rules.ts";

describe("service rules", () => {
  it("has a default for every rule", () => {
    const rules = resolveServiceRules({});
    expect(rules.cancellationDeadlineHours).toBe(48);
    expect(rules.openingHours).toEqual({ days: [1, 2, 3, 4, 5], from: "08:00", to: "18:00" });
    expect(rules.scheduleChangeNoticeDays).toBe(7);
  });
  it("takes stored values and ignores malformed ones", () => {
    const rules = resolveServiceRules({ cancellationDeadlineHours: 72, disputeWindowDays: "soon" });
    expect(rules.cancellationDeadlineHours).toBe(72);
    expect(rules.disputeWindowDays).toBe(5);
  });
});

describe("the service's contact", () => {
  it("has no phone nor e-mail until one is set, and then says nothing made up", () => {
    const { serviceContact } = resolveServiceRules({});
    expect(serviceContact).toEqual({ phone: null, email: null });
    expect(callCoordination(serviceContact)).toBe("Contactez la coordination.");
  });

  it("keeps a phone as people read it and refuses a wrong or placeholder one in French", () => {
    expect(phoneSchema.parse("0142785523")).toBe("01 42 78 55 23");
    expect(phoneSchema.parse("+33 1 42 78 55 23")).toBe("01 42 78 55 23");
    expect(phoneSchema.parse("+32 2 123 45 67")).toBe("+32 2 123 45 67");
    expect(phoneSchema.parse("")).toBeNull();
    expect(phoneSchema.safeParse("01 23").error?.issues[0]?.message).toMatch(/^Ce numéro de téléphone n'est pas valide/);
    expect(phoneSchema.safeParse("01 00 00 00 00").error?.issues[0]?.message).toMatch(/ressemble à un exemple/);
    expect(resolveServiceRules({ serviceContact: { phone: "01 00 00 00 00", email: null } }).serviceContact.phone).toBeNull();
  });

  it("tells partners the phone and e-mail that are set", () => {
    expect(callCoordination({ phone: "01 42 78 55 23", email: null })).toBe("Appelez la coordination au 01 42 78 55 23.");
    expect(callCoordination({ phone: null, email: "coordination@conciergerie.example" })).toBe("Écrivez à la coordination à coordination@conciergerie.example.");
  });
});
