import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cleanForm, dayField, daySpan, emailField, isDayWithin, isRecordId, MAX_ECHOED_CHARS, monthField, parseForm, urlHasControlCharacters } from "./validation.ts";

const form = (entries: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(entries)) f.set(k, v);
  return f;
};

describe("parseForm", () => {
  const schema = z.object({ email: emailField, password: z.string().min(1, "Indiquez votre mot de passe.") });

  it("returns the data when valid", () => {
    expect(parseForm(form({ email: " Ana@Example.org ", password: "x" }), schema)).toEqual({
      ok: true,
      data: { email: "ana@example.org", password: "x" },
    });
  });

  it("gives one French message per field and keeps what was typed, except passwords", () => {
    const result = parseForm(form({ email: "pas-un-email", password: "", csrf: "t" }), schema);
    expect(result).toEqual({
      ok: false,
      errors: { email: "Cette adresse e-mail n'est pas valide.", password: "Indiquez votre mot de passe." },
      values: { email: "pas-un-email" },
    });
  });

  it("never shows back more of a field than it accepts", () => {
    const result = parseForm(form({ body: "m".repeat(300_000), note: "n".repeat(300_000) }), z.object({ body: z.string().max(2000, "2 000 caractères au plus."), other: z.string() }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.body).toBe("2 000 caractères au plus.");
    expect(result.values.body).toHaveLength(2000);
    expect(result.values.note).toHaveLength(MAX_ECHOED_CHARS);
  });

  it("names a missing field without throwing", () => {
    const result = parseForm(form({}), schema);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.email).toBe("Indiquez une adresse e-mail.");
  });

  it("gives an unknown intent's message to the whole form, which every page shows", () => {
    const byIntent = z.discriminatedUnion("intent", [z.object({ intent: z.literal("save"), name: z.string() }), z.object({ intent: z.literal("remove") })], { error: "Action inconnue." });
    expect(parseForm(form({ intent: "nope" }), byIntent)).toEqual({ ok: false, errors: { form: "Action inconnue." }, values: { intent: "nope" } });
  });
});

describe("the dates the app accepts", () => {
  const today = new Date("2026-12-07T10:00:00Z");

  it("plans from 2000 to two years from today, and searches wider but within real dates", () => {
    expect(daySpan("planned", today)).toEqual({ min: "2000-01-01", max: "2028-12-07" });
    expect(isDayWithin("2028-12-07", "planned", today)).toBe(true);
    expect(isDayWithin("2028-12-08", "planned", today)).toBe(false);
    expect(isDayWithin("1999-12-31", "planned", today)).toBe(false);
    for (const wild of ["9999-12-31", "0000-01-01", "275760-09-13", "-1", "2026-13-01", "2026-02-30"]) {
      expect(isDayWithin(wild, "search", today), wild).toBe(false);
    }
    expect(isDayWithin("1985-06-01", "search", today)).toBe(true);
  });

  it("dayField refuses a day out of the span with the span in French", () => {
    const result = dayField("Indiquez une date.").safeParse("9999-12-31");
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/^Choisissez une date entre le 01\/01\/2000 et le \d\d\/\d\d\/\d{4}\.$/);
    expect(dayField("Indiquez une date.").safeParse("2026-02-30").error!.issues[0]!.message).toBe("Cette date n'existe pas.");
    expect(dayField("Indiquez une date.", "planned", "Vide.").safeParse("").error!.issues[0]!.message).toBe("Vide.");
  });

  it("monthField checks the month's first day", () => {
    expect(monthField("Un mois.").safeParse("2026-11").success).toBe(true);
    expect(monthField("Un mois.").safeParse("9999-01").success).toBe(false);
    expect(monthField("Un mois.").safeParse("2026-13").error!.issues[0]!.message).toBe("Un mois.");
  });
});

describe("control characters and ids", () => {
  it("takes NUL and other control characters out of every text field, keeps tabs and line breaks", () => {
    const cleaned = cleanForm(form({ note: "a\u0000b\u001bc\td\r\ne\u007f", "k\u0000ey": "v" }));
    expect(cleaned.get("note")).toBe("abc\td\r\ne");
    expect(cleaned.get("key")).toBe("v");
  });

  it("sees an encoded control character in a URL", () => {
    expect(urlHasControlCharacters("/people/%00")).toBe(true);
    expect(urlHasControlCharacters("/requests?site=%1B")).toBe(true);
    expect(urlHasControlCharacters("/requests?site=%20%C3%A9")).toBe(false);
  });

  it("knows a record id by its shape", () => {
    expect(isRecordId("cmxco94hz0005bn7dlf3al1ex")).toBe(true);
    expect(isRecordId("walk-planning-run")).toBe(true);
    for (const bad of ["", "a\u0000", "x".repeat(65), "../etc", "zz z", undefined]) expect(isRecordId(bad)).toBe(false);
  });
});
