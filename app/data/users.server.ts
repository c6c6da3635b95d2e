import type { Actor, Role } from "~/domain/access/roles.ts";
import { invitableRoles } from "~/domain/access/roles.ts";
import { invitationMail, loginThrottledMail, passwordResetMail } from "~/domain/access/mails.ts";
import { env } from "~/utils/env.server.ts";
import { randomToken, sha256 } from "~/utils/tokens.server.ts";
import { audit } from "./audit.server.ts";
import { db, type Tx } from "./db.server.ts";
import { queueMail } from "./mail.server.ts";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

export async function findUserForLogin(email: string) {
  return db().user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, passwordHash: true, deactivatedAt: true, membership: { select: { organisationId: true } } },
  });
}

/** Users the actor may manage: every user for an admin, the actor's organisation for a partner admin. */
export async function listUsers(actor: Actor) {
  return db().user.findMany({
    where: actor.role === "ADMIN" ? {} : { membership: { organisationId: actor.organisationId } },
    select: {
      id: true,
      email: true,
      name: true,
      deactivatedAt: true,
      createdAt: true,
      membership: { select: { role: true, organisation: { select: { id: true, name: true } } } },
    },
    orderBy: [{ membership: { organisation: { name: "asc" } } }, { name: "asc" }],
  });
}

/** How long an expired invitation stays listed, so that it can be re-sent before it drops off the page. */
const EXPIRED_INVITATION_SHOWN_MS = 30 * 24 * 60 * 60 * 1000;

/** Invitations waiting for their person: pending ones, and those expired in the last 30 days (to re-send). */
export async function listOpenInvitations(actor: Actor, now = new Date()) {
  return findOpenInvitations(scopeOf(actor), now);
}

/**
 * The open invitations of one organisation, for the staff admin's partner
 * page (its loader has checked the actor's access): the team page's list.
 */
export async function listOrganisationInvitations(organisationId: string, now = new Date()) {
  return findOpenInvitations({ organisationId }, now);
}

