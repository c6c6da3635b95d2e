import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { Alert, AppForm, Card, EmptyState, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { TransmissionBadge } from "~/components/einvoicing.tsx";
import { listMonthDocuments, monthDocumentCounts, requestDocumentsRun } from "~/data/einvoicing.server.ts";
import { documentsNeedingAction, transmissionsOf } from "~/data/einvoicing-transmission.server.ts";
import { whatToDo } from "~/domain/einvoicing/lifecycle.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { can } from "~/domain/access/roles.ts";
import { transmissionLabel } from "~/domain/einvoicing/transmission.ts";
import { monthLabel, monthOf, previousMonth } from "~/domain/invoicing/period.ts";
import { platformConfig } from "~/integrations/einvoicing-platform.server.ts";
import { formatCount, formatDate, formatEuros, ofName, plural } from "~/utils/format.ts";
import { monthField, parseForm } from "~/utils/validation.ts";

// Factur-X documents by month of issue: generate the missing ones (a job with
// a progress bar), export them as a ZIP for the accredited platform, download one.
export const meta: MetaFunction = () => [{ title: "Factures électroniques · La Conciergerie Solidaire" }];

const KIND_LABELS: Record<string, string> = { INVOICE: "Facture (380)", CREDIT_NOTE: "Avoir (381)", INTERNAL_STATEMENT: "Relevé interne" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const url = new URL(request.url);
  const now = new Date();
  const months = Array.from({ length: 13 }, (_, i) => {
    let m = monthOf(now);
    for (let k = 0; k < i; k++) m = previousMonth(m);
    return m;
  });
  const asked = url.searchParams.get("month") ?? "";
  const month = monthField("", "search").safeParse(asked).data ?? months[0]!;
  const [counts, documents, rules, toHandle] = await Promise.all([monthDocumentCounts(month), listMonthDocuments(month), getServiceRules(), documentsNeedingAction()]);
  const platform = platformConfig();
  const transmissions = await transmissionsOf(documents.map((d) => d.id));
  return json({
    month,
    monthLabel: monthLabel(month),
    months: months.map((m) => ({ value: m, label: monthLabel(m) })),
    counts,
    documents: documents.map((d) => ({ ...d, transmission: transmissions.get(d.id) ?? null })),
    toHandle: toHandle.map((t) => {
      const current = t.events.find((e) => e.kind === "lifecycle" && e.code === t.lifecycleCode) ?? t.events.find((e) => e.kind === "ack" && e.code === "Error");
      return {
        documentId: t.documentId,
        number: t.document.number,
        kind: t.document.kind,
        invoiceId: t.document.invoiceId ?? t.document.creditNote?.invoiceId ?? null,
        partner: t.document.organisation.name,
        view: { state: t.state, ackStatus: t.ackStatus, lifecycleCode: t.lifecycleCode },
        reason: current?.reason ?? t.problem,
        since: t.updatedAt,
        whatToDo: whatToDo(t),
      };
    }),
    platform: platform?.name ?? null,
    retentionYears: rules.einvoiceRetentionYears,
    vatOnReceipts: rules.vatOnReceipts,
    canManage: can(user.role, "finance.manage"),
    runKey: crypto.randomUUID(),
    run: url.searchParams.get("run"),
  });
}

const schema = z.object({
  month: monthField("Choisissez un mois."),
  runKey: z.string({ error: "Rechargez la page et recommencez." }).min(8, "Rechargez la page et recommencez.").max(64, "Rechargez la page et recommencez."),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "finance.manage");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors }, { status: 400 });
  const jobId = await requestDocumentsRun(actorOf(user), parsed.data.month, `documents-${parsed.data.runKey}`);
  return redirect(`/finance/documents?month=${parsed.data.month}&run=${encodeURIComponent(jobId)}`);
}

type RunStatus = { state: string; progress: number; result: { generated?: number; total?: number } | null; failedReason: string | null };

function RunProgress({ jobId }: { jobId: string }) {
  const fetcher = useFetcher<RunStatus>();
  const state = fetcher.data?.state ?? "pending";
  const finished = state === "completed" || state === "failed";
  useEffect(() => {
    if (finished || fetcher.state !== "idle") return;
    const timer = setTimeout(() => fetcher.load(`/finance/runs/${encodeURIComponent(jobId)}`), fetcher.data ? 800 : 0);
    return () => clearTimeout(timer);
  }, [fetcher, finished, jobId]);
  const progress = state === "completed" ? 100 : (fetcher.data?.progress ?? 0);
  return (
    <Card title="Génération des documents Factur-X">
      <div className="stack">
        <label htmlFor="documents-progress">{finished ? "Terminé" : state === "active" ? "En cours…" : "En attente du traitement…"}</label>
        <progress id="documents-progress" className="run-progress" max={100} value={progress}>
          {progress} %
        </progress>
        {state === "completed" && fetcher.data?.result ? (
          <Alert kind="success">
            {formatCount(Number(fetcher.data.result.generated ?? 0), "document")} {plural(Number(fetcher.data.result.generated ?? 0), "généré")} sur {Number(fetcher.data.result.total ?? 0)}{" "}
            {plural(Number(fetcher.data.result.total ?? 0), "manquant")}. Rechargez la page pour les voir.
          </Alert>
        ) : null}
        {state === "failed" ? <Alert kind="error">La génération a échoué et sera reprise automatiquement : {fetcher.data?.failedReason}</Alert> : null}
      </div>
    </Card>
  );
}

