import { describe, expect, it } from "vitest";
import { login, type KnownDevice } from "~/auth/auth.server.ts";
import { hashPassword } from "~/auth/password.server.ts";
import { ABSOLUTE_TIMEOUT_MS, getSessionUser, IDLE_TIMEOUT_MS, startSession } from "~/auth/session.server.ts";
import { db } from "~/data/db.server.ts";
import { acceptInvitation, deactivateUser, findPasswordReset, inviteUser, requestPasswordReset, resetPassword } from "~/data/users.server.ts";
import { ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY_S, IP_FREE_FAILURES } from "~/domain/access/throttle.ts";
import { createOrganisation, createUser } from "../support/factories.ts";

const PASSWORD = "correct-horse-battery";
const passwordHash = await hashPassword(PASSWORD);

/** Signs in and returns a request carrying the new session cookie. */
async function signedInRequest(userId: string) {
  const response = await startSession(userId, "/", new Request("http://localhost/login"));
  const cookie = response.headers.get("Set-Cookie")!.split(";")[0]!;
  return new Request("http://localhost/", { headers: { Cookie: cookie } });
}

async function auditActions(actorUserId?: string) {
  return (await db().auditLog.findMany({ where: { actorUserId }, orderBy: { id: "asc" } })).map((r) => r.action);
}

describe("login", () => {
  it("accepts the right password, writes the sign-in to the audit log", async () => {
    const user = await createUser(db(), { passwordHash, email: "ana@test.example" });
    const result = await login(" Ana@Test.example ", PASSWORD, "10.0.0.1");
    expect(result).toEqual({ ok: true, userId: user.id });
    expect(await auditActions(user.id)).toContain("auth.login");
  });

  it("refuses a wrong password and an unknown email with the same French message, both audited", async () => {
    const user = await createUser(db(), { passwordHash });
    const wrong = await login(user.email, "not-the-password", "10.0.0.2");
    const unknown = await login("nobody@test.example", PASSWORD, "10.0.0.2");
    expect(wrong).toEqual({ ok: false, message: "Adresse e-mail ou mot de passe incorrect." });
    expect(unknown).toEqual(wrong);
    const refusals = await db().auditLog.findMany({ where: { action: "auth.login_refused", ip: "10.0.0.2" } });
    expect(refusals.map((r) => (r.details as { reason: string }).reason).sort()).toEqual(["unknown_email", "wrong_password"]);
  });

  /** Lets the delays imposed so far run out, as if the attacker waited for each. */
  const letDelaysPass = () => db().loginThrottle.deleteMany({ where: { key: { startsWith: "wait:" } } });

  it("slows an account down after a few failures, with growing delays, never a lock the right password cannot pass", async () => {
    const user = await createUser(db(), { passwordHash });
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) await login(user.email, "wrong", `10.1.0.${i}`);
    expect((await db().loginThrottle.findMany({ where: { key: { startsWith: "wait:" } } })).length).toBe(0); // free failures: no delay yet
    await login(user.email, "wrong", "10.1.0.50");
    // Right after, even the right password waits its turn (1 second), with a French message.
    const refused = await login(user.email, PASSWORD, "10.1.0.99");
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/Réessayez dans 1 seconde/) });
    expect(await db().auditLog.count({ where: { action: "auth.login_throttled", actorUserId: user.id } })).toBe(1);
    // A long attack: the delay grows, and stays capped at a minute.
    for (let i = 0; i < 30; i++) {
      await letDelaysPass();
      await login(user.email, "wrong", `10.1.1.${i}`);
    }
    const [wait] = await db().loginThrottle.findMany({ where: { key: `wait:email:${user.email}` } });
    expect(wait!.expire!.getTime() - Date.now()).toBeGreaterThan((ACCOUNT_MAX_DELAY_S - 5) * 1000);
    expect(wait!.expire!.getTime() - Date.now()).toBeLessThanOrEqual(ACCOUNT_MAX_DELAY_S * 1000);
    // Once that short delay is over, the owner's right password gets in.
    await db().loginThrottle.updateMany({ where: { key: `wait:email:${user.email}` }, data: { expire: new Date(Date.now() - 1) } });
    expect((await login(user.email, PASSWORD, "10.1.0.99")).ok).toBe(true);
  });

  it("lets the owner in at once from a device they signed in from before, even while their account is throttled", async () => {
    const user = await createUser(db(), { passwordHash });
    const device: KnownDevice = { userId: user.id, deviceId: "known-device-1" };
    for (let i = 0; i < 12; i++) await login(user.email, "wrong", `10.2.0.${i}`);
    expect((await login(user.email, PASSWORD, "10.2.1.1")).ok).toBe(false);
    expect((await login(user.email, PASSWORD, "10.2.1.1", device)).ok).toBe(true);
    // Another account's device cookie is no pass for this account.
    const other = await createUser(db(), { passwordHash });
    expect((await login(user.email, PASSWORD, "10.2.1.2", { userId: other.id, deviceId: "other-device" })).ok).toBe(false);
  });

  it("tells the owner by one mail, through the outbox, when their account starts being throttled", async () => {
    const user = await createUser(db(), { passwordHash });
    for (let i = 0; i < ACCOUNT_FREE_FAILURES + 6; i++) {
      await letDelaysPass();
      await login(user.email, "wrong", `10.3.0.${i}`);
    }
    const mails = await db().mail.findMany({ where: { to: user.email } });
    expect(mails.map((m) => m.subject)).toEqual(["Tentatives de connexion sur votre compte"]);
    expect(mails[0]!.text).toContain("/forgot-password");
    expect(await db().outboxEvent.count({ where: { queue: "mail", businessKey: `mail:${mails[0]!.id}` } })).toBe(1);
  });

  it("slows down an IP address that tries many accounts, not the others", async () => {
    for (let i = 0; i < IP_FREE_FAILURES + 1; i++) await login(`spray-${i}@test.example`, "x", "10.9.9.9");
    const user = await createUser(db(), { passwordHash });
    const result = await login(user.email, PASSWORD, "10.9.9.9");
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/Réessayez dans/) });
    expect((await login(user.email, PASSWORD, "10.9.9.10")).ok).toBe(true);
  });

  it("refuses a deactivated account", async () => {
    const user = await createUser(db(), { passwordHash, deactivatedAt: new Date() });
    expect((await login(user.email, PASSWORD, null)).ok).toBe(false);
  });
});

