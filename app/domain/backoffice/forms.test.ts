import { describe, expect, it } from "vitest";
import { parseForm } from "~/utils/validation.ts";
import { partnerSchema, prestationCreateSchema, priceVersionSchema } from "./forms.ts";
import { centsToEurosInput, parseEurosToCents, parsePercentToBasisPoints } from "./money.ts";
import { RULE_FORMS } from "./rules-forms.ts";

const formOf = (fields: Record<string, string>) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
};

const partner = { name: "Gare du Nord", kind: "PARTNER", siret: "732 829 320 00074", vatNumber: "FR44732829320", billingEmail: "Compta@Example.fr", paymentTermsDays: "30" };
const prestation = {
  category: "Nettoyage",
  name: "Nettoyage de quais",
  description: "L'équipe nettoie les quais et vide les corbeilles.",
  skillId: "skill-1",
  pricingUnit: "PER_PARTICIPANT_HOUR",
  price: "24,50",
  vatMode: "rate",
  vatRate: "20",
  minNoticeDays: "2",
  defaultDurationMinutes: "180",
  defaultTeamSize: "3",
};

describe("money", () => {
  it("reads euros typed the French way into cents", () => {
    expect(parseEurosToCents("24,50")).toBe(2450);
    expect(parseEurosToCents("1 234,5 €")).toBe(123450);
    expect(parseEurosToCents("24")).toBe(2400);
    expect(parseEurosToCents("24,505")).toBeNull();
    expect(parseEurosToCents("vingt")).toBeNull();
    expect(centsToEurosInput(2405)).toBe("24,05");
  });
  it("reads percentages into basis points", () => {
    expect(parsePercentToBasisPoints("5,5")).toBe(550);
    expect(parsePercentToBasisPoints("20 %")).toBe(2000);
  });
});

describe("partner form", () => {
  it("normalises a valid partner", () => {
    const parsed = parseForm(formOf(partner), partnerSchema);
    expect(parsed.ok && parsed.data).toMatchObject({ siret: "73282932000074", vatNumber: "FR44732829320", billingEmail: "compta@example.fr", paymentTermsDays: 30, requiresValidation: false });
  });
  it("puts a French message next to a SIRET failing Luhn, a bad VAT number and long payment terms", () => {
    const parsed = parseForm(formOf({ ...partner, siret: "73282932000075", vatNumber: "FR45732829320", paymentTermsDays: "90" }), partnerSchema);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.siret).toMatch(/SIRET n'est pas valide/);
    expect(parsed.errors.vatNumber).toMatch(/clé/);
    expect(parsed.errors.paymentTermsDays).toBe("60 jours au plus.");
  });
  it("refuses a VAT number of another company than the SIRET", () => {
    const parsed = parseForm(formOf({ ...partner, vatNumber: "FR40303265045" }), partnerSchema);
    expect(!parsed.ok && parsed.errors.vatNumber).toMatch(/ne correspond pas au SIRET/);
  });
});

describe("prestation form", () => {
  it("turns euros and a percentage into cents and basis points", () => {
    const parsed = parseForm(formOf(prestation), prestationCreateSchema);
    expect(parsed.ok && parsed.data).toMatchObject({ priceCents: 2450, vatRateBasisPoints: 2000, vatExemptionMention: null, active: false });
  });
  it("refuses a negative price and a VAT rate of 150 %", () => {
    const parsed = parseForm(formOf({ ...prestation, price: "-3", vatRate: "150" }), prestationCreateSchema);
    expect(!parsed.ok && parsed.errors).toMatchObject({ price: "Le prix doit être positif.", vatRate: "Le taux de TVA est compris entre 0 et 100 %." });
  });
  it("asks for the legal mention of an exemption", () => {
    const missing = parseForm(formOf({ ...prestation, vatMode: "exempt" }), prestationCreateSchema);
    expect(!missing.ok && missing.errors.vatExemptionMention).toMatch(/mention légale/);
    const ok = parseForm(formOf({ ...prestation, vatMode: "exempt", vatExemptionMention: "TVA non applicable, art. 261-7-1° du CGI" }), prestationCreateSchema);
    expect(ok.ok && ok.data).toMatchObject({ vatRateBasisPoints: 0, vatExemptionMention: "TVA non applicable, art. 261-7-1° du CGI" });
  });
  it("never dates a new price in the past", () => {
    const schema = priceVersionSchema("2026-11-29");
    expect(parseForm(formOf({ price: "26", validFrom: "2026-11-28" }), schema).ok).toBe(false);
    expect(parseForm(formOf({ price: "26", validFrom: "2026-11-29" }), schema).ok).toBe(true);
  });
});

describe("service rule forms", () => {
  const parse = (fields: Record<string, string>) => parseForm(formOf(fields), RULE_FORMS[fields.intent!]!);
  it("refuses a cancellation deadline over 30 days and a negative one, in French", () => {
    expect(parse({ intent: "cancellationDeadlineHours", value: "800" })).toMatchObject({ ok: false, errors: { value: "Le délai d'annulation ne peut pas dépasser 30 jours (720 heures)." } });
    expect(parse({ intent: "cancellationDeadlineHours", value: "-2" })).toMatchObject({ ok: false, errors: { value: expect.stringMatching(/avant l'intervention/) } });
    expect(parse({ intent: "cancellationDeadlineHours", value: "48" })).toMatchObject({ ok: true, data: { key: "cancellationDeadlineHours", value: 48 } });
  });
  it("refuses opening hours that end before they start", () => {
    expect(parse({ intent: "openingHours", day1: "on", from: "18:00", to: "08:00" })).toMatchObject({ ok: false, errors: { to: "L'heure de fermeture doit suivre l'heure d'ouverture." } });
    expect(parse({ intent: "openingHours", day1: "on", day5: "on", from: "08:00", to: "17:30" })).toMatchObject({ ok: true, data: { value: { days: [1, 5], from: "08:00", to: "17:30" } } });
  });
  it("reads closure days typed the French way", () => {
    expect(parse({ intent: "closureDays", value: "24/12/2026\n2026-12-31\n24/12/2026" })).toMatchObject({ ok: true, data: { value: ["2026-12-24", "2026-12-31"] } });
    expect(parse({ intent: "closureDays", value: "31/02/2026" })).toMatchObject({ ok: false });
    const far = parse({ intent: "closureDays", value: "31/12/9999" });
    expect(far).toMatchObject({ ok: false });
    if (!far.ok) expect(far.errors.value).toMatch(/« 31\/12\/9999 » : Choisissez une date entre le 01\/01\/2000/);
  });
  it("keeps the team size maximum above its minimum", () => {
    expect(parse({ intent: "teamSize", min: "5", max: "2" })).toMatchObject({ ok: false, errors: { max: expect.any(String) } });
  });
});
