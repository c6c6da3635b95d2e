import { db, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";

export type MailContent = { to: string; subject: string; text: string; html: string };

/** Stores the message and asks a worker to send it, in the caller's transaction. */
export async function queueMail(tx: Tx, mail: MailContent, dedupeKey?: string) {
  const row = await tx.mail.create({ data: { ...mail, ...(dedupeKey ? { dedupeKey } : {}) } });
  await addToOutbox(tx, "mail", "send", `mail:${row.id}`, { mailId: row.id });
  return row;
}

/** queueMail once per key: null when a mail was already written under it. */
export async function queueMailOnce(tx: Tx, mail: MailContent, dedupeKey: string) {
  if (await tx.mail.findUnique({ where: { dedupeKey }, select: { id: true } })) return null;
  return queueMail(tx, mail, dedupeKey);
}

export async function getMailToSend(mailId: string) {
  return db().mail.findUnique({ where: { id: mailId } });
}

/** Files a mail carries: the Factur-X document of a courtesy copy, read at sending time (never copied). */
export async function getMailAttachments(mailId: string) {
  const docs = await db().invoiceDocument.findMany({ where: { courtesyMailId: mailId }, select: { number: true, kind: true, bytes: true } });
  return docs.map((d) => ({
    filename: `${d.kind === "CREDIT_NOTE" ? "avoir" : "facture"}-${d.number}.pdf`,
    content: new Uint8Array(d.bytes),
    contentType: "application/pdf",
  }));
}

/** Idempotent: a second run of the same job finds it sent and does nothing. */
export async function markMailSent(mailId: string) {
  await db().mail.updateMany({ where: { id: mailId, sentAt: null }, data: { sentAt: new Date() } });
}

export async function listMailbox(take = 50) {
  return db().mail.findMany({ orderBy: { createdAt: "desc" }, take });
}

export async function getMailboxMessage(id: string) {
  return db().mail.findUnique({ where: { id } });
}
