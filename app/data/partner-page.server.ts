import type { Actor, Role } from "~/domain/access/roles.ts";
import type { PartnerInput, SiteInput } from "~/domain/backoffice/forms.ts";
import { createSite, type getPartner, setPartnerArchived, setSiteArchived, updatePartner, updateSite } from "./organisations.server.ts";
import { cancelInvitation, changeRole, deactivateUser, inviteUser, resendInvitation, UNKNOWN_INVITATION } from "./users.server.ts";

// The forms of a partner's back-office page (/admin/partners/:id): one data
// function per form, each acting on this partner only. The user and invitation
// functions scope by actor, and a staff admin reaches every organisation: the
// account or invitation must also be one listed on this partner's page.

export type Partner = NonNullable<Awaited<ReturnType<typeof getPartner>>>;

export type PartnerAction =
  | ({ intent: "update" } & PartnerInput)
  | { intent: "archive" }
  | { intent: "restore" }
  | ({ intent: "site-create" } & SiteInput)
  | ({ intent: "site-update"; siteId: string } & SiteInput)
  | { intent: "site-archive"; siteId: string }
  | { intent: "site-restore"; siteId: string }
  | { intent: "invite"; name: string; email: string; role: Role }
  | { intent: "role"; userId: string; role: Role }
  | { intent: "deactivate"; userId: string }
  | { intent: "cancel-invitation"; invitationId: string }
  | { intent: "resend-invitation"; invitationId: string };

export type PartnerActionResult = { ok: true; message: string } | { ok: false; status: 400 | 404 | 409; field: string; message: string };

const refused = (field: string, message: string, status: 400 | 404 | 409 = 400): PartnerActionResult => ({ ok: false, status, field, message });
const done = (message: string): PartnerActionResult => ({ ok: true, message });

export async function actOnPartner(actor: Actor, partner: Partner, input: PartnerAction): Promise<PartnerActionResult> {
  switch (input.intent) {
    case "update": {
      const { intent: _, ...fields } = input;
      const result = await updatePartner(actor, partner.id, fields);
      return result && !result.ok ? refused(result.field, result.message) : done("Fiche enregistrée.");
    }
    case "archive":
      await setPartnerArchived(actor, partner.id, true);
      return done("Partenaire archivé : ses comptes ne peuvent plus se connecter, son historique et ses factures restent consultables.");
    case "restore":
      await setPartnerArchived(actor, partner.id, false);
      return done("Partenaire réactivé.");
    case "site-create": {
      const { intent: _, ...fields } = input;
      if (!(await createSite(actor, partner.id, fields))) return refused("form", "Ce partenaire est archivé : réactivez-le pour ajouter un site.");
      return done(`Site « ${fields.name} » ajouté.`);
    }
    case "site-update": {
      const { intent: _, siteId, ...fields } = input;
      if (!(await updateSite(actor, partner.id, siteId, fields))) return refused("form", "Ce site n'existe pas.", 404);
      return done(`Site « ${fields.name} » enregistré.`);
    }
    case "site-archive":
    case "site-restore": {
      const archive = input.intent === "site-archive";
      if (!(await setSiteArchived(actor, partner.id, input.siteId, archive))) return refused("form", "Ce site n'existe pas ou a déjà changé.", 404);
      return done(archive ? "Site archivé : il ne peut plus être choisi pour une nouvelle demande." : "Site réactivé.");
    }
    case "invite": {
      const { intent: _, ...fields } = input;
      const result = await inviteUser(actor, { ...fields, organisationId: partner.id });
      if (!result.ok) return refused(result.field === "organisationId" ? "form" : result.field, result.message);
      return done(`Invitation envoyée à ${fields.email}.`);
    }
    case "role": {
      if (!partner.users.some((u) => u.id === input.userId)) return refused("form", "Ce compte ne dépend pas de ce partenaire.", 404);
      const result = await changeRole(actor, input.userId, input.role);
      return result.ok ? done("Rôle modifié.") : refused("form", result.message);
    }
    case "deactivate":
      if (!partner.users.some((u) => u.id === input.userId) || !(await deactivateUser(actor, input.userId))) {
        return refused("form", "Ce compte n'existe pas ou est déjà désactivé.", 404);
      }
      return done("Compte désactivé : ses sessions sont fermées.");
    case "cancel-invitation":
      if (!partner.invitations.some((i) => i.id === input.invitationId) || !(await cancelInvitation(actor, input.invitationId))) {
        return refused("invitationId", UNKNOWN_INVITATION, 404);
      }
      return done("Invitation annulée : son lien ne fonctionne plus.");
    case "resend-invitation": {
      if (!partner.invitations.some((i) => i.id === input.invitationId)) return refused("invitationId", UNKNOWN_INVITATION, 404);
      const result = await resendInvitation(actor, input.invitationId);
      if (!result.ok) return refused("invitationId", result.message, result.status);
      return done(`Invitation renvoyée à ${result.email}, valable 7 jours. Le lien précédent ne fonctionne plus.`);
    }
  }
}