async function findOpenInvitations(scope: { organisationId?: string }, now: Date) {
  const rows = await db().invitation.findMany({
    where: {
      acceptedAt: null,
      revokedAt: null,
      expiresAt: { gt: new Date(now.getTime() - EXPIRED_INVITATION_SHOWN_MS) },
      ...scope,
    },
    select: { id: true, email: true, name: true, role: true, expiresAt: true, organisation: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((r) => ({ ...r, expired: r.expiresAt <= now }));
}

/** An admin manages every organisation's invitations; a partner admin only their own. */
function scopeOf(actor: Actor) {
  return actor.role === "ADMIN" ? {} : { organisationId: actor.organisationId };
}

export async function listInvitableOrganisations(actor: Actor) {
  return db().organisation.findMany({
    where: { archivedAt: null, ...(actor.role === "ADMIN" ? {} : { id: actor.organisationId }) },
    select: { id: true, name: true, kind: true },
    orderBy: { name: "asc" },
  });
}

export type InviteResult = { ok: true } | { ok: false; field: "email" | "role" | "organisationId"; message: string };

/** Creates a one-time invitation link and mails it (through the outbox). */
export async function inviteUser(actor: Actor, input: { email: string; name: string; role: Role; organisationId: string }): Promise<InviteResult> {
  const email = input.email.trim().toLowerCase();
  const organisation = await db().organisation.findFirst({
    where: { AND: [{ id: input.organisationId, archivedAt: null }, actor.role === "ADMIN" ? {} : { id: actor.organisationId }] },
    select: { id: true, name: true, kind: true },
  });
  if (!organisation) return { ok: false, field: "organisationId", message: "Choisissez une organisation de la liste." };
  if (!invitableRoles(actor.role, organisation.kind === "CONCIERGERIE").includes(input.role)) {
    return { ok: false, field: "role", message: "Ce rôle ne peut pas être donné à cette organisation." };
  }
  if (await db().user.findUnique({ where: { email }, select: { id: true } })) {
    return { ok: false, field: "email", message: "Un compte existe déjà avec cette adresse." };
  }
  const token = randomToken();
  const inviter = await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { name: true } });
  await db().$transaction(async (tx) => {
    // A new invitation to the same address replaces any pending one.
    await tx.invitation.updateMany({
      where: { email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const invitation = await tx.invitation.create({
      data: {
        tokenHash: sha256(token),
        email,
        name: input.name.trim(),
        role: input.role,
        organisationId: organisation.id,
        invitedById: actor.userId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });
    await queueInvitationMail(tx, { to: email, name: input.name.trim(), inviterName: inviter.name, organisationName: organisation.name, token });
    await audit(
      {
        action: "user.invited",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: organisation.id,
        entityType: "Invitation",
        entityId: invitation.id,
        details: { role: input.role },
      },
      tx,
    );
  });
  return { ok: true };
}

/** The invitation mail, through the outbox (a job keyed by the mail's row: safe to run twice). */
async function queueInvitationMail(tx: Tx, p: { to: string; name: string; inviterName: string; organisationName: string; token: string }) {
  await queueMail(
    tx,
    invitationMail({
      to: p.to,
      name: p.name,
      inviterName: p.inviterName,
      organisationName: p.organisationName,
      link: `${env().APP_URL}/invitations/${p.token}`,
    }),
  );
}

export const UNKNOWN_INVITATION = "Cette invitation n'existe pas, n'est plus en attente ou ne dépend pas de vous.";

/** Cancels a pending or expired invitation the actor manages: its link then says it was cancelled. False when out of scope. */
export async function cancelInvitation(actor: Actor, invitationId: string) {
  return db().$transaction(async (tx) => {
    const invitation = await tx.invitation.findFirst({
      where: { id: invitationId, acceptedAt: null, revokedAt: null, ...scopeOf(actor) },
      select: { id: true, organisationId: true },
    });
    if (!invitation) return false;
    const now = new Date();
    // Conditional update: of two cancels at once (or a cancel racing an acceptance), one wins.
    const updated = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now, cancelledAt: now },
    });
    if (updated.count !== 1) return false;
    await audit(
      {
        action: "user.invitation_cancelled",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: invitation.organisationId,
        entityType: "Invitation",
        entityId: invitation.id,
      },
      tx,
    );
    return true;
  });
}

/** A second re-send within this delay is refused: a double click sends one mail, and the first link stays the good one. */
export const RESEND_INTERVAL_MS = 60 * 1000;

export type ResendResult = { ok: true; email: string } | { ok: false; status: 400 | 404 | 409; message: string };

/**
 * Sends a pending or expired invitation again with a new link valid 7 days:
 * the old link stops working at once (its token is replaced).
 */
export async function resendInvitation(actor: Actor, invitationId: string, now = new Date()): Promise<ResendResult> {
  const invitation = await db().invitation.findFirst({
    where: { id: invitationId, acceptedAt: null, revokedAt: null, ...scopeOf(actor) },
    select: { id: true, email: true, name: true, role: true, expiresAt: true, organisation: { select: { id: true, name: true, kind: true, archivedAt: true } } },
  });
  if (!invitation) return { ok: false, status: 404, message: UNKNOWN_INVITATION };
  if (invitation.organisation.archivedAt) {
    return { ok: false, status: 400, message: "Cette organisation est archivée : son invitation ne peut plus être renvoyée." };
  }
  if (!invitableRoles(actor.role, invitation.organisation.kind === "CONCIERGERIE").includes(invitation.role)) {
    return { ok: false, status: 404, message: UNKNOWN_INVITATION };
  }
  if (await db().user.findUnique({ where: { email: invitation.email }, select: { id: true } })) {
    return { ok: false, status: 400, message: "Un compte existe déjà avec cette adresse : cette invitation ne sert plus, vous pouvez l'annuler." };
  }
  const token = randomToken();
  const inviter = await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { name: true } });
  return db().$transaction(async (tx): Promise<ResendResult> => {
    // An invitation (re)sent less than a minute ago has expiresAt past this instant.
    const rotated = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { lte: new Date(now.getTime() + INVITATION_TTL_MS - RESEND_INTERVAL_MS) } },
      data: { tokenHash: sha256(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) },
    });
    if (rotated.count !== 1) {
      const stillOpen = await tx.invitation.count({ where: { id: invitation.id, acceptedAt: null, revokedAt: null } });
      return stillOpen
        ? { ok: false, status: 409, message: "Cette invitation vient d'être envoyée. Attendez une minute avant de la renvoyer." }
        : { ok: false, status: 404, message: UNKNOWN_INVITATION };
    }
    await queueInvitationMail(tx, { to: invitation.email, name: invitation.name, inviterName: inviter.name, organisationName: invitation.organisation.name, token });
    await audit(
      {
        action: "user.invitation_resent",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: invitation.organisation.id,
        entityType: "Invitation",
        entityId: invitation.id,
        details: { wasExpired: invitation.expiresAt <= now },
      },
      tx,
    );
    return { ok: true, email: invitation.email };
  });
}

