import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, AppForm, Badge, Card, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { PrestationFields } from "~/components/backoffice.tsx";
import { createPrestation, listPrestationsAdmin, listSkills } from "~/data/prestations.server.ts";
import { prestationCreateSchema } from "~/domain/backoffice/forms.ts";
import { formatEuros, formatVatRate } from "~/utils/format.ts";
import { parseForm, type FieldErrors, submittedValues } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Catalogue et prix · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.catalogue");
  const [prestations, skills] = await Promise.all([listPrestationsAdmin(actorOf(user)), listSkills()]);
  return json({ prestations, skills });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.catalogue");
  const form = await readForm(request);
  const parsed = parseForm(form, prestationCreateSchema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const result = await createPrestation(actorOf(user), parsed.data);
  if (!result.ok) {
    const values = submittedValues(form);
    return json({ errors: { [result.field]: result.message } as FieldErrors, values }, { status: 400 });
  }
  return redirect(`/admin/catalogue/${result.id}?created=1`);
}

export default function CatalogueAdmin() {
  const { prestations, skills } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: FieldErrors = data?.errors ?? {};
  return (
    <div className="stack">
      <PageHeader title="Catalogue et prix" description="Les prestations que les partenaires peuvent commander, et leurs prix." />
      <Card title="Prestations">
        <Table
          rows={prestations}
          rowKey={(p) => p.id}
          columns={[
            { title: "Prestation", cell: (p) => <Link to={`/admin/catalogue/${p.id}`}>{p.name}</Link> },
            { title: "Catégorie", cell: (p) => p.category },
            {
              title: "Prix HT",
              cell: (p) => (
                <>
                  {formatEuros(p.priceCents)} {p.pricingUnit === "FLAT" ? "l'intervention" : "l'heure par personne"}
                </>
              ),
            },
            { title: "TVA", cell: (p) => (p.vatExemptionMention ? "Exonérée" : formatVatRate(p.vatRateBasisPoints)) },
            { title: "État", cell: (p) => (p.active ? <Badge tone="green">Proposée</Badge> : <Badge>Retirée</Badge>) },
          ]}
        />
      </Card>
      <Card title="Nouvelle prestation">
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <AppForm className="form" noValidate>
          <PrestationFields skills={skills} errors={errors} values={data?.values ?? {}} withPrice />
          <SubmitButton>Créer la prestation</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
