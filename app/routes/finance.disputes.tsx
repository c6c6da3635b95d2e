import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { listOpenDisputes, listRecentSettlements, settleDispute } from "~/data/disputes.server.ts";
import { can } from "~/domain/access/roles.ts";
import { ageInDays, DISPUTE_TEXT_MAX, OUTCOME_LABELS, settleSchema } from "~/domain/invoicing/disputes.ts";
import { formatDate, formatDateTime, formatMinutes } from "~/utils/format.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

// Finance settles the hours partners contest: keep them, bill a corrected
// figure, or waive the line. Contested lines wait out of the runs until then.
export const meta: MetaFunction = () => [{ title: "Contestations · Facturation · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const [open, settled] = await Promise.all([listOpenDisputes(), listRecentSettlements()]);
  return json({ open, settled, now: new Date().toISOString(), canManage: can(user.role, "finance.manage") });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "finance.manage");
  const parsed = parseForm(await readForm(request), settleSchema);
  if (!parsed.ok) return json({ disputeId: parsed.values.disputeId ?? null, errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const d = parsed.data;
  const result = await settleDispute(actorOf(user), d.disputeId, { outcome: d.outcome, correctedMinutes: d.outcome === "CORRECT" ? d.correctedHours : undefined, answer: d.answer });
  if (!result.ok) {
    if (result.status === 404) return notFound(request, user, { type: "Dispute", id: d.disputeId });
    const values = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === "correctedHours" ? formatMinutes(Number(v)) : String(v)]));
    return json({ disputeId: d.disputeId, errors: { [result.field ?? "form"]: result.message } as FieldErrors, values, done: null }, { status: result.status });
  }
  return json({ disputeId: null, errors: {} as FieldErrors, values: {} as Record<string, string>, done: result.message });
}

export default function FinanceDisputes() {
  const { open, settled, now, canManage } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <div className="stack">
      <PageHeader
        title="Contestations d'heures"
        description="Les heures qu'un partenaire conteste attendent votre décision, hors des factures. Une fois réglée, l'intervention entre dans la prochaine préparation des brouillons."
        actions={
          <Link className="button secondary" to="/finance">
            ← Facturation
          </Link>
        }
      />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {/* A dispute settled meanwhile (or an unknown one) is no longer in the list: its message goes here. */}
      {data?.errors.form && !open.some((d) => d.id === data.disputeId) ? <Alert kind="error">{data.errors.form}</Alert> : null}
      <Card title={`À régler (${open.length})`}>
        {open.length === 0 ? (
          <EmptyState>Aucune contestation en attente.</EmptyState>
        ) : (
          <ul className="list">
            {open.map((d) => {
              const mine = data?.disputeId === d.id;
              const errors: Record<string, string> = mine ? (data?.errors ?? {}) : {};
              const values: Record<string, string> = mine ? (data?.values ?? {}) : {};
              const age = ageInDays(new Date(d.openedAt), new Date(now));
              const prefix = `dispute-${d.id}`;
              return (
                <li key={d.id} className="list-item" aria-labelledby={`${prefix}-title`}>
                  <div className="row spread">
                    <h3 id={`${prefix}-title`}>
                      {d.partner} · intervention du {formatDateTime(d.startsAt)}
                    </h3>
                    <Badge tone={age > 7 ? "red" : "amber"}>{age === 0 ? "Ouverte aujourd'hui" : `Ouverte depuis ${age} jour${age > 1 ? "s" : ""}`}</Badge>
                  </div>
                  <dl className="details">
                    <dt>Site</dt>
                    <dd>{d.site}</dd>
                    <dt>Prestation</dt>
                    <dd>
                      {d.prestation} ({d.reference}){d.flatPrice ? " · prix forfaitaire" : ""}
                    </dd>
                    <dt>Heures relevées</dt>
                    <dd>
                      {formatMinutes(d.recordedMinutes)} ({d.people} personne{d.people > 1 ? "s" : ""}), prévues {formatMinutes(d.plannedMinutes)}
                    </dd>
                    <dt>Motif du partenaire</dt>
                    <dd className="prewrap">{d.reason}</dd>
                    <dt>Contestée le</dt>
                    <dd>{formatDateTime(d.openedAt)}</dd>
                  </dl>
                  {canManage ? (
                    <AppForm className="form" key={`${d.id}-${data?.done ?? ""}`}>
                      <input type="hidden" name="intent" value="settle" />
                      <input type="hidden" name="disputeId" value={d.id} />
                      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
                      <fieldset className="checkboxes" aria-describedby={errors.outcome ? `${prefix}-outcome-error` : undefined}>
                        <legend>Décision</legend>
                        <label className="checkbox">
                          <input type="radio" name="outcome" value="KEEP" defaultChecked={values.outcome === "KEEP"} /> Maintenir les heures relevées ({formatMinutes(d.recordedMinutes)})
                        </label>
                        {d.flatPrice ? null : (
                          <label className="checkbox">
                            <input type="radio" name="outcome" value="CORRECT" defaultChecked={values.outcome === "CORRECT"} /> Corriger les heures à facturer
                          </label>
                        )}
                        <label className="checkbox">
                          <input type="radio" name="outcome" value="WAIVE" defaultChecked={values.outcome === "WAIVE"} /> Abandonner la ligne (ne pas facturer)
                        </label>
                        {errors.outcome ? (
                          <span className="error" id={`${prefix}-outcome-error`}>
                            {errors.outcome}
                          </span>
                        ) : null}
                      </fieldset>
                      {d.flatPrice ? null : (
                        <Field
                          id={`${prefix}-hours`}
                          label="Heures à facturer, si vous corrigez"
                          name="correctedHours"
                          hint="Toutes personnes confondues, par exemple 5 h 30 ou 5,5."
                          defaultValue={values.correctedHours}
                          error={errors.correctedHours}
                        />
                      )}
                      <Field id={`${prefix}-answer`} label="Réponse au partenaire" name="answer" hint="Le partenaire la lit sur sa demande." error={errors.answer}>
                        <textarea rows={2} maxLength={DISPUTE_TEXT_MAX} defaultValue={values.answer} />
                      </Field>
                      <SubmitButton>Régler la contestation</SubmitButton>
                    </AppForm>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </Card>
      <Card title="Dernières décisions">
        {settled.length === 0 ? (
          <EmptyState>Aucune contestation réglée pour le moment.</EmptyState>
        ) : (
          <Table
            rows={settled}
            rowKey={(s) => s.id}
            columns={[
              { title: "Partenaire", cell: (s) => s.partner },
              {
                title: "Intervention",
                cell: (s) => (
                  <>
                    {formatDate(s.startsAt)} · {s.site}
                  </>
                ),
              },
              {
                title: "Décision",
                cell: (s) => (
                  <>
                    {OUTCOME_LABELS[s.outcome]}
                    {s.outcome === "CORRECT" && s.correctedMinutes !== null ? ` : ${formatMinutes(s.correctedMinutes)}` : ""}
                  </>
                ),
              },
              { title: "Réponse", className: "prewrap", cell: (s) => s.answer },
              {
                title: "Par",
                cell: (s) => (
                  <>
                    {s.settledBy}, le {formatDateTime(s.settledAt)}
                  </>
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
