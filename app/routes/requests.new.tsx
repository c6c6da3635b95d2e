import { randomUUID } from "node:crypto";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { largestTeamsLed, listCatalogue } from "~/data/catalogue.server.ts";
import { createRequest, getOrganisationSettings, listOrderSites, orderRuleErrors } from "~/data/requests.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import {
  closedReason,
  estimateOrder,
  teamMax,
  teamSizeError,
  frenchDate,
  MAX_DURATION_MINUTES,
  MAX_OCCURRENCES,
  MIN_DURATION_MINUTES,
  NEW_SITE,
  orderSchema,
  RECURRENCES,
  recurrenceDates,
  type Recurrence,
} from "~/domain/requests/order.ts";
import { RECURRENCE_LABELS } from "~/domain/requests/status.ts";
import { formatDayMonth, formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";
import { isDayWithin, parseForm, type FieldErrors } from "~/utils/validation.ts";
import { isTeamSize } from "~/domain/team.ts";

export const meta: MetaFunction = () => [{ title: "Commander une prestation · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.order");
  const actor = actorOf(user);
  const [sites, prestations, organisation, rules, teamsLed] = await Promise.all([listOrderSites(actor), listCatalogue(actor), getOrganisationSettings(actor), getServiceRules(), largestTeamsLed()]);
  const wanted = new URL(request.url).searchParams.get("prestation");
  return json({
    // A new key for each display of the form: sending it twice makes one request.
    submissionKey: randomUUID(),
    sites,
    prestations: prestations.map((p) => ({
      id: p.id,
      name: p.name,
      pricingUnit: p.pricingUnit,
      priceCents: p.priceCents,
      vatRateBasisPoints: p.vatRateBasisPoints,
      minNoticeDays: p.minNoticeDays,
      defaultDurationMinutes: p.defaultDurationMinutes,
      defaultTeamSize: p.defaultTeamSize,
      // The largest team an encadrant of this prestation may lead: the form says so before the order is sent.
      largestTeamLed: teamsLed.get(p.id) ?? null,
    })),
    selectedPrestation: prestations.some((p) => p.id === wanted) ? wanted : null,
    requiresPurchaseOrder: organisation.requiresPurchaseOrder,
    rules: { openingHours: rules.openingHours, closureDays: rules.closureDays, teamSize: rules.teamSize },
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "requests.order");
  const parsed = parseForm(await readForm(request), orderSchema);
  if (!parsed.ok) {
    // Every problem at once: the rules of the date and hours too, where those fields read well.
    const v = parsed.values;
    const readable = (field: string) => !parsed.errors[field];
    const rules = await orderRuleErrors(actorOf(user), {
      prestationId: readable("prestationId") ? v.prestationId : undefined,
      date: readable("date") && /^\d{4}-\d{2}-\d{2}$/.test(v.date ?? "") ? v.date : undefined,
      startTime: readable("startTime") && /^([01]\d|2[0-3]):(00|15|30|45)$/.test(v.startTime ?? "") ? v.startTime : undefined,
      durationMinutes: readable("durationMinutes") ? v.durationMinutes : undefined,
      teamSize: readable("teamSize") ? v.teamSize : undefined,
      purchaseOrderNumber: v.purchaseOrderNumber,
    });
    return json({ errors: { ...rules, ...parsed.errors }, values: parsed.values }, { status: 400 });
  }
  const result = await createRequest(actorOf(user), parsed.data);
  if (!result.ok) {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.data)) if (v !== null && v !== undefined) values[k] = String(v);
    return json({ errors: result.errors as FieldErrors, values }, { status: 400 });
  }
  return redirect(`/requests/${result.id}?envoyee=1`);
}

const DURATIONS = Array.from({ length: (MAX_DURATION_MINUTES - MIN_DURATION_MINUTES) / 15 + 1 }, (_, i) => MIN_DURATION_MINUTES + i * 15);

type FormState = Record<string, string>;

