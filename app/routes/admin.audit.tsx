import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listAuditLog } from "~/data/audit.server.ts";
import { auditFilterFrom } from "~/domain/backoffice/audit-filters.ts";
import { formatDateTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Journal d'audit · La Conciergerie Solidaire" }];

// The log keeps the technical code (it is what the filter matches); the admin reads it in French.
const ENTITY_LABELS: Record<string, string> = {
  ServiceRequest: "Demande",
  Intervention: "Intervention",
  Worker: "Salarié",
  User: "Utilisateur",
  Organisation: "Partenaire",
  Invoice: "Facture",
  Supervisor: "Encadrant",
  Site: "Site",
  Prestation: "Prestation",
  InvoiceDocument: "Document de facture",
  route: "Page",
  InvoiceRun: "Facturation",
  Invitation: "Invitation",
  Export: "Export",
  export: "Export",
  Dispute: "Contestation",
  Skill: "Compétence",
  ServiceSetting: "Règle",
  RequestMessage: "Message",
  PlanningRun: "Optimisation",
  Payment: "Paiement",
  Job: "Tâche",
  CreditNote: "Avoir",
};
const ACTION_LABELS: Record<string, string> = {
  "access.denied": "Accès refusé",
  "access.not_found": "Page ou fiche introuvable",
  "audit.exported": "Journal exporté",
  "auth.login": "Connexion",
  "auth.login_refused": "Connexion refusée",
  "auth.login_throttled": "Connexion ralentie (trop de tentatives)",
  "auth.throttle_warning_sent": "Titulaire prévenu des tentatives de connexion",
  "auth.session_refused": "Session refusée",
  "auth.reset_requested": "Mot de passe oublié : lien demandé",
  "auth.reset_refused": "Lien de mot de passe refusé",
  "auth.password_reset": "Mot de passe changé",
  "auth.invitation_refused": "Invitation refusée",
  "calendar.created": "Lien d'agenda créé",
  "calendar.token_regenerated": "Lien d'agenda renouvelé",
  "calendar.revoked": "Lien d'agenda supprimé",
  "dispute.opened": "Heures contestées",
  "dispute.settled": "Contestation réglée",
  "einvoice.run_requested": "Factures électroniques : génération demandée",
  "einvoice.generated": "Facture électronique générée",
  "einvoice.exported": "Factures électroniques exportées",
  "einvoice.downloaded": "Facture électronique téléchargée",
  "einvoice.submitted": "Facture électronique déposée sur la plateforme agréée",
  "einvoice.refused": "Facture électronique refusée par la plateforme agréée",
  "einvoice.directory_missing": "Client absent de l'annuaire de la facturation électronique",
  "einvoice.resubmit_requested": "Nouvel envoi à la plateforme agréée demandé",
  "hours.over_limit": "Heures au-delà du prévu ou du plafond",
  "intervention.report_saved": "Compte rendu enregistré",
  "intervention.moved": "Intervention déplacée",
  "intervention.cancelled": "Intervention annulée",
  "invoice.numbered": "Facture numérotée",
  "invoice.issued": "Facture émise",
  "invoice.status_changed": "Statut de facture changé",
  "invoice.credit_note": "Avoir émis",
  "invoice.void": "Facture annulée par un avoir",
  "invoice.uncollectible": "Facture classée irrécouvrable",
  "invoice.transfer_recorded": "Virement enregistré",
  "invoicing.exported": "Factures exportées",
  "invoicing.prepare_requested": "Brouillons demandés",
  "invoicing.issue_requested": "Émission demandée",
  "job.retried": "Tâche relancée",
  "partner.created": "Partenaire créé",
  "partner.updated": "Partenaire modifié",
  "partner.archived": "Partenaire archivé",
  "partner.restored": "Partenaire rétabli",
  "people.exported": "Heures exportées (paie ou DPH)",
  "planning.changed": "Équipe modifiée",
  "planning.forced": "Équipe forcée malgré une règle",
  "planning.optimise_requested": "Optimisation de la semaine demandée",
  "planning.agreement_recorded": "Accord d'une personne enregistré",
  "planning.agreement_withdrawn": "Accord d'une personne retiré",
  "prestation.created": "Prestation créée",
  "prestation.updated": "Prestation modifiée",
  "prestation.price_changed": "Nouveau prix",
  "request.submitted": "Demande envoyée",
  "request.accepted": "Demande acceptée",
  "request.declined": "Demande refusée",
  "request.quote_accepted": "Devis accepté",
  "request.message_posted": "Message sur une demande",
  "request.series_expanded": "Série déclinée en interventions",
  "request.series_changed": "Série modifiée",
  "security.csrf_refused": "Formulaire refusé (jeton de sécurité)",
  "settings.changed": "Règle du service modifiée",
  "site.created": "Site ajouté",
  "site.updated": "Site modifié",
  "site.archived": "Site archivé",
  "site.restored": "Site rétabli",
  "skill.saved": "Compétence enregistrée",
  "supervisor.created": "Encadrant créé",
  "supervisor.team_limit_changed": "Limite d'équipe d'un encadrant changée",
  "supervisor.absence_removed": "Absence d'un encadrant supprimée",
  "time.check-in": "Arrivée pointée",
  "time.check-out": "Départ pointé",
  "time.minutes": "Heures saisies",
  "time.absent": "Absence pointée",
  "user.invited": "Utilisateur invité",
  "user.invitation_accepted": "Invitation acceptée",
  "user.invitation_cancelled": "Invitation annulée",
  "user.invitation_resent": "Invitation renvoyée",
  "user.role_changed": "Rôle changé",
  "user.deactivated": "Compte désactivé",
  "worker.created": "Salarié créé",
  "worker.updated": "Fiche d'un salarié modifiée",
  "worker.exported": "Données d'une personne exportées",
  "worker.erased": "Identité d'une personne effacée",
  "worker.anonymised": "Personne anonymisée",
  "worker.absence_removed": "Absence d'un salarié supprimée",
};

/** The reason a person gave for an action (a void, a forced team…), when the entry keeps one. */
function reasonOf(details: unknown): string | null {
  const reason = details && typeof details === "object" ? (details as Record<string, unknown>).reason : null;
  return typeof reason === "string" && reason.trim() ? reason : null;
}

// Read-only by design: the log is append-only (a database trigger refuses
// UPDATE and DELETE) and no screen offers to change it.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "audit.view");
  const url = new URL(request.url);
  const { form, filter } = auditFilterFrom(url.searchParams);
  const page = await listAuditLog(filter);
  const next = page.nextCursor ? new URLSearchParams(url.searchParams) : null;
  next?.set("before", page.nextCursor!);
  const exportParams = new URLSearchParams(url.searchParams);
  exportParams.delete("before");
  return json({ ...page, nextHref: next ? `?${next}` : null, filters: form, exportHref: `/admin/audit.csv?${exportParams}` });
}

