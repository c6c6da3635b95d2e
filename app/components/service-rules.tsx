import type { ReactNode } from "react";
import { WEEKDAY_LABELS } from "~/domain/backoffice/rules-forms.ts";
import type { ServiceRules } from "~/domain/settings/rules.ts";
import { formatDate } from "~/utils/format.ts";
import type { FieldErrors } from "~/utils/validation.ts";
import { Checkbox } from "./backoffice.tsx";
import { Alert, AppForm, Card, Field, SubmitButton } from "./ui.tsx";

// The forms of the service's rules (/admin/rules): one small form per rule, per
// encadrant's limit and for the skills. The action answers for one form at a
// time (`form`); each form reads its own errors, values and message from it.

export type RuleFormResult = { form: string; errors: FieldErrors; values: Record<string, string>; done: string | null };

/** Each form's state from the action's answer: its errors, the values sent back, its message. */
export function ruleForms(data: RuleFormResult | undefined) {
  const st = (form: string) => ({
    errors: data?.form === form ? data.errors : ({} as FieldErrors),
    values: data?.form === form && !data.done ? data.values : ({} as Record<string, string>),
    message: data?.form === form ? data.done ? <Alert kind="success">{data.done}</Alert> : data.errors.form ? <Alert kind="error">{data.errors.form}</Alert> : null : null,
  });
  const v = (form: string, name: string, current: string | number) => {
    const s = st(form);
    return { id: `${form}-${name}`, name, error: s.errors[name], defaultValue: s.values[name] ?? String(current) };
  };
  return { st, v };
}

type Forms = ReturnType<typeof ruleForms>;

