import { beforeAll, describe, expect, it } from "vitest";
import { formatDateTime } from "~/utils/format.ts";
import { DEMO_ACCOUNTS } from "../support/demo-accounts.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { decodeEntities, invitationOf, sentMails, tokenIn } from "../support/invitations.ts";

// The staff admin's partner page over HTTP: the partner's invitations, pending
// or expired, re-sent (old link refused, new one accepted) or cancelled with
// the team page's data functions; an invitation of another partner posted to
// this partner's page is refused with the "unknown" message and changes nothing,
// although the staff admin may act on it from that partner's own page.

const UNKNOWN = "Cette invitation n'existe pas, n'est plus en attente ou ne dépend pas de vous.";
const PASSWORD = "un-mot-de-passe-assez-long";

let admin: HttpClient;
let sncfOrg: string;
let mjcOrg: string;

const pageOf = (orgId: string) => `/admin/partners/${orgId}`;

/** Invites through the partner page's own form, as the staff admin does. */
async function invite(orgId: string, email: string, name: string) {
  const response = await admin.post(pageOf(orgId), { intent: "invite", name, email, role: "PARTNER_MEMBER" }, { from: pageOf(orgId) });
  expect(response.status).toBe(200);
  expect(decodeEntities(await response.text())).toContain(`Invitation envoyée à ${email}.`);
  return invitationOf(email);
}

beforeAll(async () => {
  admin = await new HttpClient().login(DEMO_ACCOUNTS.admin);
  const orgs = await queryApp<{ id: string; slug: string }>(`SELECT id, slug FROM "Organisation" WHERE slug IN ('sncf-gares-connexions', 'mon-jardin-chocolate')`);
  sncfOrg = orgs.find((o) => o.slug === "sncf-gares-connexions")!.id;
  mjcOrg = orgs.find((o) => o.slug === "mon-jardin-chocolate")!.id;
});

