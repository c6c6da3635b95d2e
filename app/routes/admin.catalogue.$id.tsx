import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { PrestationFields } from "~/components/backoffice.tsx";
import { listPartners } from "~/data/organisations.server.ts";
import { addPriceVersion, getPrestationAdmin, listSkills, updatePrestation } from "~/data/prestations.server.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { PRICE_RISE_NOTICE_DAYS } from "~/domain/catalogue/price.ts";
import { prestationUpdateSchema, priceVersionSchema } from "~/domain/backoffice/forms.ts";
import { basisPointsToPercentInput } from "~/domain/backoffice/money.ts";
import { formatDate, formatDateTime, formatEuros } from "~/utils/format.ts";
import { parseForm, type FieldErrors, submittedValues } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.prestation.name ?? "Prestation"} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.catalogue");
  const actor = actorOf(user);
  const prestation = await getPrestationAdmin(actor, params.id!);
  if (!prestation) return notFound(request, user, { type: "Prestation", id: params.id! });
  const [skills, partners] = await Promise.all([listSkills(), listPartners(actor)]);
  const today = parisParts(new Date()).date;
  const noticeDay = new Date(Date.parse(`${today}T12:00:00Z`) + PRICE_RISE_NOTICE_DAYS * 86_400_000).toISOString().slice(0, 10);
  return json({ prestation, skills, partners: partners.map((p) => ({ id: p.id, name: p.name })), today, noticeDay });
}

type Result = { form: "update" | "price"; errors: FieldErrors; values: Record<string, string>; done: string | null };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.catalogue");
  const actor = actorOf(user);
  const form = await readForm(request);
  const submitted = submittedValues(form);
  const intent = form.get("intent") === "price" ? "price" : form.get("intent") === "update" ? "update" : null;
  if (!intent) return json<Result>({ form: "update", errors: { form: "Action inconnue." }, values: {}, done: null }, { status: 400 });
  const fail = (errors: FieldErrors, status = 400) => json<Result>({ form: intent, errors, values: submitted, done: null }, { status });
  if (intent === "update") {
    const parsed = parseForm(form, prestationUpdateSchema);
    if (!parsed.ok) return fail(parsed.errors);
    const result = await updatePrestation(actor, params.id!, parsed.data);
    if (!result) return notFound(request, user, { type: "Prestation", id: params.id! });
    if (!result.ok) return fail({ [result.field]: result.message });
    return json<Result>({ form: intent, errors: {}, values: {}, done: "Prestation enregistrée." });
  }
  const parsed = parseForm(form, priceVersionSchema(parisParts(new Date()).date));
  if (!parsed.ok) return fail(parsed.errors);
  const result = await addPriceVersion(actor, params.id!, parsed.data);
  if (!result) return notFound(request, user, { type: "Prestation", id: params.id! });
  if (!result.ok) return fail({ [result.field]: result.message });
  return json<Result>({
    form: intent,
    errors: {},
    values: {},
    done: `Nouveau prix de ${formatEuros(parsed.data.price)} à partir du ${formatDate(`${parsed.data.validFrom}T12:00:00Z`)}. Les partenaires concernés sont prévenus par e-mail ; les devis déjà faits et les factures émises ne changent pas.`,
  });
}

export default function PrestationAdmin() {
  const { prestation, skills, partners, noticeDay } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const st = (form: Result["form"]) => ({ errors: data?.form === form ? data.errors : {}, values: data?.form === form && !data.done ? data.values : {} });
  const update = st("update");
  const price = st("price");
  const current: Record<string, string> = {
    category: prestation.category,
    name: prestation.name,
    description: prestation.description,
    skillId: prestation.skillId,
    pricingUnit: prestation.pricingUnit,
    vatMode: prestation.vatExemptionMention ? "exempt" : "rate",
    vatRate: basisPointsToPercentInput(prestation.vatRateBasisPoints),
    vatExemptionMention: prestation.vatExemptionMention ?? "",
    minNoticeDays: String(prestation.minNoticeDays),
    defaultDurationMinutes: String(prestation.defaultDurationMinutes),
    defaultTeamSize: String(prestation.defaultTeamSize),
    active: prestation.active ? "on" : "",
  };
  return (
    <div className="stack">
      <PageHeader
        title={prestation.name}
        description={
          <>
            {prestation.category} · {formatEuros(prestation.priceCents)} HT {prestation.pricingUnit === "FLAT" ? "l'intervention" : "l'heure par personne"}{" "}
            {prestation.active ? null : <Badge>Retirée du catalogue</Badge>}
          </>
        }
        actions={
          <Link className="button secondary" to="/admin/catalogue">
            ← Catalogue et prix
          </Link>
        }
      />
      {params.get("created") && !data ? <Alert kind="success">Prestation créée.</Alert> : null}
      <Card title="Prix">
        {data?.form === "price" && data.done ? <Alert kind="success">{data.done}</Alert> : null}
        {prestation.prices.length === 0 ? (
          <EmptyState>Aucune version de prix : le prix de la fiche s'applique.</EmptyState>
        ) : (
          <Table
            rows={prestation.prices}
            rowKey={(v) => v.id}
            columns={[
              { title: "À partir du", cell: (v) => formatDateTime(v.validFrom) },
              { title: "Prix HT", cell: (v) => formatEuros(v.priceCents) },
              { title: "Pour", cell: (v) => (v.organisation ? <Badge tone="blue">Négocié : {v.organisation.name}</Badge> : "Tous les partenaires") },
              { title: "Saisi le", cell: (v) => formatDate(v.createdAt) },
            ]}
          />
        )}
        <h3>Nouveau prix</h3>
        <p className="muted">Un prix s'applique à partir d'une date, jamais avant : les devis déjà acceptés et les factures gardent leur prix.</p>
        <AppForm className="form" noValidate key={data?.form === "price" && data.done ? data.done : "price"}>
          <input type="hidden" name="intent" value="price" />
          <Field label="Nouveau prix HT (€)" name="price" hint="Par exemple 24,50." defaultValue={price.values.price} error={price.errors.price} autoComplete="off" />
          <Field
            label="À partir du"
            name="validFrom"
            type="date"
            hint={`Une hausse s'annonce au moins ${PRICE_RISE_NOTICE_DAYS} jours à l'avance ; une baisse peut s'appliquer dès aujourd'hui. Les partenaires qui commandent cette prestation (ou celui du prix négocié) sont prévenus par e-mail dès l'enregistrement.`}
            defaultValue={price.values.validFrom ?? noticeDay}
            error={price.errors.validFrom}
          />
          <Field label="Pour" name="organisationId" error={price.errors.organisationId}>
            <select defaultValue={price.values.organisationId ?? ""}>
              <option value="">Tous les partenaires (prix public)</option>
              {partners.map((p) => (
                <option key={p.id} value={p.id}>
                  Prix négocié : {p.name}
                </option>
              ))}
            </select>
          </Field>
          <SubmitButton>Enregistrer le nouveau prix</SubmitButton>
        </AppForm>
      </Card>
      <Card title="Fiche">
        {data?.form === "update" && data.done ? <Alert kind="success">{data.done}</Alert> : null}
        {update.errors.form ? <Alert kind="error">{update.errors.form}</Alert> : null}
        <AppForm className="form" noValidate key={data?.done ?? "update"}>
          <input type="hidden" name="intent" value="update" />
          <PrestationFields skills={skills} errors={update.errors} values={Object.keys(update.values).length ? update.values : current} withPrice={false} />
          <SubmitButton>Enregistrer la fiche</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
