import { can, type Actor, type Capability } from "~/domain/access/roles.ts";

/**
 * The back office's data functions check the capability again, below the
 * route: a call from a new route that forgot requireCapability still refuses.
 */
export function assertCan(actor: Actor, capability: Capability) {
  if (!can(actor.role, capability)) throw new Error(`Actor ${actor.userId} (${actor.role}) lacks ${capability}`);
}