describe("sessions", () => {
  it("finds the user behind a fresh session cookie, with role and organisation", async () => {
    const user = await createUser(db(), { passwordHash, role: "PARTNER_ADMIN" });
    const sessionUser = await getSessionUser(await signedInRequest(user.id));
    expect(sessionUser).toMatchObject({ userId: user.id, role: "PARTNER_ADMIN", organisationId: user.membership!.organisationId });
  });

  it("gives a new session id at each sign-in and ends the previous one", async () => {
    const user = await createUser(db(), { passwordHash });
    const first = await signedInRequest(user.id);
    const second = await startSession(user.id, "/", first);
    expect(second.headers.get("Set-Cookie")).not.toContain(first.headers.get("Cookie")!.split("=")[1]);
    expect(await getSessionUser(first)).toBeNull();
  });

  it("ignores a forged or tampered cookie", async () => {
    const user = await createUser(db(), { passwordHash });
    const request = await signedInRequest(user.id);
    const cookie = request.headers.get("Cookie")!;
    const tampered = cookie.slice(0, -3) + (cookie.endsWith("a") ? "bcd" : "abc");
    expect(await getSessionUser(new Request("http://localhost/", { headers: { Cookie: tampered } }))).toBeNull();
    expect(await getSessionUser(new Request("http://localhost/", { headers: { Cookie: "conciergerie_session=forged" } }))).toBeNull();
  });

  it("ends after the idle timeout and after the absolute timeout", async () => {
    const user = await createUser(db(), { passwordHash });
    const request = await signedInRequest(user.id);
    const now = Date.now();
    expect(await getSessionUser(request, new Date(now + IDLE_TIMEOUT_MS - 60_000))).not.toBeNull();
    const idle = await signedInRequest(user.id);
    expect(await getSessionUser(idle, new Date(now + IDLE_TIMEOUT_MS + 60_000))).toBeNull();
    const absolute = await signedInRequest(user.id);
    expect(await getSessionUser(absolute, new Date(now + ABSOLUTE_TIMEOUT_MS + 1000))).toBeNull();
  });

  it("ends every session of a deactivated user at once", async () => {
    const org = await createOrganisation(db());
    const admin = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
    const colleague = await createUser(db(), { organisationId: org.id, passwordHash });
    const request = await signedInRequest(colleague.id);
    expect(await deactivateUser({ userId: admin.id, organisationId: org.id, role: "PARTNER_ADMIN" }, colleague.id)).toBe(true);
    expect(await getSessionUser(request)).toBeNull();
  });

  it("never lets a partner admin deactivate someone of another organisation", async () => {
    const admin = await createUser(db(), { role: "PARTNER_ADMIN" });
    const stranger = await createUser(db());
    const actor = { userId: admin.id, organisationId: admin.membership!.organisationId, role: "PARTNER_ADMIN" as const };
    expect(await deactivateUser(actor, stranger.id)).toBe(false);
    expect((await db().user.findUniqueOrThrow({ where: { id: stranger.id } })).deactivatedAt).toBeNull();
  });
});