export default function FinanceDocuments() {
  const data = useLoaderData<typeof loader>();
  // The form has hidden fields only (month, runKey): any message is the form's.
  const refused = Object.values(useActionData<typeof action>()?.errors ?? {})[0];
  return (
    <div className="stack">
      <PageHeader
        title="Factures électroniques"
        description="Chaque facture et chaque avoir émis est un document Factur-X (PDF/A-3 lisible, avec les données EN 16931 jointes). Un document émis n'est jamais régénéré : une correction passe par un avoir."
        actions={
          <Link className="button secondary" to="/finance">
            ← Facturation
          </Link>
        }
      />
      {data.run ? <RunProgress jobId={data.run} /> : null}
      <Card title="Mois d'émission">
        <Form method="get" className="filters">
          <div className="field">
            <label htmlFor="month">Mois</label>
            <select id="month" name="month" defaultValue={data.month}>
              {data.months.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button secondary">
            Afficher
          </button>
        </Form>
        <dl className="figures">
          <div>
            <dt>Factures</dt>
            <dd>{data.counts.invoices}</dd>
          </div>
          <div>
            <dt>Avoirs</dt>
            <dd>{data.counts.creditNotes}</dd>
          </div>
          <div>
            <dt>Relevés internes</dt>
            <dd>{data.counts.statements}</dd>
          </div>
          <div>
            <dt>Documents manquants</dt>
            <dd>{data.counts.missing}</dd>
          </div>
        </dl>
        {refused ? <Alert kind="error">{refused}</Alert> : null}
        <div className="row">
          {data.canManage && data.counts.missing > 0 ? (
            <AppForm>
              <input type="hidden" name="month" value={data.month} />
              <input type="hidden" name="runKey" value={data.runKey} />
              <SubmitButton>{data.counts.missing === 1 ? "Générer le document manquant" : `Générer les ${data.counts.missing} documents manquants`}</SubmitButton>
            </AppForm>
          ) : null}
          <a className="button secondary" href={`/finance/documents.zip?month=${data.month}`}>
            Exporter le ZIP {ofName(data.monthLabel)}
          </a>
        </div>
      </Card>
      {data.platform ? (
        <Card title={`Documents à traiter (${data.toHandle.length})`}>
          {data.toHandle.length === 0 ? (
            <EmptyState>Aucun document ne demande d'action : la plateforme a pris chaque document, aucun n'est rejeté, refusé ou en litige.</EmptyState>
          ) : (
            <Table
              rows={data.toHandle}
              rowKey={(t) => t.documentId}
              columns={[
                { title: "Numéro", cell: (t) => (t.invoiceId ? <Link to={`/finance/invoices/${t.invoiceId}`}>{t.number}</Link> : t.number) },
                { title: "Partenaire", cell: (t) => t.partner },
                {
                  title: "Statut",
                  cell: (t) => (
                    <>
                      <TransmissionBadge t={t.view} />
                      <div className="muted small">depuis le {formatDate(t.since)}</div>
                    </>
                  ),
                },
                {
                  title: "Motif et action",
                  cell: (t) => (
                    <>
                      {t.reason ? <div>{t.reason}</div> : null}
                      <div className="muted small">{t.whatToDo}</div>
                    </>
                  ),
                },
              ]}
            />
          )}
        </Card>
      ) : null}
      <Card title="Transmission">
        {data.platform ? (
          <p>
            Plateforme agréée : {data.platform} (API AFNOR XP Z12-013). Chaque facture et chaque avoir émis lui est envoyé dès sa génération, après vérification de l'adresse de facturation
            électronique du client dans l'annuaire ; les statuts (Déposée, Approuvée, Rejetée, Refusée, Encaissée…) s'affichent ci-dessous et sur chaque facture. Le statut « Encaissée » est envoyé à
            chaque paiement enregistré.
          </p>
        ) : (
          <Alert kind="info">
            Aucune plateforme agréée n'est raccordée : les factures et avoirs sont à transmettre via la plateforme agréée de l'association, en y déposant l'export ZIP du mois (un manifeste CSV avec
            l'empreinte SHA-256 de chaque fichier l'accompagne). Les partenaires reçoivent un e-mail de courtoisie et téléchargent leurs documents depuis leur espace.
          </Alert>
        )}
        <p className="muted small">
          TVA {data.vatOnReceipts ? "exigible à l'encaissement (prestations de services)" : "acquittée d'après les débits"} · conservation {data.retentionYears} ans · les relevés internes des sites
          d'Aurore sont hors réforme (PDF simple, non transmis).
        </p>
      </Card>
      <Card title={`Documents émis en ${data.monthLabel}`}>
        {data.documents.length === 0 ? (
          <EmptyState>Aucun document pour ce mois.</EmptyState>
        ) : (
          <Table
            rows={data.documents}
            rowKey={(d) => d.id}
            columns={[
              { title: "Numéro", cell: (d) => <a href={`/invoices/documents/${d.id}.pdf`}>{d.number}</a> },
              { title: "Type", cell: (d) => KIND_LABELS[d.kind] ?? d.kind },
              { title: "Partenaire", cell: (d) => d.organisation.name },
              { title: "Émis le", cell: (d) => formatDate(d.issueDate) },
              { title: "Total TTC", cell: (d) => formatEuros(d.totalInclVatCents) },
              { title: "Transmission", cell: (d) => (d.transmission ? <TransmissionBadge t={d.transmission} /> : transmissionLabel(d.transmissionStatus)) },
            ]}
          />
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
