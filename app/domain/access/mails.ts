import { buildMail, type Mail } from "~/domain/mail/layout.ts";
import { ofName } from "~/utils/format.ts";

// French emails of the account life cycle.
export function invitationMail(p: { to: string; name: string; inviterName: string; organisationName: string; link: string }): Mail {
  return buildMail(
    p.to,
    "Votre invitation à La Conciergerie Solidaire",
    [
      `Bonjour ${p.name},`,
      `${p.inviterName} vous invite à rejoindre l'espace ${ofName(p.organisationName)} sur l'application de La Conciergerie Solidaire.`,
      "Ce lien est valable 7 jours et ne sert qu'une fois. Il vous permet de choisir votre mot de passe.",
    ],
    { href: p.link, label: "Créer mon compte" },
  );
}

export function passwordResetMail(p: { to: string; name: string; link: string }): Mail {
  return buildMail(
    p.to,
    "Changer votre mot de passe",
    [
      `Bonjour ${p.name},`,
      "Vous avez demandé à changer votre mot de passe. Ce lien est valable une heure et ne sert qu'une fois.",
      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste le même.",
    ],
    { href: p.link, label: "Choisir un nouveau mot de passe" },
  );
}

export function loginThrottledMail(p: { to: string; name: string; link: string }): Mail {
  return buildMail(
    p.to,
    "Tentatives de connexion sur votre compte",
    [
      `Bonjour ${p.name},`,
      "Plusieurs tentatives de connexion avec un mauvais mot de passe viennent d'avoir lieu sur votre compte. Les suivantes sont ralenties quelques instants.",
      "Votre compte n'est pas bloqué : avec votre mot de passe, vous vous connectez toujours, sans attendre depuis un appareil où vous vous êtes déjà connecté.",
      "Si ce n'était pas vous, choisissez un nouveau mot de passe par ce lien.",
    ],
    { href: p.link, label: "Changer mon mot de passe" },
  );
}
