import nodemailer from "nodemailer";
import { env } from "~/utils/env.server.ts";

export type MailAttachment = { filename: string; content: Uint8Array; contentType: string };
export type OutgoingMail = { to: string; subject: string; text: string; html: string; attachments?: MailAttachment[] };
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

// "mailbox": the message is already in the database and readable at /mailbox.
const mailboxTransport: MailTransport = { send: async () => {} };

export function mailTransport(): MailTransport {
  const e = env();
  if (e.MAIL_TRANSPORT === "mailbox") return mailboxTransport;
  const smtp = nodemailer.createTransport(e.SMTP_URL);
  return {
    async send(mail) {
      const attachments = mail.attachments?.map((a) => ({ ...a, content: Buffer.from(a.content) }));
      await smtp.sendMail({ from: e.MAIL_FROM, ...mail, attachments });
    },
  };
}
