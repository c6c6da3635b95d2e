import { queryApp } from "./http-client.ts";

// Invitations as the HTTP tests read them back from the app's database: the
// row, the mails the worker sent, and the link's token in a mail.

export type InvitationRow = { id: string; tokenHash: string; expiresAt: Date; revokedAt: Date | null; cancelledAt: Date | null; acceptedAt: Date | null };

/** The apostrophes, quotes and ampersands of a page as text. */
export const decodeEntities = (html: string) =>
  html
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

/** The newest invitation sent to the address. */
export async function invitationOf(email: string): Promise<InvitationRow> {
  const [row] = await queryApp<InvitationRow>(`SELECT id, "tokenHash", "expiresAt", "revokedAt", "cancelledAt", "acceptedAt" FROM "Invitation" WHERE email = $1 ORDER BY "createdAt" DESC LIMIT 1`, [
    email,
  ]);
  if (!row) throw new Error(`no invitation for ${email}`);
  return row;
}

/** The mails sent to the address, newest first, once the worker has sent as many as expected. */
export async function sentMails(email: string, count: number) {
  for (let i = 0; i < 80; i++) {
    const mails = await queryApp<{ id: string; text: string; sentAt: Date | null }>(`SELECT id, text, "sentAt" FROM "Mail" WHERE "to" = $1 ORDER BY "createdAt" DESC`, [email]);
    if (mails.length >= count && mails.every((m) => m.sentAt)) return mails;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${count} mail(s) to ${email} were not sent within 20 s`);
}

/** The invitation link's token in a mail's text. */
export const tokenIn = (text: string) => /\/invitations\/([\w-]+)/.exec(text)![1]!;