export default function AuditLog() {
  const { rows, nextHref, filters, exportHref } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title="Journal d'audit"
        description="Qui a fait quoi, quand. Le journal ne peut être ni modifié ni effacé. Les personnes en insertion n'y figurent que par un identifiant."
        actions={
          <a className="button secondary small" href={exportHref} download>
            Exporter en CSV
          </a>
        }
      />
      <Form method="get" className="filters" aria-label="Filtrer le journal">
        <div className="field">
          <label htmlFor="audit-person">Personne (e-mail)</label>
          <input id="audit-person" name="person" defaultValue={filters.person} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" name="action" placeholder="ex. auth.login, ou planning." defaultValue={filters.action} />
        </div>
        <div className="field">
          <label htmlFor="audit-entity">Identifiant d'enregistrement</label>
          <input id="audit-entity" name="entity" defaultValue={filters.entity} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">Du</label>
          <input id="audit-from" type="date" name="from" defaultValue={filters.from} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">Au</label>
          <input id="audit-to" type="date" name="to" defaultValue={filters.to} />
        </div>
        <button type="submit" className="button secondary">
          Filtrer
        </button>
        <Link to="/admin/audit" className="button secondary">
          Effacer les filtres
        </Link>
      </Form>
      <Card>
        {rows.length === 0 ? (
          <EmptyState>Aucune entrée.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Quand</th>
                <th scope="col">Qui</th>
                <th scope="col">Action</th>
                <th scope="col">Enregistrement</th>
                <th scope="col">Résultat</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td data-label="Quand">{formatDateTime(r.at)}</td>
                  <td data-label="Qui" className="break">{r.actorEmail ?? "—"}</td>
                  <td data-label="Action">
                    {ACTION_LABELS[r.action] ?? r.action}
                    {ACTION_LABELS[r.action] ? <span className="muted small"> · {r.action}</span> : null}
                    {reasonOf(r.details) ? <div className="small">{`Motif : ${reasonOf(r.details)}`}</div> : null}
                  </td>
                  <td data-label="Enregistrement" className="break">
                    {r.entityType ? (
                      <Link to={`?entity=${encodeURIComponent(r.entityId ?? "")}`} aria-label={`Filtrer sur ${ENTITY_LABELS[r.entityType] ?? r.entityType} ${r.entityId ?? ""}`}>
                        {ENTITY_LABELS[r.entityType] ?? r.entityType} {r.entityId ?? ""}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Résultat">
                    <Badge tone={r.outcome === "ok" ? "green" : "red"}>{r.outcome === "ok" ? "Effectué" : "Refusé"}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextHref ? (
          <nav className="pagination" aria-label="Pages">
            <Link className="button secondary small" to={nextHref}>
              Entrées plus anciennes
            </Link>
          </nav>
        ) : null}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
