import type { Actor } from "~/domain/access/roles.ts";
import { audit } from "./audit.server.ts";
import { assertCan } from "./backoffice-access.server.ts";
import { db } from "./db.server.ts";
import { setServiceRule } from "./settings.server.ts";

// The rules screen's parts that live in their own tables: skills (which
// prestations, workers and encadrants refer to) and each encadrant's team limit.

export async function listSupervisorLimits(actor: Actor) {
  assertCan(actor, "backoffice.rules");
  return db().supervisor.findMany({
    where: { active: true },
    orderBy: [{ firstName: "asc" }, { lastName: "asc" }],
    select: { id: true, firstName: true, lastName: true, maxTeamSize: true },
  });
}

export async function setSupervisorLimit(actor: Actor, supervisorId: string, maxTeamSize: number) {
  assertCan(actor, "backoffice.rules");
  return db().$transaction(async (tx) => {
    const updated = await tx.supervisor.updateMany({ where: { id: supervisorId, active: true }, data: { maxTeamSize } });
    if (updated.count !== 1) return false;
    await audit({ action: "supervisor.team_limit_changed", outcome: "ok", actorUserId: actor.userId, entityType: "Supervisor", entityId: supervisorId, details: { maxTeamSize } }, tx);
    return true;
  });
}

/**
 * Adds a skill (or renames the one with this code). The `skills` service rule
 * mirrors the table, so every reader of the rules sees the same list.
 */
export async function saveSkill(actor: Actor, input: { code: string; label: string }) {
  assertCan(actor, "backoffice.rules");
  const labelTaken = await db().skill.findFirst({
    where: { label: { equals: input.label, mode: "insensitive" }, code: { not: input.code } },
    select: { id: true },
  });
  if (labelTaken) return { ok: false as const, field: "label", message: "Une autre compétence porte déjà ce libellé." };
  const skill = await db().skill.upsert({ where: { code: input.code }, create: { code: input.code, label: input.label }, update: { label: input.label }, select: { id: true } });
  await audit({ action: "skill.saved", outcome: "ok", actorUserId: actor.userId, entityType: "Skill", entityId: skill.id, details: input });
  const all = await db().skill.findMany({ orderBy: { label: "asc" }, select: { code: true, label: true } });
  await setServiceRule(actor, "skills", all);
  return { ok: true as const };
}
