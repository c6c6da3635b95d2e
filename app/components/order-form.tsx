import { useState, type FormEvent } from "react";
import {
  estimateOrderForm,
  frenchDate,
  MAX_DURATION_MINUTES,
  MAX_OCCURRENCES,
  MIN_DURATION_MINUTES,
  NEW_SITE,
  RECURRENCES,
  teamMax,
  teamSizeError,
  type DateRules,
  type PricingUnit,
  type TeamRange,
} from "~/domain/requests/order.ts";
import { RECURRENCE_LABELS } from "~/domain/requests/status.ts";
import { formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";
import { AppForm, Card, Field, SubmitButton } from "./ui.tsx";

// The partner's order form (/requests/new): its fields, kept in step with the
// chosen prestation, and the estimate beside them, computed in the browser by
// the same domain function the server uses.

export type OrderSite = { id: string; name: string; address: string; city: string };
export type OrderPrestation = {
  id: string;
  name: string;
  pricingUnit: PricingUnit;
  priceCents: number;
  vatRateBasisPoints: number;
  minNoticeDays: number;
  defaultDurationMinutes: number;
  defaultTeamSize: number;
  /** The largest team an encadrant of this prestation may lead. */
  largestTeamLed: number | null;
};

const DURATIONS = Array.from({ length: (MAX_DURATION_MINUTES - MIN_DURATION_MINUTES) / 15 + 1 }, (_, i) => MIN_DURATION_MINUTES + i * 15);

type FormState = Record<string, string>;

/** The order form and its live estimate: the fields follow the chosen prestation, the price follows the fields. */
export function OrderForm({
  submissionKey,
  sites,
  prestations,
  selectedPrestation,
  requiresPurchaseOrder,
  rules,
  errors,
  values,
}: {
  submissionKey: string;
  sites: OrderSite[];
  prestations: OrderPrestation[];
  selectedPrestation: string | null;
  requiresPurchaseOrder: boolean;
  rules: DateRules & { teamSize: TeamRange };
  /** The server's messages and the values it was sent, after a refused order. */
  errors: Record<string, string>;
  values: Record<string, string>;
}) {
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
  const estimate = estimateOrderForm(state, prestation, rules);
  const team = { ...rules.teamSize, largestLed: prestation?.largestTeamLed ?? null };
  const maxTeam = teamMax(team);
  // Said while typing; the server checks it again on sending.
  const liveTeamError = state.teamSize && Number.isInteger(Number(state.teamSize)) ? teamSizeError(Number(state.teamSize), team) : null;
  // The server's message for the value it was sent; the live one once the partner types another.
  const teamWarning = (state.teamSize === values.teamSize ? errors.teamSize : null) ?? liveTeamError;

  return (
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
      <OrderEstimate estimate={estimate} />
    </div>
  );
}

/** What the order will cost, as the partner fills the form in. */
function OrderEstimate({ estimate }: { estimate: ReturnType<typeof estimateOrderForm> }) {
  return (
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
  );
}
