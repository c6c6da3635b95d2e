import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { audit } from "~/data/audit.server.ts";
import { adminFigures } from "~/data/backoffice-dashboard.server.ts";
import { databaseAnswers } from "~/data/health.server.ts";
import { redisAnswers } from "~/queues/connection.server.ts";
import { listFailedJobs, retryFailedJob, WORKER_HEARTBEAT_MS, workerHeartbeatAge } from "~/queues/monitoring.server.ts";
import { QUEUE_NAMES } from "~/queues/registry.ts";
import { formatDateTime, formatEuros } from "~/utils/format.ts";
import { parseForm } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Administration · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.dashboard");
  const now = new Date();
  const [figures, dbOk, redisOk, heartbeatAge, failed] = await Promise.all([adminFigures(actorOf(user), now), databaseAnswers(), redisAnswers(), workerHeartbeatAge(now.getTime()), listFailedJobs()]);
  // The worker beats every 15 s: three missed beats and it is shown as stopped.
  const workerOk = heartbeatAge !== null && heartbeatAge < 3 * WORKER_HEARTBEAT_MS;
  return json({ figures, health: { dbOk, redisOk, workerOk, heartbeatAge }, failed });
}

const retrySchema = z.object({
  intent: z.literal("retry"),
  queue: z.enum(QUEUE_NAMES as [string, ...string[]], { error: "File inconnue." }),
  jobId: z.string().min(1).max(200),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.dashboard");
  const parsed = parseForm(await readForm(request), retrySchema);
  if (!parsed.ok) return json({ done: null, error: "Tâche inconnue." }, { status: 400 });
  const ok = await retryFailedJob(parsed.data.queue as (typeof QUEUE_NAMES)[number], parsed.data.jobId);
  await audit({
    action: "job.retried",
    outcome: ok ? "ok" : "refused",
    actorUserId: user.userId,
    organisationId: user.organisationId,
    entityType: "Job",
    entityId: `${parsed.data.queue}/${parsed.data.jobId}`,
  });
  if (!ok) return json({ done: null, error: "Cette tâche n'est plus en échec (déjà relancée ?) ou Redis ne répond pas." }, { status: 409 });
  return json({ done: "Tâche relancée.", error: null });
}

function Health({ label, ok, detail }: { label: string; ok: boolean; detail?: string }) {
  return (
    <li>
      <span>{label}</span> <Badge tone={ok ? "green" : "red"}>{ok ? "En marche" : "Hors service"}</Badge>
      {detail ? <span className="muted"> {detail}</span> : null}
    </li>
  );
}

export default function AdminDashboard() {
  const { figures, health, failed } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <div className="stack">
      <PageHeader title="Administration" description="La journée en un coup d'œil." />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {data?.error ? <Alert kind="error">{data.error}</Alert> : null}
      <nav aria-label="Administration" className="admin-links">
        <Link className="button secondary" to="/admin/partners">
          Partenaires
        </Link>
        <Link className="button secondary" to="/admin/catalogue">
          Catalogue et prix
        </Link>
        <Link className="button secondary" to="/admin/rules">
          Règles du service
        </Link>
        <Link className="button secondary" to="/admin/workers">
          Données des personnes
        </Link>
        <Link className="button secondary" to="/admin/audit">
          Journal d'audit
        </Link>
        <Link className="button secondary" to="/users">
          Utilisateurs
        </Link>
      </nav>
      <div className="grid">
        <Card title="Demandes à valider">
          <p className="stat">{figures.waitingValidation}</p>
          <Link to="/requests">Voir les demandes</Link>
        </Card>
        <Card title="Interventions sans équipe complète cette semaine">
          <p className="stat">{figures.unstaffedThisWeek}</p>
          <Link to="/planning">Voir le planning</Link>
        </Card>
        <Card title="Contrats qui finissent dans les 30 jours">
          <p className="stat">{figures.contractsEnding}</p>
          <Link to="/people">Voir les équipes</Link>
        </Card>
        <Card title="Factures en retard de paiement">
          <p className="stat">{figures.overdueInvoices}</p>
          {figures.overdueInvoices > 0 ? <p className="muted">{formatEuros(figures.overdueCents)} TTC</p> : null}
          <Link to="/finance/invoices?status=OPEN">Voir les factures émises</Link>
        </Card>
      </div>
      <Card title="État des services">
        <ul className="health">
          <Health label="Base de données (PostgreSQL)" ok={health.dbOk} />
          <Health label="Files de tâches (Redis)" ok={health.redisOk} />
          <Health
            label="Travail de fond (worker)"
            ok={health.workerOk}
            detail={health.heartbeatAge === null ? "aucun signe de vie" : `dernier signe il y a ${Math.round(health.heartbeatAge / 1000)} s`}
          />
        </ul>
      </Card>
      <Card title="Tâches en échec">
        {!failed.available ? (
          <Alert kind="error">Redis ne répond pas : la liste des tâches est indisponible. Le travail attend dans la base.</Alert>
        ) : failed.jobs.length === 0 ? (
          <EmptyState>Aucune tâche en échec.</EmptyState>
        ) : (
          <Table
            className="break"
            rows={failed.jobs}
            rowKey={(j) => `${j.queue}/${j.id}`}
            columns={[
              { title: "File", cell: (j) => j.queue },
              {
                title: "Tâche",
                cell: (j) => (
                  <>
                    {j.name}{" "}
                    <span className="muted">
                      ({j.attemptsMade} essai{j.attemptsMade > 1 ? "s" : ""})
                    </span>
                  </>
                ),
              },
              { title: "Erreur", className: "break", cell: (j) => j.failedReason },
              { title: "Échouée le", cell: (j) => (j.finishedOn ? formatDateTime(new Date(j.finishedOn)) : "—") },
              {
                title: "Action",
                quiet: true,
                cell: (j) => (
                  <AppForm>
                    <input type="hidden" name="intent" value="retry" />
                    <input type="hidden" name="queue" value={j.queue} />
                    <input type="hidden" name="jobId" value={j.id} />
                    <SubmitButton variant="secondary">Relancer</SubmitButton>
                  </AppForm>
                ),
              },
            ]}
          />
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
