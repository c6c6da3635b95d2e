// The one layout of every email the app sends: French, plain text and HTML.
export type Mail = { to: string; subject: string; text: string; html: string };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const SIGNATURE = "La Conciergerie Solidaire — association Aurore";

export function buildMail(to: string, subject: string, paragraphs: string[], link: { href: string; label: string }, footer?: string): Mail {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("");
  const html = `<!doctype html><html lang="fr"><body style="font-family:system-ui,sans-serif;color:#1f2933;line-height:1.5">${body}<p><a href="${escapeHtml(link.href)}" style="background:#0b6e4f;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p><p style="color:#52606d;font-size:13px">${escapeHtml(SIGNATURE)}${footer ? `<br>${escapeHtml(footer)}` : ""}</p></body></html>`;
  const text = `${paragraphs.join("\n\n")}\n\n${link.label} : ${link.href}\n\n${SIGNATURE}${footer ? `\n${footer}` : ""}`;
  return { to, subject, text, html };
}
