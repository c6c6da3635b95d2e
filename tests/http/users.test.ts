import { beforeAll, describe, expect, it } from "vitest";
import { formatDateTime } from "~/utils/format.ts";
import { DEMO_ACCOUNTS } from "../support/demo-accounts.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { decodeEntities, invitationOf, sentMails, tokenIn } from "../support/invitations.ts";

// The team page's pending invitations over HTTP: a partner admin (their own
// organisation) and a staff admin cancel or re-send them; the old link stops
// working, the new mail goes through the outbox to the demo mailbox; another
// organisation's invitation id or a malformed one changes nothing and gets a
// French message next to the invitations, never a 500.

const UNKNOWN = "Cette invitation n'existe pas, n'est plus en attente ou ne dépend pas de vous.";

let sncfAdmin: HttpClient;
let mjcAdmin: HttpClient;
let admin: HttpClient;

/** Invites through the page's own form, as the person does. */
async function invite(client: HttpClient, email: string, name: string) {
  const page = await (await client.get("/users")).text();
  const organisationId = /<input type="hidden" name="organisationId" value="([^"]+)"/.exec(page)?.[1];
  const response = await client.post("/users", { intent: "invite", name, email, role: "PARTNER_MEMBER", organisationId: organisationId! }, { from: "/users" });
  expect(response.status).toBe(200);
  return invitationOf(email);
}

beforeAll(async () => {
  sncfAdmin = await new HttpClient().login(DEMO_ACCOUNTS.sncfAdmin);
  mjcAdmin = await new HttpClient().login(DEMO_ACCOUNTS.otherPartner);
  admin = await new HttpClient().login(DEMO_ACCOUNTS.admin);
});

