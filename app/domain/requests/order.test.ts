import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { canChangeOnline, checkSlot, estimateOrder, estimateOrderForm, orderSchema, planOrder, recurrenceDates, teamMax, teamSizeError, type OrderContext } from "./order.ts";
import { requestTimeline } from "./timeline.ts";

const rules = resolveServiceRules({});
// Monday 30 November 2026, 10:00 in Paris.
const now = new Date("2026-11-30T09:00:00Z");
const ctx: OrderContext = { now, rules, minNoticeDays: 2, teamSize: rules.teamSize, requiresPurchaseOrder: false };

const valid = {
  submissionKey: "k-0123456789abcdef",
  siteId: "site1",
  prestationId: "p1",
  date: "2026-12-08",
  startTime: "09:00",
  durationMinutes: "180",
  teamSize: "3",
  recurrence: "NONE",
};

const parse = (over: Record<string, string | undefined>) => orderSchema.safeParse({ ...valid, ...over });
const errorsOf = (over: Record<string, string | undefined>) => {
  const r = parse(over);
  if (!r.success) return Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
  const plan = planOrder(r.data, ctx);
  return plan.ok ? {} : plan.errors;
};

describe("order schema and rules", () => {
  it("accepts a plain order and plans one intervention at 09:00 Paris time", () => {
    const r = parse({});
    expect(r.success).toBe(true);
    const plan = planOrder(r.data!, ctx);
    expect(plan.ok && plan.occurrences.map((o) => o.startsAt.toISOString())).toEqual(["2026-12-08T08:00:00.000Z"]);
  });
  it("refuses empty fields with French messages", () => {
    const r = orderSchema.safeParse({});
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["siteId", "prestationId", "date", "startTime", "durationMinutes", "teamSize", "recurrence"]));
  });
  it("tells the next possible date for the past, short notice, holidays and weekends", () => {
    expect(errorsOf({ date: "2026-11-01" }).date).toMatch(/passée.*mercredi 2 décembre 2026/);
    expect(errorsOf({ date: "2026-12-01" }).date).toMatch(/2 jours à l'avance.*mercredi 2 décembre 2026/);
    expect(errorsOf({ date: "2026-12-25" }).date).toBe("Le vendredi 25 décembre 2026 est un jour férié (Noël). Le prochain jour ouvert est le lundi 28 décembre 2026.");
    expect(errorsOf({ date: "2026-12-05" }).date).toMatch(/ne travaillent pas le samedi.*lundi 7 décembre 2026/);
    // The first of the month is written "1er".
    expect(errorsOf({ date: "2027-01-01" }).date).toBe("Le vendredi 1er janvier 2027 est un jour férié (Jour de l'an). Le prochain jour ouvert est le lundi 4 janvier 2027.");
  });
  it("enforces opening hours, windows and team limits", () => {
    expect(errorsOf({ startTime: "07:00" }).startTime).toMatch(/08:00 au plus tôt/);
    expect(errorsOf({ startTime: "16:00" }).startTime).toMatch(/15:00 au plus tard/);
    expect(errorsOf({ startTime: "09:10" }).startTime).toMatch(/quart d'heure/);
    expect(errorsOf({ latestStart: "14:00" }).latestStart).toMatch(/4 heures au plus/);
    expect(errorsOf({ latestStart: "08:00" }).latestStart).toMatch(/doit suivre/);
    expect(errorsOf({ teamSize: "0" }).teamSize).toBe("Une personne au moins.");
    expect(errorsOf({ teamSize: "500" }).teamSize).toBe("20 personnes au plus.");
    expect(errorsOf({ teamSize: "12" }).teamSize).toMatch(/de 1 à 8 personnes/);
    expect(errorsOf({ notes: "x".repeat(10_000) }).notes).toBe("2 000 caractères au plus.");
  });
  it("refuses a team larger than any encadrant of the prestation may lead, with that maximum, never a hard-coded one", () => {
    const plan = (teamSize: string, largestLed: number | null) => {
      const r = parse({ teamSize });
      return planOrder(r.data!, { ...ctx, teamSize: { ...rules.teamSize, largestLed } });
    };
    const refused = plan("8", 7);
    expect(!refused.ok && refused.errors.teamSize).toBe(
      "Aucun encadrant ne peut mener une équipe de 8 personnes pour cette prestation : 7 personnes au plus. Réduisez l'équipe, ou commandez une seconde intervention pour le reste.",
    );
    expect(plan("7", 7).ok).toBe(true);
    const five = plan("6", 5);
    expect(!five.ok && five.errors.teamSize).toMatch(/5 personnes au plus/);
    // No encadrant has the skill yet: the service's range stands (scheduling explains the rest).
    expect(plan("8", null).ok).toBe(true);
    expect(teamMax({ min: 1, max: 8, largestLed: 7 })).toBe(7);
    expect(teamMax({ min: 1, max: 8, largestLed: 12 })).toBe(8);
    expect(teamSizeError(9, { min: 1, max: 8, largestLed: 12 })).toBe("Une équipe compte de 1 à 8 personnes en insertion.");
  });
  it("requires a purchase order number for partners who ask for it", () => {
    const r = parse({});
    const plan = planOrder(r.data!, { ...ctx, requiresPurchaseOrder: true });
    expect(!plan.ok && plan.errors.purchaseOrderNumber).toMatch(/bon de commande/);
  });
  it("requires the new site's address", () => {
    expect(errorsOf({ siteId: "new", siteName: "Entrepôt" })).toMatchObject({ siteAddress: expect.any(String), sitePostalCode: expect.any(String), siteCity: expect.any(String) });
  });
  it("plans a weekly series, leaving out holidays, up to 52 dates", () => {
    const r = parse({ recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "4", date: "2026-12-11" });
    const plan = planOrder(r.data!, ctx);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.occurrences.map((o) => o.date)).toEqual(["2026-12-11", "2026-12-18"]);
    expect(plan.skipped.map((s) => s.date)).toEqual(["2026-12-25", "2027-01-01"]);
    expect(errorsOf({ recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "53" }).recurrenceCount).toMatch(/Entre 1 et 52/);
    expect(errorsOf({ recurrence: "WEEKLY", recurrenceEnd: "until", recurrenceUntil: "2028-06-30" }).recurrenceUntil).toMatch(/52 interventions au plus/);
  });
  it("counts monthly dates on the month's last day when needed", () => {
    expect(recurrenceDates("2027-01-29", "MONTHLY", { count: 3, until: null })).toEqual(["2027-01-29", "2027-02-28", "2027-03-29"]);
  });
  it("checks a moved slot with the same rules", () => {
    expect(checkSlot({ date: "2026-12-08", startTime: "17:00", windowMinutes: 0, durationMinutes: 120 }, ctx).startTime).toMatch(/16:00 au plus tard/);
  });
  it("holds partners to the prestation's notice, not the coordination (which still keeps to open days, hours and times to come)", () => {
    // Tuesday 1 December, the day after "now".
    const soon = { date: "2026-12-01", startTime: "10:00", windowMinutes: 0, durationMinutes: 120 };
    const notice = { ...ctx, minNoticeDays: 7 };
    expect(checkSlot(soon, notice).date).toMatch(/se commande 7 jours à l'avance/);
    const byCoordination = { ...notice, byCoordination: true };
    expect(checkSlot(soon, byCoordination)).toEqual({});
    expect(checkSlot({ ...soon, date: "2026-11-30", startTime: "11:00" }, byCoordination)).toEqual({});
    expect(checkSlot({ ...soon, date: "2026-11-30", startTime: "09:00" }, byCoordination).startTime).toBe("Cette heure est passée : choisissez une heure à venir.");
    expect(checkSlot({ ...soon, startTime: "07:00" }, byCoordination).startTime).toMatch(/08:00 au plus tôt/);
    expect(checkSlot({ ...soon, date: "2026-12-05" }, byCoordination).date).toBeDefined(); // a Saturday
    expect(checkSlot({ ...soon, date: "2026-11-29" }, byCoordination).date).toMatch(/Cette date est passée/);
  });
  it("lets partners change until the deadline", () => {
    const startsAt = new Date("2026-12-02T09:00:00Z");
    expect(canChangeOnline(startsAt, now, 48)).toBe(false);
    expect(canChangeOnline(startsAt, now, 24)).toBe(true);
  });

  it("property: any input gives data or French field messages, never a throw", () => {
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constant(""), fc.constant("<script>alert(1)</script>"), fc.string({ minLength: 1990, maxLength: 2100 }));
    fc.assert(
      fc.property(
        fc.record(
          {
            submissionKey: fc.oneof(fc.constant(valid.submissionKey), text),
            siteId: fc.oneof(fc.constant("new"), fc.constant("site1"), text),
            siteName: text,
            sitePostalCode: fc.oneof(fc.constant("75012"), text),
            prestationId: text,
            date: fc.oneof(
              fc.date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
              text,
            ),
            startTime: fc.oneof(fc.constantFrom("07:45", "08:00", "12:15", "17:30", "23:45"), text),
            latestStart: fc.oneof(fc.constantFrom("", "09:00", "13:00"), text),
            durationMinutes: fc.oneof(fc.integer({ min: -100, max: 2000 }).map(String), text),
            teamSize: fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), text),
            recurrence: fc.oneof(fc.constantFrom("NONE", "WEEKLY", "BIWEEKLY", "MONTHLY"), text),
            recurrenceEnd: fc.constantFrom("count", "until", "x"),
            recurrenceCount: fc.oneof(fc.integer({ min: -1, max: 100 }).map(String), text),
            recurrenceUntil: fc.oneof(fc.constantFrom("2027-06-30", "2026-01-01"), text),
            notes: text,
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          const r = orderSchema.safeParse(raw);
          if (!r.success) {
            for (const issue of r.error.issues) expect(issue.message).toMatch(/[a-zé]/);
            return;
          }
          expect((r.data.notes ?? "").length).toBeLessThanOrEqual(2000);
          const plan = planOrder(r.data, ctx);
          if (plan.ok) {
            expect(plan.occurrences.length).toBeLessThanOrEqual(52);
            for (const o of plan.occurrences) expect(o.endsAt.getTime() - o.startsAt.getTime()).toBe(r.data.durationMinutes * 60_000);
            expect(r.data.teamSize).toBeGreaterThanOrEqual(1);
            expect(r.data.teamSize).toBeLessThanOrEqual(8);
          } else {
            expect(Object.values(plan.errors).every((m) => m.length > 0)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("estimate", () => {
  it("prices a weekly series of 3 people for 3 h at 22 €", () => {
    const e = estimateOrder({ pricingUnit: "PER_PARTICIPANT_HOUR", unitPriceCents: 2200, vatRateBasisPoints: 2000, durationMinutes: 180, teamSize: 3, occurrences: 4 });
    expect(e.perIntervention).toEqual({ exclVatCents: 19800, vatCents: 3960, inclVatCents: 23760 });
    expect(e.total.inclVatCents).toBe(95040);
    expect(e.insertionMinutes).toBe(2160);
  });
  it("prices a flat prestation per intervention", () => {
    expect(estimateOrder({ pricingUnit: "FLAT", unitPriceCents: 9000, vatRateBasisPoints: 1000, durationMinutes: 90, teamSize: 1, occurrences: 2 }).total).toEqual({
      exclVatCents: 18000,
      vatCents: 1800,
      inclVatCents: 19800,
    });
  });
  it("property: totals add up, are line × dates, insertion = duration × team × dates", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("PER_PARTICIPANT_HOUR" as const, "FLAT" as const),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(0, 550, 1000, 2000),
        fc.integer({ min: 2, max: 40 }).map((q) => q * 15),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 52 }),
        (pricingUnit, unitPriceCents, vatRateBasisPoints, durationMinutes, teamSize, occurrences) => {
          const e = estimateOrder({ pricingUnit, unitPriceCents, vatRateBasisPoints, durationMinutes, teamSize, occurrences });
          expect(e.total.inclVatCents).toBe(e.total.exclVatCents + e.total.vatCents);
          expect(e.total.exclVatCents).toBe(e.perIntervention.exclVatCents * occurrences);
          expect(e.insertionMinutes).toBe(durationMinutes * teamSize * occurrences);
          if (pricingUnit === "PER_PARTICIPANT_HOUR") expect(Math.abs(e.perIntervention.exclVatCents - (unitPriceCents * durationMinutes * teamSize) / 60)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });
});

describe("timeline", () => {
  it("marks done and current steps", () => {
    const t = requestTimeline("SCHEDULED");
    expect(t.steps.map((s) => s.state)).toEqual(["done", "done", "current", "upcoming", "upcoming", "upcoming", "upcoming"]);
    expect(requestTimeline("DECLINED", "Pas le samedi").ended).toEqual({ status: "DECLINED", label: "Refusée", reason: "Pas le samedi" });
  });
});

describe("the order form's live estimate", () => {
  const hourly = { pricingUnit: "PER_PARTICIPANT_HOUR" as const, priceCents: 2000, vatRateBasisPoints: 2000, minNoticeDays: 2 };
  const form = { prestationId: "p1", date: "2026-12-14", durationMinutes: "180", teamSize: "2", recurrence: "NONE", recurrenceEnd: "count", recurrenceCount: "4", recurrenceUntil: "" };

  it("waits for a prestation, a duration within bounds and a team before giving a price", () => {
    expect(estimateOrderForm(form, null, rules)).toBeNull();
    expect(estimateOrderForm({ ...form, durationMinutes: "20" }, hourly, rules)).toBeNull();
    expect(estimateOrderForm({ ...form, teamSize: "0" }, hourly, rules)).toBeNull();
  });

  it("prices the hours of the whole team, as the server does", () => {
    const estimate = estimateOrderForm(form, hourly, rules);
    // 2 people × 3 h × 20,00 € = 120,00 € HT, 20 % VAT.
    expect(estimate?.total).toMatchObject({ exclVatCents: 12_000, vatCents: 2_400, inclVatCents: 14_400 });
    expect(estimate?.span).toEqual({ first: "2026-12-14", last: null });
  });

  it("leaves out the closed days of a weekly series and says which", () => {
    // Monday 21 December 2026 is closed; 14 and 28 December and 4 January are open.
    const estimate = estimateOrderForm({ ...form, recurrence: "WEEKLY" }, hourly, { ...rules, closureDays: ["2026-12-21"] });
    expect(estimate?.occurrences).toBe(3);
    expect(estimate?.skipped).toHaveLength(1);
    expect(estimate?.span).toEqual({ first: "2026-12-14", last: "2027-01-04" });
  });
});