export async function findInvitation(token: string) {
  return db().invitation.findUnique({
    where: { tokenHash: sha256(token) },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      cancelledAt: true,
      organisation: { select: { id: true, name: true } },
      invitedBy: { select: { name: true } },
    },
  });
}

export type InvitationState = "valid" | "unknown" | "expired" | "used" | "cancelled";

export function invitationState(invitation: Awaited<ReturnType<typeof findInvitation>>, now = new Date()): InvitationState {
  if (invitation?.cancelledAt) return "cancelled";
  // Revoked without a cancel: a newer invitation to the same address replaced it.
  if (!invitation || invitation.revokedAt) return "unknown";
  if (invitation.acceptedAt) return "used";
  if (invitation.expiresAt <= now) return "expired";
  return "valid";
}

/** Turns a valid invitation into an account, once: a second use finds it accepted. */
export async function acceptInvitation(token: string, passwordHash: string) {
  return db().$transaction(async (tx) => {
    const claimed = await tx.invitation.updateMany({
      where: { tokenHash: sha256(token), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count !== 1) return null;
    const invitation = await tx.invitation.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
    const user = await tx.user.create({
      data: {
        email: invitation.email,
        name: invitation.name,
        passwordHash,
        membership: { create: { organisationId: invitation.organisationId, role: invitation.role } },
      },
    });
    await audit(
      {
        action: "user.invitation_accepted",
        outcome: "ok",
        actorUserId: user.id,
        organisationId: invitation.organisationId,
        entityType: "User",
        entityId: user.id,
      },
      tx,
    );
    return user;
  });
}

/** Always answers the same way, whether or not the address has an account. */
export async function requestPasswordReset(email: string) {
  const user = await db().user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true, name: true, deactivatedAt: true },
  });
  if (!user || user.deactivatedAt) return;
  const token = randomToken();
  await db().$transaction(async (tx) => {
    await tx.passwordReset.create({
      data: { tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + RESET_TTL_MS) },
    });
    await queueMail(tx, passwordResetMail({ to: user.email, name: user.name, link: `${env().APP_URL}/reset-password/${token}` }));
    await audit({ action: "auth.reset_requested", outcome: "ok", actorUserId: user.id, entityType: "User", entityId: user.id }, tx);
  });
}

