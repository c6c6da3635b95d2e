// French emails of the account life cycle: plain text and HTML, built from plain data.
type Mail = { to: string; subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function layout(paragraphs: string[], link: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("");
  return `<!doctype html><html lang="fr"><body style="font-family:system-ui,sans-serif;color:#1f2933;line-height:1.5">${body}<p><a href="${escapeHtml(link.href)}" style="background:#0b6e4f;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p><p style="color:#52606d;font-size:13px">La Conciergerie Solidaire — association Aurore</p></body></html>`;
}

export function invitationMail(p: { to: string; name: string; inviterName: string; organisationName: string; link: string }): Mail {
  const lines = [
    `Bonjour ${p.name},`,
    `${p.inviterName} vous invite à rejoindre l'espace de ${p.organisationName} sur l'application de La Conciergerie Solidaire.`,
    "Ce lien est valable 7 jours et ne sert qu'une fois. Il vous permet de choisir votre mot de passe.",
  ];
  return {
    to: p.to,
    subject: "Votre invitation à La Conciergerie Solidaire",
    text: `${lines.join("\n\n")}\n\n${p.link}\n\nLa Conciergerie Solidaire — association Aurore`,
    html: layout(lines, { href: p.link, label: "Créer mon compte" }),
  };
}

export function passwordResetMail(p: { to: string; name: string; link: string }): Mail {
  const lines = [
    `Bonjour ${p.name},`,
    "Vous avez demandé à changer votre mot de passe. Ce lien est valable une heure et ne sert qu'une fois.",
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste le même.",
  ];
  return {
    to: p.to,
    subject: "Changer votre mot de passe",
    text: `${lines.join("\n\n")}\n\n${p.link}\n\nLa Conciergerie Solidaire — association Aurore`,
    html: layout(lines, { href: p.link, label: "Choisir un nouveau mot de passe" }),
  };
}