describe("a partner's invitations on the staff admin's partner page", () => {
  it("lists pending and expired invitations with their state and expiry in French, and the re-send and cancel forms", async () => {
    const pending = await invite(sncfOrg, "partenaire.attente@sncf.example", "Attente Partenaire");
    const old = await invite(sncfOrg, "partenaire.expiree@sncf.example", "Expirée Partenaire");
    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '2 days' WHERE id = $1`, [old.id]);
    const expired = await invitationOf("partenaire.expiree@sncf.example");
    const html = decodeEntities(await (await admin.get(pageOf(sncfOrg))).text());
    expect(html).toContain(`En attente</span> <span class="muted">jusqu'au ${formatDateTime(pending.expiresAt)}</span>`);
    expect(html).toContain(`Expirée</span> <span class="muted">depuis le ${formatDateTime(expired.expiresAt)}</span>`);
    expect(html).toMatch(
      new RegExp(
        `<details><summary>Annuler…<span class="visually-hidden"> l'invitation d'Expirée Partenaire</span></summary><form[^>]*>(?:(?!</details>)[\\s\\S])*` +
          `name="intent" value="cancel-invitation"/><input type="hidden" name="invitationId" value="${expired.id}"/>`,
      ),
    );
    expect(html).toContain(`name="intent" value="resend-invitation"/><input type="hidden" name="invitationId" value="${pending.id}"/>`);

    // Expired more than 30 days ago: off the page, as on the team page, and out of reach from it.
    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '31 days' WHERE id = $1`, [old.id]);
    expect(await (await admin.get(pageOf(sncfOrg))).text()).not.toContain("partenaire.expiree@sncf.example");
    const stale = await admin.post(pageOf(sncfOrg), { intent: "resend-invitation", invitationId: old.id }, { from: pageOf(sncfOrg) });
    expect(stale.status).toBe(404);
    expect(decodeEntities(await stale.text())).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
  });

  it("re-sends an expired invitation from the partner page: the old link refused, the new one accepted", async () => {
    const email = "partenaire.renvoi@sncf.example";
    const first = await invite(sncfOrg, email, "Renvoi Partenaire");
    const [firstMail] = await sentMails(email, 1);
    const oldToken = tokenIn(firstMail!.text);

    // Sent a moment ago: the one-minute guard of the data function answers here too.
    const tooSoon = await admin.post(pageOf(sncfOrg), { intent: "resend-invitation", invitationId: first.id }, { from: pageOf(sncfOrg) });
    expect(tooSoon.status).toBe(409);
    expect(decodeEntities(await tooSoon.text())).toContain("Cette invitation vient d'être envoyée. Attendez une minute avant de la renvoyer.");
    expect((await invitationOf(email)).tokenHash).toBe(first.tokenHash);

    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 day' WHERE id = $1`, [first.id]);
    const resent = await admin.post(pageOf(sncfOrg), { intent: "resend-invitation", invitationId: first.id }, { from: pageOf(sncfOrg) });
    expect(resent.status).toBe(200);
    expect(decodeEntities(await resent.text())).toContain(`<div class="alert success" role="status">Invitation renvoyée à ${email}, valable 7 jours. Le lien précédent ne fonctionne plus.</div>`);

    const after = await invitationOf(email);
    expect(after.id).toBe(first.id);
    expect(after.tokenHash).not.toBe(first.tokenHash);
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);

    const [newMail, oldMail] = await sentMails(email, 2);
    expect(oldMail!.id).toBe(firstMail!.id);
    const newToken = tokenIn(newMail!.text);
    expect(newToken).not.toBe(oldToken);

    expect(decodeEntities(await (await new HttpClient().get(`/invitations/${oldToken}`)).text())).toContain("Cette invitation n'est pas valide ou a été remplacée.");
    const oldAccept = await new HttpClient().post(`/invitations/${oldToken}`, { password: PASSWORD, confirm: PASSWORD });
    expect(oldAccept.status).toBe(400);

    const accepted = await new HttpClient().post(`/invitations/${newToken}`, { password: PASSWORD, confirm: PASSWORD }, { from: `/invitations/${newToken}` });
    expect(accepted.status).toBe(302);
    const [account] = await queryApp<{ organisationId: string }>(`SELECT m."organisationId" FROM "User" u JOIN "Membership" m ON m."userId" = u.id WHERE u.email = $1`, [email]);
    expect(account!.organisationId).toBe(sncfOrg);

    const audits = await queryApp<{ details: unknown; actorEmail: string; organisationId: string }>(
      `SELECT a.details, u.email AS "actorEmail", a."organisationId" FROM "AuditLog" a JOIN "User" u ON u.id = a."actorUserId" WHERE a.action = 'user.invitation_resent' AND a."entityId" = $1`,
      [first.id],
    );
    expect(audits).toEqual([{ details: { wasExpired: true }, actorEmail: DEMO_ACCOUNTS.admin, organisationId: sncfOrg }]);
  });

  it("cancels from the partner page: the link then says it was cancelled, and a second cancel is refused", async () => {
    const email = "partenaire.annulation@sncf.example";
    const invitation = await invite(sncfOrg, email, "Annulation Partenaire");
    const [mail] = await sentMails(email, 1);
    const token = tokenIn(mail!.text);

    const cancelled = await admin.post(pageOf(sncfOrg), { intent: "cancel-invitation", invitationId: invitation.id }, { from: pageOf(sncfOrg) });
    expect(cancelled.status).toBe(200);
    const html = decodeEntities(await cancelled.text());
    expect(html).toContain(`<div class="alert success" role="status">Invitation annulée : son lien ne fonctionne plus.</div>`);
    expect(html).not.toContain(email);
    const row = await invitationOf(email);
    expect(row.cancelledAt).not.toBeNull();
    expect(row.revokedAt).not.toBeNull();

    expect(decodeEntities(await (await new HttpClient().get(`/invitations/${token}`)).text())).toContain("Cette invitation à rejoindre SNCF Gares & Connexions a été annulée.");
    const accept = await new HttpClient().post(`/invitations/${token}`, { password: PASSWORD, confirm: PASSWORD });
    expect(accept.status).toBe(400);
    expect(await queryApp(`SELECT 1 FROM "User" WHERE email = $1`, [email])).toEqual([]);

    for (const intent of ["cancel-invitation", "resend-invitation"]) {
      const again = await admin.post(pageOf(sncfOrg), { intent, invitationId: invitation.id }, { from: pageOf(sncfOrg) });
      expect(again.status).toBe(404);
      expect(decodeEntities(await again.text())).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
    }
    const audits = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'user.invitation_cancelled' AND "entityId" = $1`, [invitation.id]);
    expect(audits).toHaveLength(1);
  });

  it("refuses another partner's invitation posted to this partner's page with the unknown message, and changes nothing", async () => {
    const email = "partenaire.isolation@monjardinchocolate.example";
    const theirs = await invite(mjcOrg, email, "Isolation Partenaire");
    await sentMails(email, 1);
    // Old enough to be re-sent: a refusal is not the one-minute guard.
    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() + interval '3 days' WHERE id = $1`, [theirs.id]);
    const before = await invitationOf(email);
    const mails = await queryApp(`SELECT id FROM "Mail" WHERE "to" = $1`, [email]);
    for (const intent of ["cancel-invitation", "resend-invitation"]) {
      const response = await admin.post(pageOf(sncfOrg), { intent, invitationId: theirs.id }, { from: pageOf(sncfOrg) });
      expect(response.status).toBe(404);
      const html = decodeEntities(await response.text());
      expect(html).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
      expect(html).not.toContain(email);
    }
    expect(await invitationOf(email)).toEqual(before);
    expect(await queryApp(`SELECT id FROM "Mail" WHERE "to" = $1`, [email])).toEqual(mails);
    expect(await queryApp(`SELECT 1 FROM "AuditLog" WHERE action IN ('user.invitation_cancelled', 'user.invitation_resent') AND "entityId" = $1`, [theirs.id])).toEqual([]);

    // From its own partner's page, the same staff admin may.
    const cancelled = await admin.post(pageOf(mjcOrg), { intent: "cancel-invitation", invitationId: theirs.id }, { from: pageOf(mjcOrg) });
    expect(cancelled.status).toBe(200);
    expect((await invitationOf(email)).cancelledAt).not.toBeNull();
  });

  it("answers a missing or malformed invitation id with a French message on the page, never a 500", async () => {
    for (const body of [{}, { invitationId: "" }, { invitationId: "x".repeat(10_000) }, { invitationId: `<script>alert("x")</script>` }]) {
      for (const intent of ["cancel-invitation", "resend-invitation"]) {
        const response = await admin.post(pageOf(sncfOrg), { intent, ...(body as Record<string, string>) }, { from: pageOf(sncfOrg) });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        const html = decodeEntities(await response.text());
        expect(html).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
        expect(html).not.toContain(`<script>alert("x")`);
      }
    }
  });
});
