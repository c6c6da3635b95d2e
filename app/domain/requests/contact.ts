import type { ServiceContact } from "~/domain/settings/rules.ts";

/**
 * What a partner is told when the app can no longer do something for them:
 * reach coordination through the contact set in the service rules
 * (/admin/rules). With none set, no number is made up.
 */
export function callCoordination(contact: ServiceContact): string {
  if (contact.phone && contact.email) return `Appelez la coordination au ${contact.phone} ou écrivez-lui à ${contact.email}.`;
  if (contact.phone) return `Appelez la coordination au ${contact.phone}.`;
  if (contact.email) return `Écrivez à la coordination à ${contact.email}.`;
  return "Contactez la coordination.";
}
