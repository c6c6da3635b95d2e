import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { ruleForms, ServiceRuleCards, SkillsCard, SupervisorLimits, type RuleFormResult } from "~/components/service-rules.tsx";
import { listSkills } from "~/data/prestations.server.ts";
import { listSupervisorLimits, saveSkill, setSupervisorLimit } from "~/data/service-admin.server.ts";
import { readServiceRules, setServiceRule } from "~/data/settings.server.ts";
import { RULE_FORMS, skillFormSchema, supervisorLimitSchema } from "~/domain/backoffice/rules-forms.ts";
import { frenchPublicHolidays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { RULE_TITLES, type ServiceRuleKey, type ServiceRules } from "~/domain/settings/rules.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Règles du service · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.rules");
  const [{ rules, invalid }, skills, supervisors] = await Promise.all([readServiceRules(), listSkills(), listSupervisorLimits(actorOf(user))]);
  const year = Number(parisParts(new Date()).date.slice(0, 4));
  const holidays = [...frenchPublicHolidays(year), ...frenchPublicHolidays(year + 1)].map(([date, label]) => ({ date, label }));
  return json({ rules, invalid: invalid.map((key) => RULE_TITLES[key]), skills, supervisors, holidays });
}

type Result = RuleFormResult;

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.rules");
  const actor = actorOf(user);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const formKey = intent === "supervisorLimit" ? `supervisor-${String(form.get("supervisorId"))}` : intent;
  const fail = (errors: FieldErrors, values: Record<string, string>, key = formKey) => json<Result>({ form: key, errors, values, done: null }, { status: 400 });
  const ok = (message: string) => json<Result>({ form: formKey, errors: {}, values: {}, done: message });
  if (intent === "skill") {
    const parsed = parseForm(form, skillFormSchema);
    if (!parsed.ok) return fail(parsed.errors, parsed.values);
    const result = await saveSkill(actor, parsed.data);
    if (!result.ok) return fail({ [result.field]: result.message }, { code: parsed.data.code, label: parsed.data.label });
    return ok(`Compétence « ${parsed.data.label} » enregistrée.`);
  }
  if (intent === "supervisorLimit") {
    const parsed = parseForm(form, supervisorLimitSchema);
    // An encadrant not on the page has no form of its own: the message goes above the list.
    if (!parsed.ok) return parsed.errors.supervisorId ? fail({ form: parsed.errors.supervisorId }, {}, "supervisors") : fail(parsed.errors, parsed.values);
    if (!(await setSupervisorLimit(actor, parsed.data.supervisorId, parsed.data.maxTeamSize))) return fail({ form: "Cet encadrant n'existe pas." }, {}, "supervisors");
    return ok("Limite enregistrée.");
  }
  const schema = Object.hasOwn(RULE_FORMS, intent) ? RULE_FORMS[intent] : undefined; // not "constructor" and the like
  if (!schema) return fail({ form: "Action inconnue." }, {}, "form");
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return fail(parsed.errors, parsed.values);
  const { key, value } = parsed.data as { key: ServiceRuleKey; value: ServiceRules[ServiceRuleKey] };
  await setServiceRule(actor, key, value);
  return ok("Règle enregistrée. Le portail, le planning et la facturation l'appliquent dès maintenant.");
}

export default function Rules() {
  const { rules, invalid, skills, supervisors, holidays } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const forms = ruleForms(data);
  return (
    <div className="stack">
      <PageHeader title="Règles du service" description="Lues par le portail, le planning et la facturation : une règle changée ici s'applique partout." />
      {forms.st("form").message}
      {invalid.length > 0 ? (
        <Alert kind="error">
          {invalid.length > 1
            ? `Ces règles enregistrées ne sont pas valides : ${invalid.map((t) => `« ${t} »`).join(", ")}. Leurs valeurs par défaut s'appliquent à leur place : vérifiez-les ci-dessous et enregistrez-les.`
            : `Cette règle enregistrée n'est pas valide : « ${invalid[0]} ». Sa valeur par défaut s'applique à sa place : vérifiez-la ci-dessous et enregistrez-la.`}
        </Alert>
      ) : null}
      <ServiceRuleCards rules={rules} holidays={holidays} forms={forms} />
      <SupervisorLimits supervisors={supervisors} forms={forms} />
      {/* A skill saved empties its form. */}
      <SkillsCard skills={skills} forms={forms} resetKey={data?.form === "skill" && data.done ? data.done : "skill"} />
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