/** One card per service rule, each its own form. */
export function ServiceRuleCards({ rules, holidays, forms }: { rules: ServiceRules; holidays: { date: string; label: string }[]; forms: Forms }) {
  const { st, v } = forms;
  const oh = st("openingHours");
  return (
    <div className="grid wide">
      <RuleCard title="Horaires d'ouverture" intent="openingHours" message={oh.message}>
        <fieldset className="fieldset">
          <legend>Jours travaillés</legend>
          <div className="days">
            {WEEKDAY_LABELS.map((label, i) => (
              <Checkbox key={label} label={label} name={`day${i + 1}`} defaultChecked={Object.keys(oh.values).length ? oh.values[`day${i + 1}`] === "on" : rules.openingHours.days.includes(i + 1)} />
            ))}
          </div>
          {oh.errors.days ? <span className="error">{oh.errors.days}</span> : null}
        </fieldset>
        <Field label="Ouverture" type="time" {...v("openingHours", "from", rules.openingHours.from)} />
        <Field label="Fermeture" type="time" {...v("openingHours", "to", rules.openingHours.to)} />
      </RuleCard>
      <RuleCard title="Délai d'annulation" intent="cancellationDeadlineHours" message={st("cancellationDeadlineHours").message}>
        <Field
          label="Heures avant l'intervention"
          hint="Après ce délai, le partenaire ne peut plus déplacer ni annuler en ligne. 720 heures (30 jours) au plus."
          type="number"
          {...v("cancellationDeadlineHours", "value", rules.cancellationDeadlineHours)}
        />
      </RuleCard>
      <RuleCard title="Frais d'annulation tardive" intent="lateCancellationFeePercent" message={st("lateCancellationFeePercent").message}>
        <Field label="Part du prix facturée (%)" hint="Pour une annulation après le délai." type="number" {...v("lateCancellationFeePercent", "value", rules.lateCancellationFeePercent)} />
      </RuleCard>
      <RuleCard title="Jours de fermeture" intent="closureDays" message={st("closureDays").message}>
        <Field
          label="Dates de fermeture"
          hint="Une date par ligne, au format JJ/MM/AAAA. Les jours fériés sont déjà comptés."
          {...pick(v("closureDays", "value", ""))}
          error={st("closureDays").errors.value}
        >
          <textarea rows={4} defaultValue={st("closureDays").values.value ?? rules.closureDays.map(toFrench).join("\n")} />
        </Field>
        <details>
          <summary>Jours fériés comptés</summary>
          <ul className="compact">
            {holidays.map((h) => (
              <li key={h.date}>
                {formatDate(`${h.date}T12:00:00Z`)} — {h.label}
              </li>
            ))}
          </ul>
        </details>
      </RuleCard>
      <RuleCard title="Optimisation hebdomadaire" intent="weeklyOptimisation" message={st("weeklyOptimisation").message}>
        <Field label="Jour" {...pick(v("weeklyOptimisation", "day", rules.weeklyOptimisation.day))}>
          <select defaultValue={st("weeklyOptimisation").values.day ?? String(rules.weeklyOptimisation.day)}>
            {WEEKDAY_LABELS.map((label, i) => (
              <option key={label} value={i + 1}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Heure (Paris)"
          type="time"
          hint="Le travail de fond (worker) reprend le nouveau jour et la nouvelle heure dans la minute, sans redémarrage."
          {...v("weeklyOptimisation", "time", rules.weeklyOptimisation.time)}
        />
      </RuleCard>
      <RuleCard title="Taille d'équipe d'un encadrant" intent="defaultMaxTeamSize" message={st("defaultMaxTeamSize").message}>
        <Field label="Personnes par encadrant, par défaut" type="number" {...v("defaultMaxTeamSize", "value", rules.defaultMaxTeamSize)} />
      </RuleCard>
      <RuleCard title="Taille d'équipe commandable" intent="teamSize" message={st("teamSize").message}>
        <Field label="Minimum" type="number" {...v("teamSize", "min", rules.teamSize.min)} />
        <Field label="Maximum" type="number" {...v("teamSize", "max", rules.teamSize.max)} />
      </RuleCard>
      <RuleCard title="Préavis de changement de planning" intent="scheduleChangeNoticeDays" message={st("scheduleChangeNoticeDays").message}>
        <Field
          label="Jours"
          hint="En deçà, un planning confirmé ne change qu'avec l'accord de la personne."
          type="number"
          {...v("scheduleChangeNoticeDays", "value", rules.scheduleChangeNoticeDays)}
        />
      </RuleCard>
      <RuleCard title="Pointage sur le terrain" intent="fieldHours" message={st("fieldHours").message}>
        <Field
          label="Arrivée notée au plus tôt (minutes avant le début)"
          hint="Avant, le bouton Arrivée est refusé : les heures commencent au plus tôt à ce moment."
          type="number"
          {...v("fieldHours", "checkInEarlyMinutes", rules.fieldHours.checkInEarlyMinutes)}
        />
        <Field
          label="Écart signalé à la coordination (minutes)"
          hint="Des heures enregistrées qui s'écartent davantage du prévu, en plus ou en moins, sont signalées par e-mail et sur le planning."
          type="number"
          {...v("fieldHours", "varianceAlertMinutes", rules.fieldHours.varianceAlertMinutes)}
        />
      </RuleCard>
      <RuleCard title="Regroupement des e-mails" intent="notificationDigestMinutes" message={st("notificationDigestMinutes").message}>
        <Field
          label="Minutes de calme avant l'envoi"
          hint="Ce qui arrive à une même demande pendant ce délai part en un seul e-mail par personne (0 : chaque événement aussitôt)."
          type="number"
          {...v("notificationDigestMinutes", "value", rules.notificationDigestMinutes)}
        />
      </RuleCard>
      <RuleCard title="Horizon des demandes récurrentes" intent="recurrenceHorizonWeeks" message={st("recurrenceHorizonWeeks").message}>
        <Field
          label="Semaines à l'avance"
          hint="Chaque nuit, les séries sont déclinées en interventions datées jusqu'à cet horizon (de 2 à 26 semaines)."
          type="number"
          {...v("recurrenceHorizonWeeks", "value", rules.recurrenceHorizonWeeks)}
        />
      </RuleCard>
      <RuleCard title="Contestation des heures" intent="disputeWindowDays" message={st("disputeWindowDays").message}>
        <Field label="Jours après la fin du mois" type="number" {...v("disputeWindowDays", "value", rules.disputeWindowDays)} />
      </RuleCard>
      <RuleCard title="Conservation des données des personnes" intent="retentionMonths" message={st("retentionMonths").message}>
        <Field label="Mois après la fin du contrat" hint="Ensuite, la personne est anonymisée ; ses heures restent comptées." type="number" {...v("retentionMonths", "value", rules.retentionMonths)} />
      </RuleCard>
      <RuleCard title="Conservation des factures électroniques" intent="einvoiceRetentionYears" message={st("einvoiceRetentionYears").message}>
        <Field
          label="Années de conservation"
          hint="Factures et avoirs Factur-X, avec leur empreinte SHA-256 : 10 ans au moins (art. L123-22 du Code de commerce)."
          type="number"
          {...v("einvoiceRetentionYears", "value", rules.einvoiceRetentionYears)}
        />
      </RuleCard>
      <RuleCard title="Coordonnées du service" intent="serviceContact" message={st("serviceContact").message}>
        <p className="muted">Donnés aux partenaires quand une intervention ne se modifie plus en ligne. Laissez vide ce que le service ne donne pas : rien d'autre n'est affiché.</p>
        <Field label="Téléphone de la coordination" type="tel" autoComplete="off" hint="Par exemple 01 42 78 55 23." {...v("serviceContact", "phone", rules.serviceContact.phone ?? "")} />
        <Field label="E-mail de la coordination" type="email" autoComplete="off" {...v("serviceContact", "email", rules.serviceContact.email ?? "")} />
      </RuleCard>
      <RuleCard title="Compte bancaire de l'association" intent="sellerBankAccount" message={st("sellerBankAccount").message}>
        <p className="muted">Porté sur chaque facture et avoir électronique (virement SEPA). Tant qu'il manque, aucune facture n'est émise.</p>
        <Field
          label="IBAN"
          hint="Par exemple FR76 3000 6000 0112 3456 7890 189 ; la clé de contrôle est vérifiée."
          autoComplete="off"
          {...v("sellerBankAccount", "iban", rules.sellerBankAccount?.iban.replace(/(.{4})(?=.)/g, "$1 ") ?? "")}
        />
        <Field label="BIC" hint="8 ou 11 caractères, par exemple AGRIFRPP." autoComplete="off" {...v("sellerBankAccount", "bic", rules.sellerBankAccount?.bic ?? "")} />
        <Field label="Titulaire du compte" autoComplete="off" {...v("sellerBankAccount", "accountName", rules.sellerBankAccount?.accountName ?? "")} />
      </RuleCard>
      <RuleCard title="Exigibilité de la TVA" intent="vatOnReceipts" message={st("vatOnReceipts").message}>
        <Checkbox
          label="TVA sur les encaissements"
          name="value"
          defaultChecked={rules.vatOnReceipts}
          hint="La règle des prestations de services ; décochez si l'association a opté pour les débits. Mention portée sur chaque facture électronique."
        />
      </RuleCard>
    </div>
  );
}

/** The largest team each encadrant leads, a form per encadrant. */
export function SupervisorLimits({ supervisors, forms }: { supervisors: { id: string; firstName: string; lastName: string; maxTeamSize: number }[]; forms: Forms }) {
  const { st } = forms;
  return (
    <Card title="Limite d'équipe de chaque encadrant">
      {st("supervisors").message}
      {supervisors.length === 0 ? <p className="muted">Aucun encadrant actif.</p> : null}
      <ul className="list">
        {supervisors.map((s) => {
          const key = `supervisor-${s.id}`;
          const state = st(key);
          return (
            <li key={s.id} className="list-item">
              {state.message}
              <AppForm className="row align-end" noValidate>
                <input type="hidden" name="intent" value="supervisorLimit" />
                <input type="hidden" name="supervisorId" value={s.id} />
                <Field
                  label={`${s.firstName} ${s.lastName}`}
                  name="maxTeamSize"
                  id={`${key}-max`}
                  type="number"
                  error={state.errors.maxTeamSize}
                  defaultValue={state.values.maxTeamSize ?? String(s.maxTeamSize)}
                />
                <SubmitButton variant="secondary">Enregistrer</SubmitButton>
              </AppForm>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

/** The skills prestations ask for and encadrants have; a code already known renames its skill. */
export function SkillsCard({ skills, forms, resetKey }: { skills: { label: string }[]; forms: Forms; resetKey: string }) {
  const { st, v } = forms;
  return (
    <Card title="Compétences">
      <p>{skills.map((s) => s.label).join(" · ") || "Aucune compétence."}</p>
      {st("skill").message}
      <AppForm className="form" noValidate key={resetKey}>
        <input type="hidden" name="intent" value="skill" />
        <Field label="Code" hint="Un code existant renomme la compétence." {...v("skill", "code", "")} autoComplete="off" />
        <Field label="Libellé" {...v("skill", "label", "")} autoComplete="off" />
        <SubmitButton>Ajouter la compétence</SubmitButton>
      </AppForm>
    </Card>
  );
}

function RuleCard({ title, intent, message, children }: { title: string; intent: string; message: ReactNode; children: ReactNode }) {
  return (
    <Card title={title}>
      {message}
      <AppForm className="form" noValidate>
        <input type="hidden" name="intent" value={intent} />
        {children}
        <SubmitButton>Enregistrer</SubmitButton>
      </AppForm>
    </Card>
  );
}

const pick = ({ id, name }: { id: string; name: string }) => ({ id, name });
const toFrench = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
