import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { createSupervisorRecord, creationChoices } from "~/data/people.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { newSupervisorSchema } from "~/domain/planning/people-forms.ts";
import { parseForm, type FieldErrors, submittedValues } from "~/utils/validation.ts";

// A new encadrant technique (coordination, administration). Their account (to
// see "Ma journée") is an invitation with the Encadrant role, tied here.
export const meta: MetaFunction = () => [{ title: "Nouvel encadrant · Équipes · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "people.manage");
  const [{ skills, accounts }, rules] = await Promise.all([creationChoices(), getServiceRules()]);
  return json({ skills, accounts, defaultMaxTeamSize: rules.defaultMaxTeamSize });
}

const skillIdsOf = (form: FormData) => form.getAll("skill").filter((s): s is string => typeof s === "string" && /^[\w-]{1,40}$/.test(s));

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "people.manage");
  const form = await readForm(request);
  const parsed = parseForm(form, newSupervisorSchema);
  const skillIds = skillIdsOf(form);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, skillIds }, { status: 400 });
  const d = parsed.data;
  const result = await createSupervisorRecord(actorOf(user), {
    firstName: d.firstName,
    lastName: d.lastName,
    maxTeamSize: d.maxTeamSize,
    weeklyMaxMinutes: Math.round(d.weeklyMaxHours * 60),
    skillIds,
    userId: d.userId,
  });
  if (!result.ok) {
    const values = submittedValues(form);
    return json({ errors: result.errors, values, skillIds }, { status: 400 });
  }
  return redirect(`/people?encadrant=cree`);
}

export default function NewSupervisor() {
  const { skills, accounts, defaultMaxTeamSize } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: FieldErrors = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const checked = new Set(data?.skillIds ?? []);
  return (
    <div className="stack">
      <PageHeader
        title="Nouvel encadrant technique"
        actions={
          <Link className="button secondary" to="/people">
            ← Équipes
          </Link>
        }
      />
      {Object.keys(errors).length > 0 ? <Alert kind="error">L'encadrant n'est pas encore créé : corrigez les champs signalés.</Alert> : null}
      <Card title="L'encadrant">
        <AppForm className="form wide-form" noValidate>
          <div className="field-row">
            <Field label="Prénom" name="firstName" autoComplete="off" defaultValue={values.firstName} error={errors.firstName} />
            <Field label="Nom" name="lastName" autoComplete="off" defaultValue={values.lastName} error={errors.lastName} />
          </div>
          <div className="field-row">
            <Field label="Équipe maximale (personnes)" name="maxTeamSize" defaultValue={values.maxTeamSize ?? String(defaultMaxTeamSize)} error={errors.maxTeamSize} />
            <Field label="Heures par semaine au plus" name="weeklyMaxHours" defaultValue={values.weeklyMaxHours ?? "35"} error={errors.weeklyMaxHours} />
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
          <Field
            label="Compte de connexion"
            name="userId"
            hint="Un compte invité avec le rôle Encadrant technique, pour « Ma journée ». Sans compte, l'encadrant est planifié mais ne voit pas sa journée."
            error={errors.userId}
          >
            <select defaultValue={values.userId ?? ""}>
              <option value="">Pas de compte pour l'instant</option>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.email})
                </option>
              ))}
            </select>
          </Field>
          <p className="muted small">Disponible du lundi au vendredi, de 8 h à 17 h, jusqu'à nouvel ordre.</p>
          <SubmitButton>Créer l'encadrant</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
