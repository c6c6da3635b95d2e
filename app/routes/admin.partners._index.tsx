import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { PartnerForm } from "~/components/backoffice.tsx";
import { createPartner, listPartners } from "~/data/organisations.server.ts";
import { can } from "~/domain/access/roles.ts";
import { partnerSchema } from "~/domain/backoffice/forms.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Partenaires · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.sites");
  const archived = new URL(request.url).searchParams.get("archives") === "1";
  return json({ partners: await listPartners(actorOf(user), { archived }), archived, canEdit: can(user.role, "backoffice.partners") });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.partners");
  const parsed = parseForm(await readForm(request), partnerSchema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const result = await createPartner(actorOf(user), parsed.data);
  if (!result.ok) {
    const values = Object.fromEntries(Object.entries(parsed.data).map(([k, v]) => [k, v === true ? "on" : v === false ? "" : String(v ?? "")]));
    return json({ errors: { [result.field]: result.message } as FieldErrors, values }, { status: 400 });
  }
  return redirect(`/admin/partners/${result.id}?created=1`);
}

const KIND_LABELS = { PARTNER: "Partenaire", INTERNAL: "Site Aurore" } as const;

export default function Partners() {
  const { partners, archived, canEdit } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="stack">
      <PageHeader
        title="Partenaires"
        description="Les organisations qui commandent des prestations, et les sites d'Aurore."
        actions={
          <Link className="button secondary small" to={archived ? "/admin/partners" : "/admin/partners?archives=1"}>
            {archived ? "Voir les partenaires actifs" : "Voir les archives"}
          </Link>
        }
      />
      <Card title={archived ? "Partenaires archivés" : "Partenaires actifs"}>
        {partners.length === 0 ? (
          <EmptyState>Aucun partenaire.</EmptyState>
        ) : (
          <Table
            rows={partners}
            rowKey={(p) => p.id}
            columns={[
              { title: "Nom", cell: (p) => <Link to={`/admin/partners/${p.id}`}>{p.name}</Link> },
              { title: "Type", cell: (p) => KIND_LABELS[p.kind as keyof typeof KIND_LABELS] ?? p.kind },
              { title: "SIRET", cell: (p) => p.siret ?? "—" },
              { title: "Sites", cell: (p) => p.siteCount },
              { title: "Comptes", cell: (p) => p.userCount },
              { title: "Validation", cell: (p) => (p.requiresValidation ? <Badge tone="amber">Par la coordination</Badge> : <Badge>Directe</Badge>) },
            ]}
          />
        )}
      </Card>
      {canEdit && !archived ? (
        <Card title="Nouveau partenaire">
          <PartnerForm errors={data?.errors ?? {}} values={data?.values ?? {}} submitLabel="Créer le partenaire" key={params.toString()} />
        </Card>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
