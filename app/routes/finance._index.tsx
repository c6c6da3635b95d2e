import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { Bar, RunProgress } from "~/components/finance-dashboard.tsx";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { financeDashboard, startInvoiceRun } from "~/data/finance-dashboard.server.ts";
import { can } from "~/domain/access/roles.ts";
import { monthLabel } from "~/domain/invoicing/period.ts";
import { AGEING_LABELS, type AgeingBucket } from "~/domain/invoicing/status.ts";
import { stripeConfigured } from "~/integrations/stripe.server.ts";
import { formatCount, formatEuros, formatMinutes, ofName, plural } from "~/utils/format.ts";
import { monthField, parseForm } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Facturation · La Conciergerie Solidaire" }];

// `?run=<job id>&step=prepare|issue`: the run just started, followed on the page.
const runQuery = z.object({ run: z.string().max(500).nullable().catch(null), step: z.enum(["prepare", "issue"]).nullable().catch(null) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const url = new URL(request.url);
  const query = runQuery.parse({ run: url.searchParams.get("run"), step: url.searchParams.get("step") });
  return json({
    ...(await financeDashboard(new Date())),
    canManage: can(user.role, "finance.manage"),
    provider: stripeConfigured() ? "Stripe" : "local (paiements saisis à la main)",
    runKey: crypto.randomUUID(), // one run per display of the form, however many times it is sent
    run: query.run,
    runStep: query.step,
  });
}

const schema = z.object({
  intent: z.enum(["prepare", "issue"], { error: "Action inconnue." }),
  month: monthField("Choisissez un mois."),
  // The month in progress is invoiced only when finance ticks "préparer ce mois avant sa fin".
  early: z.literal("on").optional(),
  organisationId: z
    .string()
    .max(40, "Choisissez un partenaire de la liste.")
    .optional()
    .transform((v) => (v ? v : undefined)),
  runKey: z.string({ error: "Rechargez la page et recommencez." }).min(8, "Rechargez la page et recommencez.").max(64, "Rechargez la page et recommencez."),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "finance.manage");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors }, { status: 400 });
  const { early, ...run } = parsed.data;
  const started = await startInvoiceRun(actorOf(user), { ...run, early: early === "on" }, new Date());
  if (!started.ok) return json({ errors: started.errors }, { status: 400 });
  return redirect(`/finance?run=${encodeURIComponent(started.jobId)}&step=${run.intent}`);
}

