import type { Actor, Role } from "~/domain/access/roles.ts";
import { invitableRoles } from "~/domain/access/roles.ts";
import { invitationMail, passwordResetMail } from "~/domain/access/mails.ts";
import { env } from "~/utils/env.server.ts";
import { randomToken, sha256 } from "~/utils/tokens.server.ts";
import { audit } from "./audit.server.ts";
import { db } from "./db.server.ts";
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

export async function listPendingInvitations(actor: Actor, now = new Date()) {
  return db().invitation.findMany({
    where: {
      acceptedAt: null,
      revokedAt: null,
      expiresAt: { gt: now },
      ...(actor.role === "ADMIN" ? {} : { organisationId: actor.organisationId }),
    },
    select: { id: true, email: true, name: true, role: true, expiresAt: true, organisation: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
  });
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
export async function inviteUser(
  actor: Actor,
  input: { email: string; name: string; role: Role; organisationId: string },
): Promise<InviteResult> {
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
    await queueMail(
      tx,
      invitationMail({
        to: email,
        name: input.name.trim(),
        inviterName: inviter.name,
        organisationName: organisation.name,
        link: `${env().APP_URL}/invitations/${token}`,
      }),
    );
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
      organisation: { select: { id: true, name: true } },
    },
  });
}

export type InvitationState = "valid" | "unknown" | "expired" | "used";

export function invitationState(
  invitation: Awaited<ReturnType<typeof findInvitation>>,
  now = new Date(),
): InvitationState {
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

/** Sets the new password and ends every session of the account; a link works once. */
export async function resetPassword(token: string, passwordHash: string) {
  return db().$transaction(async (tx) => {
    const claimed = await tx.passwordReset.updateMany({
      where: { tokenHash: sha256(token), usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1) return false;
    const reset = await tx.passwordReset.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
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
