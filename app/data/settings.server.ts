import { Prisma } from "~/generated/prisma/client.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { invalidStoredRules, resolveServiceRules, SERVICE_RULES, type ServiceRuleKey, type ServiceRules } from "~/domain/settings/rules.ts";
import { logRepeatedWarning } from "~/utils/log.server.ts";
import { audit } from "./audit.server.ts";
import { db, rawRows, type Db, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";

/** Every service rule, stored values over defaults. One query; cheap enough to call per request. */
export async function getServiceRules(tx: Db | Tx = db()): Promise<ServiceRules> {
  return (await readServiceRules(tx)).rules;
}

/** The rules, and those whose stored value is refused (each then applies its default, said in the log and on /admin/rules). */
export async function readServiceRules(tx: Db | Tx = db()): Promise<{ rules: ServiceRules; invalid: ServiceRuleKey[] }> {
  // Straight on the pool outside a transaction: every notification job and many pages read them.
  const rows = await rawRows<{ key: string; value: unknown }>(tx, Prisma.sql`SELECT key, value FROM "ServiceSetting"`);
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  const invalid = invalidStoredRules(stored);
  for (const key of invalid) logRepeatedWarning("settings.invalid_rule", { rule: key });
  return { rules: resolveServiceRules(stored), invalid };
}

/** Sets one rule (validated by its schema), audited. The caller checks the actor may. */
export async function setServiceRule<K extends ServiceRuleKey>(actor: Actor, key: K, value: ServiceRules[K]) {
  const parsed = SERVICE_RULES[key].parse(value) as Prisma.InputJsonValue;
  await db().$transaction(async (tx) => {
    await tx.serviceSetting.upsert({
      where: { key },
      create: { key, value: parsed, updatedById: actor.userId },
      update: { value: parsed, updatedById: actor.userId },
    });
    // The worker re-registers the weekly optimisation's job scheduler: no restart needed.
    if (key === "weeklyOptimisation") {
      await addToOutbox(tx, "scheduling", "reschedule-optimisation", `rules-changed:weeklyOptimisation:${Date.now()}`, {});
    }
    await audit({ action: "settings.changed", outcome: "ok", actorUserId: actor.userId, entityType: "ServiceSetting", entityId: key, details: { value: parsed } }, tx);
  });
}