describe("pending invitations on the team page", () => {
  it("lists each invitation with its state and expiry in French, pending then expired", async () => {
    const invitation = await invite(sncfAdmin, "liste.invitee@sncf.example", "Liste Invitée");
    let html = decodeEntities(await (await sncfAdmin.get("/users")).text());
    expect(html).toContain("Liste Invitée");
    expect(html).toContain(`En attente</span> <span class="muted">jusqu'au ${formatDateTime(invitation.expiresAt)}</span>`);
    expect(html).toContain("Annuler l'invitation de Liste Invitée");

    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '2 days' WHERE id = $1`, [invitation.id]);
    const expired = await invitationOf("liste.invitee@sncf.example");
    html = decodeEntities(await (await sncfAdmin.get("/users")).text());
    expect(html).toContain(`Expirée</span> <span class="muted">depuis le ${formatDateTime(expired.expiresAt)}</span>`);
    // Another organisation's admin does not see it.
    expect(await (await mjcAdmin.get("/users")).text()).not.toContain("liste.invitee@sncf.example");
  });

  it("re-sends an expired invitation: a new link valid 7 days, the old one refused, the mail in the mailbox", async () => {
    const email = "renvoi.invitee@sncf.example";
    const first = await invite(sncfAdmin, email, "Renvoi Invitée");
    const [firstMail] = await sentMails(email, 1);
    const oldToken = tokenIn(firstMail!.text);

    // Sent a moment ago: a second mail would only make the first link stale (a double click).
    const tooSoon = await sncfAdmin.post("/users", { intent: "resend-invitation", invitationId: first.id }, { from: "/users" });
    expect(tooSoon.status).toBe(409);
    expect(decodeEntities(await tooSoon.text())).toContain("Cette invitation vient d'être envoyée. Attendez une minute avant de la renvoyer.");
    expect((await invitationOf(email)).tokenHash).toBe(first.tokenHash);

    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 day' WHERE id = $1`, [first.id]);
    const resent = await sncfAdmin.post("/users", { intent: "resend-invitation", invitationId: first.id }, { from: "/users" });
    expect(resent.status).toBe(200);
    expect(decodeEntities(await resent.text())).toContain(`Invitation renvoyée à ${email}, valable 7 jours. Le lien précédent ne fonctionne plus.`);

    const after = await invitationOf(email);
    expect(after.id).toBe(first.id); // the same invitation, a new link
    expect(after.tokenHash).not.toBe(first.tokenHash);
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);

    const [newMail, oldMail] = await sentMails(email, 2);
    expect(oldMail!.id).toBe(firstMail!.id);
    const newToken = tokenIn(newMail!.text);
    expect(newToken).not.toBe(oldToken);
    // The demo mailbox shows it as the person receives it.
    const mailbox = await admin.get(`/mailbox/${newMail!.id}`);
    expect(await mailbox.text()).toContain(`/invitations/${newToken}`);

    // The job carries the mail's id only, keyed by it: a second run finds it sent.
    const jobs = await queryApp<{ payload: unknown }>(`SELECT payload FROM "OutboxEvent" WHERE queue = 'mail' AND "businessKey" = $1`, [`mail:${newMail!.id}`]);
    expect(jobs.map((j) => j.payload)).toEqual([{ mailId: newMail!.id }]);

    const old = decodeEntities(await (await new HttpClient().get(`/invitations/${oldToken}`)).text());
    expect(old).toContain("Cette invitation n'est pas valide ou a été remplacée. Si vous avez reçu une invitation plus récente, suivez le lien de ce dernier message");
    const oldAccept = await new HttpClient().post(`/invitations/${oldToken}`, { password: "un-mot-de-passe-assez-long", confirm: "un-mot-de-passe-assez-long" });
    expect(oldAccept.status).toBe(400);

    const fresh = decodeEntities(await (await new HttpClient().get(`/invitations/${newToken}`)).text());
    expect(fresh).toContain("Créer mon compte");
    const accepted = await new HttpClient().post(`/invitations/${newToken}`, { password: "un-mot-de-passe-assez-long", confirm: "un-mot-de-passe-assez-long" }, { from: `/invitations/${newToken}` });
    expect(accepted.status).toBe(302);
    const [account] = await queryApp<{ organisationId: string; sncf: string }>(
      `SELECT m."organisationId", (SELECT id FROM "Organisation" WHERE slug = 'sncf-gares-connexions') AS sncf FROM "User" u JOIN "Membership" m ON m."userId" = u.id WHERE u.email = $1`,
      [email],
    );
    expect(account!.organisationId).toBe(account!.sncf);

    const audits = await queryApp<{ details: unknown; actorEmail: string }>(
      `SELECT a.details, u.email AS "actorEmail" FROM "AuditLog" a JOIN "User" u ON u.id = a."actorUserId" WHERE a.action = 'user.invitation_resent' AND a."entityId" = $1`,
      [first.id],
    );
    expect(audits).toEqual([{ details: { wasExpired: true }, actorEmail: DEMO_ACCOUNTS.sncfAdmin }]);
  });

  it("cancels after a confirmation: the link then says it was cancelled and whom to ask", async () => {
    const email = "annulation.invitee@sncf.example";
    const invitation = await invite(sncfAdmin, email, "Annulation Invitée");
    const [mail] = await sentMails(email, 1);
    const token = tokenIn(mail!.text);
    // The cancel button sits behind a "Annuler…" disclosure, as a deactivation does.
    const page = decodeEntities(await (await sncfAdmin.get("/users")).text());
    expect(page).toMatch(
      new RegExp(
        `<details><summary>Annuler…<span class="visually-hidden"> l'invitation d'Annulation Invitée</span></summary><form[^>]*>(?:(?!</details>)[\\s\\S])*` +
          `name="intent" value="cancel-invitation"/><input type="hidden" name="invitationId" value="${invitation.id}"/>`,
      ),
    );

    const cancelled = await sncfAdmin.post("/users", { intent: "cancel-invitation", invitationId: invitation.id }, { from: "/users" });
    expect(cancelled.status).toBe(200);
    const html = decodeEntities(await cancelled.text());
    expect(html).toContain("Invitation annulée : son lien ne fonctionne plus.");
    expect(html).not.toContain(email);
    const row = await invitationOf(email);
    expect(row.cancelledAt).not.toBeNull();
    expect(row.revokedAt).not.toBeNull();

    const link = await new HttpClient().get(`/invitations/${token}`);
    expect(link.status).toBe(200);
    expect(decodeEntities(await link.text())).toContain(
      "Cette invitation à rejoindre SNCF Gares & Connexions a été annulée. Si vous devez toujours accéder à l'espace, demandez une nouvelle invitation à",
    );
    const accept = await new HttpClient().post(`/invitations/${token}`, { password: "un-mot-de-passe-assez-long", confirm: "un-mot-de-passe-assez-long" });
    expect(accept.status).toBe(400);
    expect(decodeEntities(await accept.text())).toContain("a été annulée");
    expect(await queryApp(`SELECT 1 FROM "User" WHERE email = $1`, [email])).toEqual([]);

    // Cancelled is final: neither a second cancel nor a re-send brings it back.
    for (const intent of ["cancel-invitation", "resend-invitation"]) {
      const again = await sncfAdmin.post("/users", { intent, invitationId: invitation.id }, { from: "/users" });
      expect(again.status).toBe(404);
      expect(decodeEntities(await again.text())).toContain(UNKNOWN);
    }
    const audits = await queryApp<{ details: unknown; organisationId: string }>(`SELECT details, "organisationId" FROM "AuditLog" WHERE action = 'user.invitation_cancelled' AND "entityId" = $1`, [
      invitation.id,
    ]);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toBeNull();
    const refused = await queryApp<{ details: unknown }>(`SELECT details FROM "AuditLog" WHERE action = 'auth.invitation_refused' AND "entityId" = $1`, [invitation.id]);
    expect(refused.map((r) => r.details)).toContainEqual({ reason: "cancelled" });
  });

  it("refuses another organisation's invitation with the same message as an unknown one, and changes nothing", async () => {
    const theirs = await invite(mjcAdmin, "isolation.invitee@monjardinchocolate.example", "Isolation Invitée");
    // Old enough to be re-sent by its own admin: a refusal is not the one-minute guard.
    await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() + interval '3 days' WHERE id = $1`, [theirs.id]);
    const before = await invitationOf("isolation.invitee@monjardinchocolate.example");
    const mails = await queryApp(`SELECT id FROM "Mail" WHERE "to" = 'isolation.invitee@monjardinchocolate.example'`);
    for (const intent of ["cancel-invitation", "resend-invitation"]) {
      for (const invitationId of [theirs.id, "does-not-exist-0123456789"]) {
        const response = await sncfAdmin.post("/users", { intent, invitationId }, { from: "/users" });
        expect(response.status).toBe(404);
        const html = decodeEntities(await response.text());
        expect(html).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
        expect(html).not.toContain("isolation.invitee");
      }
    }
    expect(await invitationOf("isolation.invitee@monjardinchocolate.example")).toEqual(before);
    expect(await queryApp(`SELECT id FROM "Mail" WHERE "to" = 'isolation.invitee@monjardinchocolate.example'`)).toEqual(mails);

    // The service's administrator manages every organisation's invitations.
    const resent = await admin.post("/users", { intent: "resend-invitation", invitationId: theirs.id }, { from: "/users" });
    expect(resent.status).toBe(200);
    const cancelled = await admin.post("/users", { intent: "cancel-invitation", invitationId: theirs.id }, { from: "/users" });
    expect(cancelled.status).toBe(200);
    expect((await invitationOf("isolation.invitee@monjardinchocolate.example")).cancelledAt).not.toBeNull();
  });

  it("answers a missing or malformed invitation id with a French message on the page, never a 500", async () => {
    for (const body of [{}, { invitationId: "" }, { invitationId: "does-not-exist-0123456789" }, { invitationId: "x".repeat(10_000) }, { invitationId: `<script>alert("x")</script>` }]) {
      for (const intent of ["cancel-invitation", "resend-invitation"]) {
        const response = await sncfAdmin.post("/users", { intent, ...(body as Record<string, string>) }, { from: "/users" });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        const html = decodeEntities(await response.text());
        expect(html).toContain(`<div class="alert error" role="alert">${UNKNOWN}</div>`);
        expect(html).not.toContain(`<script>alert("x")`);
      }
    }
  });
});
