import { describe, expect, it } from "vitest";
import { lastContractDay } from "~/domain/dph.ts";
import { newParticipantSchema } from "./people-forms.ts";

const today = "2026-11-29";
const base = { firstName: "Awa", lastInitial: "s", contractStart: "2026-12-01", contractEnd: "2027-05-31", weeklyTargetHours: "3", weeklyMaxHours: "16" };
const errors = (over: Record<string, string>) => {
  const r = newParticipantSchema(today).safeParse({ ...base, ...over });
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("a DPH contract", () => {
  it("lasts 12 months at most, to the day before the same date a year later", () => {
    expect(lastContractDay("2026-12-01")).toBe("2027-11-30");
    expect(lastContractDay("2028-02-29")).toBe("2029-02-28");
    expect(errors({ contractEnd: "2027-11-30" })).toEqual({});
    expect(errors({ contractEnd: "2027-12-01" })).toEqual({ contractEnd: "Un contrat DPH dure 12 mois au plus : fin au plus tard le 30/11/2027." });
  });

  it("keeps the initial to one capital letter and the hours between 3 and 16 by quarter", () => {
    const ok = newParticipantSchema(today).parse({ ...base, lastInitial: "é.", weeklyTargetHours: "6,25" });
    expect(ok).toMatchObject({ lastInitial: "É", weeklyTargetHours: 6.25, weeklyMaxHours: 16, referentSupervisorId: null });
    expect(errors({ lastInitial: "Sow" }).lastInitial).toMatch(/^Une seule lettre/);
    expect(errors({ lastInitial: " " }).lastInitial).toBe("Indiquez l'initiale du nom.");
    expect(errors({ weeklyTargetHours: "2" }).weeklyTargetHours).toBe("Entre 3 et 16 heures (Dispositif Premières Heures).");
    expect(errors({ weeklyTargetHours: "6,2" }).weeklyTargetHours).toBe("Par quart d'heure (par exemple 6,25 ou 6,5).");
    expect(errors({ contractStart: "2025-01-01", contractEnd: "2025-06-30" }).contractEnd).toBe("Ce contrat est déjà terminé.");
  });
});