export default function Finance() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const runKey = data.runKey;
  const maxMonth = Math.max(1, ...data.summary.months.map((m) => m.invoicedCents));
  const maxAgeing = Math.max(1, ...Object.values(data.summary.ageing));
  return (
    <div className="stack">
      <PageHeader
        title="Facturation"
        description={`Factures des partenaires à partir des heures réellement travaillées. Prestataire de paiement : ${data.provider}.`}
        actions={
          <>
            <Link className="button secondary" to="/finance/invoices">
              Toutes les factures
            </Link>
            <Link className="button secondary" to="/finance/documents">
              Factures électroniques
            </Link>
            <Link className="button secondary" to="/finance/disputes">
              Contestations{data.openDisputes > 0 ? ` (${data.openDisputes})` : ""}
            </Link>
            <a className="button secondary" href={`/finance/export.csv?what=invoices&year=${data.year}`}>
              Export CSV des factures
            </a>
            <a className="button secondary" href={`/finance/export.csv?what=lines&year=${data.year}`}>
              Export CSV des lignes
            </a>
          </>
        }
      />
      {/* runKey is a hidden field: its message is the form's. */}
      {errors.form || errors.month || errors.runKey ? <Alert kind="error">{errors.form ?? errors.month ?? errors.runKey}</Alert> : null}
      {data.run ? <RunProgress jobId={data.run} step={data.runStep} /> : null}
      {data.openDisputes > 0 ? (
        <Alert kind="info">
          {formatCount(data.openDisputes, "contestation")} d'heures {plural(data.openDisputes, "attend", "attendent")} votre décision : ces interventions restent hors des factures jusque-là.{" "}
          <Link to="/finance/disputes">Régler les contestations</Link>
        </Alert>
      ) : null}
      {data.draftCount > 0 ? (
        <Alert kind="info">
          {formatCount(data.draftCount, "brouillon")} {plural(data.draftCount, "attend", "attendent")} votre vérification ({data.draftMonths.map((m) => monthLabel(m)).join(", ")}).{" "}
          <Link to="/finance/invoices?status=DRAFT">Voir l'aperçu des brouillons</Link>
        </Alert>
      ) : null}
      {data.canManage ? (
        <Card title="Facturation du mois">
          <p className="muted">
            1. Préparez les brouillons (rien n'est envoyé), 2. vérifiez l'aperçu de chaque brouillon, 3. émettez : chaque facture reçoit son numéro et part chez le partenaire. Les brouillons du mois
            précédent sont préparés automatiquement le premier jour ouvré du mois à 7 h.
          </p>
          <AppForm className="form">
            <input type="hidden" name="runKey" value={runKey} />
            <Field label="Mois" name="month" error={errors.month}>
              <select defaultValue={data.defaultMonth}>
                {data.months.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Partenaire" name="organisationId" hint="Laissez « Tous » pour la facturation mensuelle." error={errors.organisationId}>
              <select defaultValue="">
                <option value="">Tous les partenaires</option>
                {data.partners.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
            <label className="checkbox">
              <input type="checkbox" name="early" value="on" /> Préparer ce mois avant sa fin (le mois en cours seulement)
            </label>
            <div className="row">
              <SubmitButton name="intent" value="prepare">
                Préparer les brouillons
              </SubmitButton>
              <SubmitButton name="intent" value="issue" variant="secondary">
                Émettre et envoyer les brouillons
              </SubmitButton>
            </div>
          </AppForm>
        </Card>
      ) : null}
      <div className="grid-2">
        <Card title="Encours">
          <dl className="figures">
            <div>
              <dt>Facturé (12 mois)</dt>
              <dd>{formatEuros(data.summary.total.invoicedCents)}</dd>
            </div>
            <div>
              <dt>Encaissé</dt>
              <dd>{formatEuros(data.summary.total.paidCents)}</dd>
            </div>
            <div>
              <dt>Reste dû</dt>
              <dd>{formatEuros(data.summary.total.outstandingCents)}</dd>
            </div>
            <div>
              <dt>En retard</dt>
              <dd>{formatEuros(data.summary.total.overdueCents)}</dd>
            </div>
          </dl>
        </Card>
        <Card title="Ancienneté des impayés">
          <div className="bars">
            {(Object.keys(data.summary.ageing) as AgeingBucket[]).map((bucket) => (
              <Bar key={bucket} label={AGEING_LABELS[bucket]} value={data.summary.ageing[bucket]} max={maxAgeing} text={formatEuros(data.summary.ageing[bucket])} />
            ))}
          </div>
        </Card>
      </div>
      <Card title="Facturé par mois">
        {data.summary.months.length === 0 ? (
          <p className="muted">Aucune facture émise sur les douze derniers mois.</p>
        ) : (
          <div className="bars">
            {data.summary.months.map((m) => (
              <Bar key={m.month} label={monthLabel(m.month)} value={m.invoicedCents} max={maxMonth} text={`${formatEuros(m.invoicedCents)} · payé ${formatEuros(m.paidCents)}`} />
            ))}
          </div>
        )}
      </Card>
      <Card title="Par partenaire">
        <Table
          rows={data.summary.partners}
          rowKey={(p) => p.id}
          columns={[
            { title: "Partenaire", cell: (p) => p.name },
            { title: "Facturé", cell: (p) => formatEuros(p.invoicedCents) },
            { title: "Encaissé", cell: (p) => formatEuros(p.paidCents) },
            { title: "Reste dû", cell: (p) => formatEuros(p.outstandingCents) },
            { title: "En retard", cell: (p) => (p.overdueCents > 0 ? <strong>{formatEuros(p.overdueCents)}</strong> : formatEuros(0)) },
          ]}
        />
      </Card>
      <Card title={`Impact : heures d'insertion`}>
        <p className="muted">Heures de travail en insertion que les commandes de chaque partenaire ont données (heures réellement travaillées). L'attestation annuelle en PDF reprend ces chiffres.</p>
        <Table
          rows={data.impact}
          rowKey={(p) => p.id}
          columns={[
            { title: "Partenaire", cell: (p) => p.name },
            // No hours is a dash, not "0 min".
            { title: data.lastMonthLabel, cell: (p) => (p.lastMonth ? formatMinutes(p.lastMonth) : "—") },
            { title: `Année ${data.year}`, cell: (p) => (p.thisYear ? formatMinutes(p.thisYear) : "—") },
            { title: `Année ${data.year - 1}`, cell: (p) => (p.lastYear ? formatMinutes(p.lastYear) : "—") },
            {
              title: "Attestations",
              cell: (p) =>
                [data.year, data.year - 1].map((y, k) => (
                  <span key={y}>
                    {k > 0 ? " · " : null}
                    <a href={`/impact/${p.id}/${y}.pdf`} download aria-label={`Attestation ${y} ${ofName(p.name)} (PDF)`}>
                      {y}
                    </a>
                  </span>
                )),
            },
          ]}
        />
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
