import { getMailAttachments, getMailToSend, markMailSent } from "~/data/mail.server.ts";
import type { MailTransport } from "~/integrations/mail.server.ts";
import type { JobPayload } from "~/queues/registry.ts";

/** Sends one stored mail. Safe to run twice: a mail already sent is skipped. */
export async function sendMail(payload: JobPayload<"mail", "send">, transport: MailTransport) {
  const mail = await getMailToSend(payload.mailId);
  if (!mail || mail.sentAt) return { skipped: true };
  const attachments = await getMailAttachments(mail.id);
  await transport.send({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, ...(attachments.length > 0 ? { attachments } : {}) });
  await markMailSent(mail.id);
  return { skipped: false };
}