/** Tells the account's owner that sign-ins to it are being throttled (once per burst: the caller decides when). */
export async function warnOwnerOfThrottling(userId: string) {
  const user = await db().user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, deactivatedAt: true } });
  if (!user || user.deactivatedAt) return;
  await db().$transaction(async (tx) => {
    await queueMail(tx, loginThrottledMail({ to: user.email, name: user.name, link: `${env().APP_URL}/forgot-password` }));
    await audit({ action: "auth.throttle_warning_sent", outcome: "ok", actorUserId: user.id, entityType: "User", entityId: user.id }, tx);
  });
}

/** A sign-in with the password proves the person has it: reset links still pending stop working. */
export async function revokePasswordResets(userId: string) {
  await db().passwordReset.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } });
}

export async function findPasswordReset(token: string, now = new Date()) {
  const reset = await db().passwordReset.findUnique({
    where: { tokenHash: sha256(token) },
    select: { usedAt: true, expiresAt: true },
  });
  if (!reset) return "unknown" as const;
  if (reset.usedAt) return "used" as const;
  if (reset.expiresAt <= now) return "expired" as const;
  return "valid" as const;
}

/**
 * Sets the new password; a link works once. Every other reset link of the
 * account stops working and every session ends: whoever held an older link or
 * a session from before the change is out.
 */
export async function resetPassword(token: string, passwordHash: string) {
  return db().$transaction(async (tx) => {
    const now = new Date();
    const claimed = await tx.passwordReset.updateMany({
      where: { tokenHash: sha256(token), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) return false;
    const reset = await tx.passwordReset.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
    await tx.passwordReset.updateMany({ where: { userId: reset.userId, usedAt: null }, data: { usedAt: now } });
    await tx.user.update({ where: { id: reset.userId }, data: { passwordHash } });
    await tx.session.deleteMany({ where: { userId: reset.userId } });
    await audit({ action: "auth.password_reset", outcome: "ok", actorUserId: reset.userId, entityType: "User", entityId: reset.userId }, tx);
    return true;
  });
}

/** Deactivates a user the actor manages; their sessions end at once. Returns false when out of scope. */
export async function deactivateUser(actor: Actor, userId: string) {
  if (userId === actor.userId) return false;
  return db().$transaction(async (tx) => {
    const updated = await tx.user.updateMany({
      where: {
        id: userId,
        deactivatedAt: null,
        ...(actor.role === "ADMIN" ? {} : { membership: { organisationId: actor.organisationId } }),
      },
      data: { deactivatedAt: new Date() },
    });
    if (updated.count !== 1) return false;
    await tx.session.deleteMany({ where: { userId } });
    await audit({ action: "user.deactivated", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "User", entityId: userId }, tx);
    return true;
  });
}

export type ChangeRoleResult = { ok: true } | { ok: false; message: string };

/**
 * Gives a user another role within their organisation (partner roles for a
 * partner, staff roles for the Conciergerie), audited with the old and new role.
 * The session reads the role at every request: the new rights apply at once.
 */
export async function changeRole(actor: Actor, userId: string, role: Role): Promise<ChangeRoleResult> {
  if (userId === actor.userId) return { ok: false, message: "Vous ne pouvez pas changer votre propre rôle." };
  return db().$transaction(async (tx) => {
    const target = await tx.membership.findFirst({
      where: { userId, ...(actor.role === "ADMIN" ? {} : { organisationId: actor.organisationId }) },
      select: { id: true, role: true, organisationId: true, organisation: { select: { kind: true } } },
    });
    if (!target) return { ok: false, message: "Ce compte n'existe pas ou ne dépend pas de vous." };
    if (!invitableRoles(actor.role, target.organisation.kind === "CONCIERGERIE").includes(role)) {
      return { ok: false, message: "Ce rôle ne peut pas être donné dans cette organisation." };
    }
    if (target.role === role) return { ok: true };
    await tx.membership.update({ where: { id: target.id }, data: { role } });
    await audit(
      {
        action: "user.role_changed",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: target.organisationId,
        entityType: "User",
        entityId: userId,
        details: { from: target.role, to: role },
      },
      tx,
    );
    return { ok: true };
  });
}
