import { describe, expect, it } from "vitest";
import { z } from "zod";
import { emailField, MAX_ECHOED_CHARS, parseForm } from "./validation.ts";

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
    const byIntent = z.discriminatedUnion(
      "intent",
      [z.object({ intent: z.literal("save"), name: z.string() }), z.object({ intent: z.literal("remove") })],
      { error: "Action inconnue." },
    );
    expect(parseForm(form({ intent: "nope" }), byIntent)).toEqual({ ok: false, errors: { form: "Action inconnue." }, values: { intent: "nope" } });
  });
});