describe("invitations and password reset", () => {
  const tokenFrom = (text: string, path: string) => new RegExp(`${path}/([\\w-]+)`).exec(text)![1]!;

  it("invites by a one-time link sent through the outbox, which creates the account once", async () => {
    const org = await createOrganisation(db(), { name: "Chocolaterie test" });
    const admin = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
    const actor = { userId: admin.id, organisationId: org.id, role: "PARTNER_ADMIN" as const };
    const result = await inviteUser(actor, { email: "New.Colleague@test.example", name: "Nouvelle Collègue", role: "PARTNER_MEMBER", organisationId: org.id });
    expect(result).toEqual({ ok: true });
    const mail = await db().mail.findFirstOrThrow({ where: { to: "new.colleague@test.example" } });
    expect(mail.subject).toBe("Votre invitation à La Conciergerie Solidaire");
    expect(await db().outboxEvent.count({ where: { queue: "mail", businessKey: `mail:${mail.id}` } })).toBe(1);
    const token = tokenFrom(mail.text, "/invitations");
    const user = await acceptInvitation(token, passwordHash);
    expect(user?.email).toBe("new.colleague@test.example");
    expect(await acceptInvitation(token, passwordHash)).toBeNull(); // replayed link
    expect((await login("new.colleague@test.example", PASSWORD, null)).ok).toBe(true);
  });

  it("refuses a role or an organisation outside the inviter's reach", async () => {
    const admin = await createUser(db(), { role: "PARTNER_ADMIN" });
    const actor = { userId: admin.id, organisationId: admin.membership!.organisationId, role: "PARTNER_ADMIN" as const };
    const other = await createOrganisation(db());
    expect(await inviteUser(actor, { email: "x1@test.example", name: "X", role: "PARTNER_MEMBER", organisationId: other.id })).toMatchObject({ ok: false, field: "organisationId" });
    expect(await inviteUser(actor, { email: "x2@test.example", name: "X", role: "ADMIN", organisationId: actor.organisationId })).toMatchObject({ ok: false, field: "role" });
  });

  it("refuses an expired invitation", async () => {
    const admin = await createUser(db(), { role: "PARTNER_ADMIN" });
    const actor = { userId: admin.id, organisationId: admin.membership!.organisationId, role: "PARTNER_ADMIN" as const };
    await inviteUser(actor, { email: "late@test.example", name: "En retard", role: "PARTNER_MEMBER", organisationId: actor.organisationId });
    await db().invitation.updateMany({ where: { email: "late@test.example" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const mail = await db().mail.findFirstOrThrow({ where: { to: "late@test.example" } });
    expect(await acceptInvitation(tokenFrom(mail.text, "/invitations"), passwordHash)).toBeNull();
  });

  it("resets a password by a link that works once and ends every session", async () => {
    const user = await createUser(db(), { passwordHash });
    const session = await signedInRequest(user.id);
    await requestPasswordReset(user.email.toUpperCase());
    const mail = await db().mail.findFirstOrThrow({ where: { to: user.email } });
    const token = tokenFrom(mail.text, "/reset-password");
    expect(await findPasswordReset(token)).toBe("valid");
    expect(await resetPassword(token, await hashPassword("a-brand-new-password"))).toBe(true);
    expect(await findPasswordReset(token)).toBe("used");
    expect(await resetPassword(token, passwordHash)).toBe(false);
    expect(await getSessionUser(session)).toBeNull();
    expect((await login(user.email, "a-brand-new-password", null)).ok).toBe(true);
  });

  it("revokes every other reset link and every session when one link is used", async () => {
    const user = await createUser(db(), { passwordHash });
    const session = await signedInRequest(user.id);
    await requestPasswordReset(user.email);
    await requestPasswordReset(user.email);
    const [second, first] = (await db().mail.findMany({ where: { to: user.email }, orderBy: { createdAt: "desc" } })).map((m) => tokenFrom(m.text, "/reset-password"));
    expect(await findPasswordReset(first!)).toBe("valid");
    expect(await resetPassword(second!, await hashPassword("another-new-password"))).toBe(true);
    expect(await findPasswordReset(first!)).toBe("used");
    expect(await resetPassword(first!, passwordHash)).toBe(false);
    expect(await getSessionUser(session)).toBeNull();
    expect((await login(user.email, PASSWORD, null)).ok).toBe(false);
  });

  it("revokes pending reset links when the owner signs in with their password", async () => {
    const user = await createUser(db(), { passwordHash });
    await requestPasswordReset(user.email);
    const token = tokenFrom((await db().mail.findFirstOrThrow({ where: { to: user.email } })).text, "/reset-password");
    expect((await login(user.email, PASSWORD, null)).ok).toBe(true);
    expect(await findPasswordReset(token)).toBe("used");
    expect(await resetPassword(token, await hashPassword("someone-elses-password"))).toBe(false);
  });

  it("says nothing about unknown addresses", async () => {
    const before = await db().mail.count();
    await requestPasswordReset("nobody-here@test.example");
    expect(await db().mail.count()).toBe(before);
  });
});

describe("audit log", () => {
  it("is append-only: the database refuses edits and deletions", async () => {
    await db().auditLog.create({ data: { action: "test.entry", outcome: "ok" } });
    await expect(db().auditLog.updateMany({ data: { action: "changed" } })).rejects.toThrow(/append-only/);
    await expect(db().auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe('TRUNCATE "AuditLog"')).rejects.toThrow(/append-only/);
  });
});
