import { describe, expect, it } from "vitest";
import { hashPassword } from "~/auth/password.server.ts";
import { db } from "~/data/db.server.ts";
import { acceptInvitation, cancelInvitation, findInvitation, invitationState, inviteUser, listOpenInvitations, resendInvitation, UNKNOWN_INVITATION } from "~/data/users.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { sendMail } from "../../workers/processors/mail.ts";
import { createOrganisation, createUser } from "../support/factories.ts";

// Cancelling and re-sending invitations in the data layer, on the real
// database: scoped by the actor's organisation, one winner when two clicks
// race, the mail job safe to run twice.

const passwordHash = await hashPassword("correct-horse-battery");
const tokenFrom = (text: string) => /\/invitations\/([\w-]+)/.exec(text)![1]!;

async function partnerAdmin(): Promise<Actor> {
  const org = await createOrganisation(db());
  const admin = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
  return { userId: admin.id, organisationId: org.id, role: "PARTNER_ADMIN" };
}

async function invited(actor: Actor, email: string) {
  expect(await inviteUser(actor, { email, name: "Personne Invitée", role: "PARTNER_MEMBER", organisationId: actor.organisationId })).toEqual({ ok: true });
  return db().invitation.findFirstOrThrow({ where: { email }, orderBy: { createdAt: "desc" } });
}

/** As if it had been sent `days` ago. */
const age = (id: string, days: number) => db().invitation.update({ where: { id }, data: { expiresAt: new Date(Date.now() + (7 - days) * 86_400_000) } });

describe("re-sending an invitation", () => {
  it("sends one mail when two re-sends race, and the job sends it once when run twice", async () => {
    const actor = await partnerAdmin();
    const invitation = await invited(actor, "race@test.example");
    await age(invitation.id, 2);
    const results = await Promise.all([resendInvitation(actor, invitation.id), resendInvitation(actor, invitation.id)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ status: 409 });
    const mails = await db().mail.findMany({ where: { to: "race@test.example" }, orderBy: { createdAt: "asc" } });
    expect(mails).toHaveLength(2); // the invitation's and the one re-send's
    const latest = mails[1]!;
    expect(invitationState(await findInvitation(tokenFrom(latest.text)))).toBe("valid");
    expect(await findInvitation(tokenFrom(mails[0]!.text))).toBeNull();

    const sent: string[] = [];
    const transport = { send: async (m: { to: string }) => void sent.push(m.to) };
    expect(await sendMail({ mailId: latest.id }, transport)).toEqual({ skipped: false });
    expect(await sendMail({ mailId: latest.id }, transport)).toEqual({ skipped: true });
    expect(sent).toEqual(["race@test.example"]);
  });

  it("refuses another organisation's invitation, an accepted one, and one whose address now has an account", async () => {
    const actor = await partnerAdmin();
    const stranger = await partnerAdmin();
    const theirs = await invited(stranger, "theirs@test.example");
    const before = await age(theirs.id, 2);
    expect(await resendInvitation(actor, theirs.id)).toEqual({ ok: false, status: 404, message: UNKNOWN_INVITATION });
    expect(await cancelInvitation(actor, theirs.id)).toBe(false);
    expect(await db().invitation.findUniqueOrThrow({ where: { id: theirs.id } })).toEqual(before);

    const accepted = await invited(actor, "accepted@test.example");
    const mail = await db().mail.findFirstOrThrow({ where: { to: "accepted@test.example" } });
    expect(await acceptInvitation(tokenFrom(mail.text), passwordHash)).not.toBeNull();
    await age(accepted.id, 2);
    expect(await resendInvitation(actor, accepted.id)).toMatchObject({ ok: false, status: 404 });

    const taken = await invited(actor, "taken@test.example");
    await createUser(db(), { email: "taken@test.example" });
    await age(taken.id, 2);
    expect(await resendInvitation(actor, taken.id)).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("Un compte existe déjà") });
    expect(await db().mail.count({ where: { to: { in: ["theirs@test.example", "accepted@test.example", "taken@test.example"] } } })).toBe(3);
  });

  it("lets the service's administrator re-send any organisation's invitation, audited without personal data", async () => {
    const partner = await partnerAdmin();
    const invitation = await invited(partner, "by-admin@test.example");
    await age(invitation.id, 9); // expired two days ago
    const staff = await createUser(db(), { role: "ADMIN" });
    const admin: Actor = { userId: staff.id, organisationId: staff.membership!.organisationId, role: "ADMIN" };
    expect(await listOpenInvitations(admin)).toContainEqual(expect.objectContaining({ id: invitation.id, expired: true }));
    expect(await resendInvitation(admin, invitation.id)).toEqual({ ok: true, email: "by-admin@test.example" });
    const entry = await db().auditLog.findFirstOrThrow({ where: { action: "user.invitation_resent", entityId: invitation.id } });
    expect(entry).toMatchObject({ actorUserId: staff.id, organisationId: partner.organisationId, details: { wasExpired: true } });
    expect(JSON.stringify({ ...entry, id: String(entry.id) })).not.toContain("by-admin");
  });
});

describe("cancelling an invitation", () => {
  it("wins or loses cleanly against an acceptance, and the link then says it was cancelled", async () => {
    const actor = await partnerAdmin();
    const invitation = await invited(actor, "cancel-race@test.example");
    const token = tokenFrom((await db().mail.findFirstOrThrow({ where: { to: "cancel-race@test.example" } })).text);
    const [cancelled, user] = await Promise.all([cancelInvitation(actor, invitation.id), acceptInvitation(token, passwordHash)]);
    // Exactly one of the two happened.
    expect(cancelled !== (user !== null)).toBe(true);
    const state = invitationState(await findInvitation(token));
    expect(state).toBe(cancelled ? "cancelled" : "used");
  });

  it("keeps a replaced invitation apart from a cancelled one, and drops both from the list", async () => {
    const actor = await partnerAdmin();
    const first = await invited(actor, "twice@test.example");
    const firstToken = tokenFrom((await db().mail.findFirstOrThrow({ where: { to: "twice@test.example" } })).text);
    const second = await invited(actor, "twice@test.example"); // replaces the first
    expect(invitationState(await findInvitation(firstToken))).toBe("unknown");
    expect(await cancelInvitation(actor, first.id)).toBe(false); // already replaced: nothing to cancel
    expect(await cancelInvitation(await partnerAdmin(), second.id)).toBe(false); // another organisation's admin
    expect(await cancelInvitation(actor, second.id)).toBe(true);
    expect(await cancelInvitation(actor, second.id)).toBe(false);
    expect((await listOpenInvitations(actor)).map((i) => i.id)).toEqual([]);
    expect(await db().auditLog.count({ where: { action: "user.invitation_cancelled", entityId: second.id } })).toBe(1);
  });
});
