import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

// The one error view of every route: people see what happened and what to do,
// never a stack trace.
const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: "Demande incorrecte", text: "Les informations envoyées ne sont pas valides." },
  401: { title: "Connexion nécessaire", text: "Connectez-vous pour continuer." },
  403: { title: "Accès refusé", text: "Cette page est réservée à d'autres rôles." },
  404: { title: "Page introuvable", text: "Cette page n'existe pas ou ne vous est pas accessible." },
  503: {
    title: "Service momentanément indisponible",
    text: "La base de données ne répond pas. Vos données sont en sécurité ; réessayez dans quelques minutes.",
  },
};

export function ErrorPage() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const known = MESSAGES[status];
  const detail = isRouteErrorResponse(error) && typeof error.data?.message === "string" ? error.data.message : null;
  return (
    <div className="card auth-page" role="alert">
      <p className="muted">Erreur {status}</p>
      <h1>{known?.title ?? "Une erreur est survenue"}</h1>
      <p>{detail ?? known?.text ?? "L'erreur est enregistrée dans le journal technique. Réessayez dans un instant ; si elle se répète, prévenez l'administration en disant ce que vous faisiez."}</p>
      <p>
        <Link to="/">Retour à l'accueil</Link>
      </p>
    </div>
  );
}