export default function NewRequest() {
  const { submissionKey, sites, prestations, selectedPrestation, requiresPurchaseOrder, rules } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const initialPrestation = prestations.find((p) => p.id === (values.prestationId ?? selectedPrestation)) ?? null;
  const [state, setState] = useState<FormState>(() => ({
    siteId: values.siteId ?? (sites.length === 1 ? sites[0]!.id : sites.length === 0 ? NEW_SITE : ""),
    prestationId: initialPrestation?.id ?? "",
    date: values.date ?? "",
    durationMinutes: values.durationMinutes ?? String(initialPrestation?.defaultDurationMinutes ?? 180),
    teamSize: values.teamSize ?? String(initialPrestation?.defaultTeamSize ?? 2),
    recurrence: values.recurrence ?? "NONE",
    recurrenceEnd: values.recurrenceEnd ?? "count",
    recurrenceCount: values.recurrenceCount ?? "4",
    recurrenceUntil: values.recurrenceUntil ?? "",
  }));
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const form = new FormData(event.currentTarget);
    const next: FormState = {};
    for (const key of Object.keys(state)) next[key] = String(form.get(key) ?? state[key] ?? "");
    // A newly chosen prestation brings its usual duration and team.
    if (next.prestationId !== state.prestationId) {
      const p = prestations.find((x) => x.id === next.prestationId);
      if (p) {
        next.durationMinutes = String(p.defaultDurationMinutes);
        next.teamSize = String(p.defaultTeamSize);
      }
    }
    setState(next);
  };
  const prestation = prestations.find((p) => p.id === state.prestationId) ?? null;
  const recurring = state.recurrence !== "NONE";
  const estimate = liveEstimate(state, prestation, rules);
  const team = { ...rules.teamSize, largestLed: prestation?.largestTeamLed ?? null };
  const maxTeam = teamMax(team);
  // Said while typing; the server checks it again on sending.
  const liveTeamError = state.teamSize && Number.isInteger(Number(state.teamSize)) ? teamSizeError(Number(state.teamSize), team) : null;
  // The server's message for the value it was sent; the live one once the partner types another.
  const teamWarning = (state.teamSize === values.teamSize ? errors.teamSize : null) ?? liveTeamError;

  return (
    <div className="stack">
      <p>
        <Link to="/catalogue">← Catalogue</Link>
      </p>
      <PageHeader title="Commander une prestation" description="Vous recevez un devis à accepter ; la coordination compose ensuite l'équipe." />
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      {Object.keys(errors).length > 0 && !errors.form ? <Alert kind="error">Certains champs sont à corriger : voyez les messages sous chacun.</Alert> : null}
      <div className="order-layout">
        <Card title="Votre demande">
          <AppForm className="form" noValidate onChange={onChange}>
            <input type="hidden" name="submissionKey" value={values.submissionKey ?? submissionKey} />
            <Field label="Prestation" name="prestationId" error={errors.prestationId}>
              <select value={state.prestationId} onChange={() => {}}>
                <option value="">Choisir…</option>
                {prestations.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
            {prestation ? (
              <p className="hint">
                {formatEuros(prestation.priceCents)} HT {prestation.pricingUnit === "FLAT" ? "par intervention" : "par heure et par personne"}, TVA {formatVatRate(prestation.vatRateBasisPoints)} · à
                commander {prestation.minNoticeDays} jour{prestation.minNoticeDays > 1 ? "s" : ""} à l'avance au moins.
              </p>
            ) : null}
            <Field label="Site" name="siteId" error={errors.siteId}>
              <select value={state.siteId} onChange={() => {}}>
                {sites.length !== 1 ? <option value="">Choisir…</option> : null}
                {sites.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} — {s.address}, {s.city}
                  </option>
                ))}
                <option value={NEW_SITE}>Ajouter un site…</option>
              </select>
            </Field>
            {state.siteId === NEW_SITE ? (
              <fieldset className="fieldset">
                <legend>Nouveau site</legend>
                <Field label="Nom du site" name="siteName" defaultValue={values.siteName} error={errors.siteName} />
                <Field label="Adresse" name="siteAddress" autoComplete="street-address" defaultValue={values.siteAddress} error={errors.siteAddress} />
                <div className="field-row">
                  <Field label="Code postal" name="sitePostalCode" autoComplete="postal-code" defaultValue={values.sitePostalCode} error={errors.sitePostalCode} />
                  <Field label="Ville" name="siteCity" autoComplete="address-level2" defaultValue={values.siteCity ?? "Paris"} error={errors.siteCity} />
                </div>
              </fieldset>
            ) : null}
            <div className="field-row">
              <Field label="Date" name="date" error={errors.date}>
                <input type="date" defaultValue={values.date} />
              </Field>
              <Field label="Heure de début" name="startTime" error={errors.startTime}>
                <input type="time" step={900} defaultValue={values.startTime ?? rules.openingHours.from} />
              </Field>
            </div>
            <Field
              label="Début au plus tard (facultatif)"
              name="latestStart"
              hint="Si l'heure peut varier : la coordination choisira un début entre les deux, 4 h d'écart au plus. Heures au quart d'heure."
              error={errors.latestStart}
            >
              <input type="time" step={900} defaultValue={values.latestStart} />
            </Field>
            <div className="field-row">
              <Field label="Durée" name="durationMinutes" error={errors.durationMinutes}>
                <select value={state.durationMinutes} onChange={() => {}}>
                  {DURATIONS.map((m) => (
                    <option key={m} value={m}>
                      {formatMinutes(m)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                label="Personnes en insertion"
                name="teamSize"
                hint={`De ${Math.max(1, rules.teamSize.min)} à ${maxTeam}${prestation?.largestTeamLed != null && prestation.largestTeamLed < rules.teamSize.max ? " pour cette prestation" : ""}, avec leur encadrant.`}
                error={teamWarning ?? undefined}
              >
                <input type="number" inputMode="numeric" min={1} max={maxTeam} value={state.teamSize} onChange={() => {}} />
              </Field>
            </div>
            <Field label="Fréquence" name="recurrence" error={errors.recurrence}>
              <select value={state.recurrence} onChange={() => {}}>
                {RECURRENCES.map((r) => (
                  <option key={r} value={r}>
                    {RECURRENCE_LABELS[r]}
                  </option>
                ))}
              </select>
            </Field>
            {recurring ? (
              <fieldset className="fieldset">
                <legend>Fin de la série ({MAX_OCCURRENCES} interventions au plus)</legend>
                <Field label="La série s'arrête" name="recurrenceEnd">
                  <select value={state.recurrenceEnd} onChange={() => {}}>
                    <option value="count">après un nombre d'interventions</option>
                    <option value="until">à une date</option>
                  </select>
                </Field>
                {state.recurrenceEnd === "until" ? (
                  <Field label="Date de la dernière intervention" name="recurrenceUntil" error={errors.recurrenceUntil}>
                    <input type="date" value={state.recurrenceUntil} onChange={() => {}} />
                  </Field>
                ) : (
                  <Field label="Nombre d'interventions" name="recurrenceCount" error={errors.recurrenceCount ?? errors.recurrenceUntil}>
                    <input type="number" inputMode="numeric" min={1} max={MAX_OCCURRENCES} value={state.recurrenceCount} onChange={() => {}} />
                  </Field>
                )}
              </fieldset>
            ) : null}
            <Field
              label={requiresPurchaseOrder ? "Numéro de bon de commande" : "Numéro de bon de commande (facultatif)"}
              name="purchaseOrderNumber"
              defaultValue={values.purchaseOrderNumber}
              error={errors.purchaseOrderNumber}
            />
            <Field label="Consignes d'accès (facultatif)" name="accessInstructions" hint="Badge, interlocuteur sur place, local… 2 000 caractères au plus." error={errors.accessInstructions}>
              <textarea rows={3} maxLength={2000} defaultValue={values.accessInstructions} />
            </Field>
            <Field label="Remarques (facultatif)" name="notes" hint="2 000 caractères au plus." error={errors.notes}>
              <textarea rows={3} maxLength={2000} defaultValue={values.notes} />
            </Field>
            <SubmitButton>Envoyer la demande</SubmitButton>
          </AppForm>
        </Card>
        <aside className="card estimate" aria-labelledby="estimate-title" aria-live="polite">
          <h2 id="estimate-title">Estimation</h2>
          {estimate ? (
            <>
              <dl className="details">
                <dt>Interventions</dt>
                <dd>{estimate.occurrences}</dd>
                {estimate.span ? (
                  <>
                    <dt>{estimate.span.last ? "Dates" : "Date"}</dt>
                    <dd>{estimate.span.last ? `du ${frenchDate(estimate.span.first)} au ${frenchDate(estimate.span.last)}` : frenchDate(estimate.span.first)}</dd>
                  </>
                ) : null}
                <dt>Prix HT</dt>
                <dd>{formatEuros(estimate.total.exclVatCents)}</dd>
                <dt>TVA</dt>
                <dd>{formatEuros(estimate.total.vatCents)}</dd>
                <dt>Prix TTC</dt>
                <dd className="estimate-total">{formatEuros(estimate.total.inclVatCents)}</dd>
                <dt>Insertion</dt>
                <dd>{formatMinutes(estimate.insertionMinutes)} de travail pour des personnes en insertion</dd>
              </dl>
              {estimate.skipped.length > 0 ? <p className="hint">Sans les jours fermés : {estimate.skipped.join(", ")}.</p> : null}
            </>
          ) : (
            <p className="muted">Choisissez une prestation, une durée et une équipe pour voir le prix.</p>
          )}
        </aside>
      </div>
    </div>
  );
}

/** The estimate as the server will compute it, from what is typed so far (null while incomplete). */
function liveEstimate(
  state: FormState,
  prestation: { pricingUnit: "PER_PARTICIPANT_HOUR" | "FLAT"; priceCents: number; vatRateBasisPoints: number } | null,
  rules: { openingHours: { days: number[]; from: string; to: string }; closureDays: string[] },
) {
  const durationMinutes = Number(state.durationMinutes);
  const teamSize = Number(state.teamSize);
  // Only what the order accepts is estimated: a date of the calendar within the span, a duration within bounds.
  const durationOk = Number.isInteger(durationMinutes) && durationMinutes >= MIN_DURATION_MINUTES && durationMinutes <= MAX_DURATION_MINUTES;
  if (!prestation || !durationOk || !isTeamSize(teamSize)) return null;
  const firstDay = isDayWithin(state.date ?? "", "planned") ? state.date! : null;
  const until = isDayWithin(state.recurrenceUntil ?? "", "planned") ? state.recurrenceUntil! : null;
  const recurrence = (RECURRENCES as readonly string[]).includes(state.recurrence!) ? (state.recurrence as Recurrence) : "NONE";
  let occurrences = 1;
  let skipped: string[] = [];
  // The dates the estimate covers, once the first date reads well: a partner checks the series ends where meant.
  let span: { first: string; last: string | null } | null = firstDay ? { first: firstDay, last: null } : null;
  if (recurrence !== "NONE") {
    const count = Number(state.recurrenceCount);
    const byCount = state.recurrenceEnd !== "until";
    if (firstDay) {
      const dates = recurrenceDates(firstDay, recurrence, {
        count: byCount ? Math.min(Math.max(count || 1, 1), MAX_OCCURRENCES) : null,
        until: byCount ? null : until,
      }).slice(0, MAX_OCCURRENCES);
      const closed = dates.filter((d, i) => i > 0 && closedReason(d, rules));
      skipped = closed.map((d) => formatDayMonth(d));
      occurrences = dates.length - closed.length;
      const open = dates.filter((d, i) => i === 0 || !closedReason(d, rules));
      if (open.length > 1) span = { first: open[0]!, last: open[open.length - 1]! };
    } else {
      occurrences = byCount ? Math.min(Math.max(count || 1, 1), MAX_OCCURRENCES) : 1;
    }
  }
  return {
    ...estimateOrder({ pricingUnit: prestation.pricingUnit, unitPriceCents: prestation.priceCents, vatRateBasisPoints: prestation.vatRateBasisPoints, durationMinutes, teamSize, occurrences }),
    skipped,
    span,
  };
}

export const ErrorBoundary = ErrorPage;
