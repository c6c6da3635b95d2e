import { beforeAll, describe, expect, it } from "vitest";
import { parisWeekStart } from "~/utils/paris-time.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { decodeEntities } from "../support/invitations.ts";

// Why an intervention has no team, as the coordinator reads it: the rule by
// its French name and the skill by its catalogue label, never "H3" or
// "espaces-verts" (the engine's words, kept as they are in the database).

let coordinator: HttpClient;
let intervention: { id: string; startsAt: Date };

beforeAll(async () => {
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  [intervention] = (await queryApp<{ id: string; startsAt: Date }>(`SELECT id, "startsAt" FROM "Intervention" WHERE status = 'ACCEPTED' AND "startsAt" > now() ORDER BY "startsAt" LIMIT 1`)) as [
    { id: string; startsAt: Date },
  ];
  // What the engine writes when no encadrant has the skill.
  await queryApp(
    `UPDATE "Intervention" SET "unstaffedRule" = 'H3', "unstaffedReason" = 'Aucun encadrant n''a la compétence espaces-verts : l''ajouter à un encadrant ou confier l''intervention à une autre équipe.' WHERE id = $1`,
    [intervention.id],
  );
});

const text = (html: string) =>
  decodeEntities(
    html
      .replaceAll("<!-- -->", "")
      .replace(/<script[\s\S]*?<\/script>/g, "")
      .replace(/<[^>]*>/g, " "),
  ).replace(/\s+/g, " ");

describe("staffing explanations in French", () => {
  it("the planning board names the rule and the skill in French", async () => {
    const page = text(await (await coordinator.get(`/planning?week=${parisWeekStart(intervention.startsAt)}`)).text());
    expect(page).toContain("Compétence Aucun encadrant n'a la compétence « Espaces verts » : l'ajouter à un encadrant");
    expect(page).not.toContain("espaces-verts");
    expect(page).not.toMatch(/\bH[1-8]\b/);
  });

  it("the intervention's page too", async () => {
    const page = text(await (await coordinator.get(`/planning/interventions/${intervention.id}`)).text());
    expect(page).toContain("Sans équipe — Compétence : Aucun encadrant n'a la compétence « Espaces verts »");
    expect(page).not.toContain("espaces-verts");
    expect(page).not.toMatch(/\bH[1-8]\b|\(capacity\)/);
  });
});
