import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { createParticipantRecord, creationChoices } from "~/data/people.server.ts";
import { lastContractDay } from "~/domain/dph.ts";
import { newParticipantSchema } from "~/domain/planning/people-forms.ts";
import { toParisDate } from "~/utils/paris-time.ts";
import { parseForm, type FieldErrors, submittedValues } from "~/utils/validation.ts";

// A new person in insertion (coordination, administration): first name and
// initial, contract, weekly hours, skills, referent encadrant. Nothing else.
export const meta: MetaFunction = () => [{ title: "Nouveau salarié · Équipes · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "people.manage");
  const today = toParisDate(new Date());
  const { skills, supervisors } = await creationChoices();
  return json({ skills, supervisors, today, defaultEnd: lastContractDay(today) });
}

const skillIdsOf = (form: FormData) => form.getAll("skill").filter((s): s is string => typeof s === "string" && /^[\w-]{1,40}$/.test(s));

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "people.manage");
  const form = await readForm(request);
  const parsed = parseForm(form, newParticipantSchema(toParisDate(new Date())));
  const skillIds = skillIdsOf(form);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, skillIds }, { status: 400 });
  const d = parsed.data;
  const result = await createParticipantRecord(actorOf(user), {
    firstName: d.firstName,
    lastInitial: d.lastInitial,
    contractStart: d.contractStart,
    contractEnd: d.contractEnd,
    weeklyTargetMinutes: Math.round(d.weeklyTargetHours * 60),
    weeklyMaxMinutes: Math.round(d.weeklyMaxHours * 60),
    skillIds,
    referentSupervisorId: d.referentSupervisorId,
  });
  if (!result.ok) {
    const values = submittedValues(form);
    return json({ errors: result.errors, values, skillIds }, { status: 400 });
  }
  return redirect(`/people/${result.id}?cree=1`);
}

export default function NewParticipant() {
  const { skills, supervisors, today, defaultEnd } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: FieldErrors = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const checked = new Set(data?.skillIds ?? []);
  return (
    <div className="stack">
      <PageHeader
        title="Nouveau salarié en insertion"
        description="Le strict nécessaire : prénom, initiale du nom, contrat, heures et compétences. Aucune autre information sur la personne."
        actions={
          <Link className="button secondary" to="/people">
            ← Équipes
          </Link>
        }
      />
      {Object.keys(errors).length > 0 ? <Alert kind="error">Le salarié n'est pas encore créé : corrigez les champs signalés.</Alert> : null}
      <Card title="La personne">
        <AppForm className="form wide-form" noValidate>
          <div className="field-row">
            <Field label="Prénom" name="firstName" autoComplete="off" defaultValue={values.firstName} error={errors.firstName} />
            <Field label="Initiale du nom" name="lastInitial" autoComplete="off" hint="Une lettre." defaultValue={values.lastInitial} error={errors.lastInitial} />
          </div>
          <div className="field-row">
            <Field label="Début du contrat" name="contractStart" type="date" defaultValue={values.contractStart ?? today} error={errors.contractStart} />
            <Field label="Fin du contrat" name="contractEnd" type="date" hint="12 mois au plus (DPH)." defaultValue={values.contractEnd ?? defaultEnd} error={errors.contractEnd} />
          </div>
          <div className="field-row">
            <Field
              label="Objectif d'heures par semaine"
              name="weeklyTargetHours"
              hint="De 3 h à 16 h : on commence bas et on monte au fil du parcours."
              defaultValue={values.weeklyTargetHours ?? "3"}
              error={errors.weeklyTargetHours}
            />
            <Field label="Plafond d'heures par semaine" name="weeklyMaxHours" hint="16 h au plus (DPH)." defaultValue={values.weeklyMaxHours ?? "16"} error={errors.weeklyMaxHours} />
          </div>
          <fieldset className="fieldset">
            <legend>Compétences</legend>
            <div className="check-grid">
              {skills.map((s) => (
                <label key={s.id} className="check">
                  <input type="checkbox" name="skill" value={s.id} defaultChecked={checked.has(s.id)} /> {s.label}
                </label>
              ))}
            </div>
          </fieldset>
          <Field label="Encadrant référent" name="referentSupervisorId" hint="Celui ou celle qui suit son parcours (facultatif)." error={errors.referentSupervisorId}>
            <select defaultValue={values.referentSupervisorId ?? ""}>
              <option value="">Aucun pour l'instant</option>
              {supervisors.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.firstName} {s.lastName}
                </option>
              ))}
            </select>
          </Field>
          <p className="muted small">Ses disponibilités se saisissent ensuite sur sa fiche.</p>
          <SubmitButton>Créer le salarié</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
