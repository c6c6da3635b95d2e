import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, forbidden, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { PartnerForm } from "~/components/backoffice.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { ArchiveCard, asValues, InviteCard, NewSiteCard, PartnerSheet, SitesCard, UsersCard } from "~/components/partner-page.tsx";
import { Alert, Badge, Card, PageHeader } from "~/components/ui.tsx";
import { getPartner } from "~/data/organisations.server.ts";
import { actOnPartner, type PartnerAction } from "~/data/partner-page.server.ts";
import { UNKNOWN_INVITATION } from "~/data/users.server.ts";
import { can, PARTNER_ROLES, type Role } from "~/domain/access/roles.ts";
import { partnerSchema, siteSchema } from "~/domain/backoffice/forms.ts";
import { formatDate } from "~/utils/format.ts";
import { emailField, nameField, parseForm, type FieldErrors, submittedValues } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.partner.name ?? "Partenaire"} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.sites");
  const partner = await getPartner(actorOf(user), params.id!);
  if (!partner) return notFound(request, user, { type: "Organisation", id: params.id! });
  return json({ partner, me: user.userId, canEdit: can(user.role, "backoffice.partners") });
}

const unknownItem = "Élément inconnu : rechargez la page et recommencez.";
const id = z.string({ error: unknownItem }).min(1, unknownItem).max(40, unknownItem);
const invitationId = z.string({ error: UNKNOWN_INVITATION }).min(1, UNKNOWN_INVITATION).max(40, UNKNOWN_INVITATION);
const partnerRole = z.enum(PARTNER_ROLES as [Role, ...Role[]], { error: "Choisissez un rôle." });
const SCHEMAS = {
  update: z.object({ intent: z.literal("update") }).and(partnerSchema),
  archive: z.object({ intent: z.literal("archive") }),
  restore: z.object({ intent: z.literal("restore") }),
  "site-create": z.object({ intent: z.literal("site-create") }).and(siteSchema),
  "site-update": z.object({ intent: z.literal("site-update"), siteId: id }).and(siteSchema),
  "site-archive": z.object({ intent: z.literal("site-archive"), siteId: id }),
  "site-restore": z.object({ intent: z.literal("site-restore"), siteId: id }),
  invite: z.object({ intent: z.literal("invite"), name: nameField, email: emailField, role: partnerRole }),
  role: z.object({ intent: z.literal("role"), userId: id, role: partnerRole }),
  deactivate: z.object({ intent: z.literal("deactivate"), userId: id }),
  "cancel-invitation": z.object({ intent: z.literal("cancel-invitation"), invitationId }),
  "resend-invitation": z.object({ intent: z.literal("resend-invitation"), invitationId }),
} satisfies Record<PartnerAction["intent"], z.ZodType<PartnerAction>>;
type Intent = keyof typeof SCHEMAS;
// Coordination manages sites; everything else about a partner is the administration's.
const SITE_INTENTS: Intent[] = ["site-create", "site-update", "site-archive", "site-restore"];
// Where each form's answer is shown: next to the form, or above the list it changed
// (the invitations' answers above their list: an id from a stale page has no row of its own).
const ANSWERED_IN: Record<Intent, string> = {
  update: "update",
  archive: "partner",
  restore: "partner",
  "site-create": "site-create",
  "site-update": "sites",
  "site-archive": "sites",
  "site-restore": "sites",
  invite: "users",
  role: "users",
  deactivate: "users",
  "cancel-invitation": "invitations",
  "resend-invitation": "invitations",
};
// Forms whose typed values come back with a refusal.
const KEEPS_VALUES: Intent[] = ["update", "invite"];

type Result = { form: string; errors: FieldErrors; values: Record<string, string>; done: string | null };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.sites");
  const actor = actorOf(user);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "") as Intent;
  const schema = Object.hasOwn(SCHEMAS, intent) ? SCHEMAS[intent] : undefined; // not "constructor" and the like
  if (!schema) return json<Result>({ form: "form", errors: { form: "Action inconnue." }, values: {}, done: null }, { status: 400 });
  if (!SITE_INTENTS.includes(intent) && !can(user.role, "backoffice.partners")) throw forbidden();
  const partner = await getPartner(actor, params.id!);
  if (!partner) return notFound(request, user, { type: "Organisation", id: params.id! });
  // A site's form shows its own errors; a site that is not this partner's has no form on the page: its message goes above the list.
  const siteId = String(form.get("siteId"));
  const siteForm = partner.sites.some((s) => s.id === siteId) ? `site-${siteId}` : "sites";
  // A refused invitation or site change is told next to its own form.
  const formOf = (refused: boolean) => (refused && intent === "invite" ? "invite" : refused && intent === "site-update" ? siteForm : ANSWERED_IN[intent]);
  const parsed = parseForm(form, schema as z.ZodType<PartnerAction>);
  if (!parsed.ok) return json<Result>({ form: formOf(true), errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const result = await actOnPartner(actor, partner, parsed.data);
  if (!result.ok) {
    const values = KEEPS_VALUES.includes(intent) ? submittedValues(form) : {};
    return json<Result>({ form: formOf(true), errors: { [result.field]: result.message }, values, done: null }, { status: result.status });
  }
  return json<Result>({ form: formOf(false), errors: {}, values: {}, done: result.message });
}

const KIND_LABELS: Record<string, string> = { PARTNER: "Partenaire", INTERNAL: "Site d'Aurore" };

export default function Partner() {
  const { partner, me, canEdit } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const stateOf = (form: string) => ({
    errors: data?.form === form ? data.errors : {},
    values: data?.form === form && !data.done ? data.values : {},
  });
  const message = (form: string) =>
    data?.form === form ? (
      data.done ? (
        <Alert kind="success">{data.done}</Alert>
      ) : data.errors.form || data.errors.invitationId ? (
        <Alert kind="error">{data.errors.form ?? data.errors.invitationId}</Alert>
      ) : null
    ) : null;
  const update = stateOf("update");
  return (
    <div className="stack">
      <PageHeader
        title={partner.name}
        description={
          <>
            {KIND_LABELS[partner.kind]} · {partner.requestCount} demande{partner.requestCount > 1 ? "s" : ""} · {partner.invoiceCount} facture
            {partner.invoiceCount > 1 ? "s" : ""} {partner.archivedAt ? <Badge tone="red">Archivé le {formatDate(partner.archivedAt)}</Badge> : null}
          </>
        }
        actions={
          <Link className="button secondary" to="/admin/partners">
            ← Partenaires
          </Link>
        }
      />
      {params.get("created") && !data ? <Alert kind="success">Partenaire créé. Ajoutez ses sites et invitez ses utilisateurs.</Alert> : null}
      {message("form")}
      {message("partner")}
      {canEdit ? (
        <Card title="Fiche">
          {message("update")}
          <PartnerForm
            intent="update"
            submitLabel="Enregistrer la fiche"
            errors={update.errors}
            values={Object.keys(update.values).length ? update.values : asValues(partner)}
            key={data?.done ?? "update"}
          />
        </Card>
      ) : (
        <PartnerSheet partner={partner} />
      )}
      <SitesCard partner={partner} message={message("sites")} stateOf={stateOf} />
      {partner.archivedAt ? null : <NewSiteCard message={message("site-create")} state={stateOf("site-create")} formKey={data?.form === "site-create" && data.done ? data.done : "site-create"} />}
      {canEdit ? (
        <>
          <UsersCard
            partner={partner}
            me={me}
            messages={
              <>
                {message("users")}
                {message("invitations")}
              </>
            }
          />
          {partner.archivedAt ? null : <InviteCard message={message("invite")} state={stateOf("invite")} formKey={data?.form === "users" && data.done ? data.done : "invite"} />}
          <ArchiveCard archived={Boolean(partner.archivedAt)} />
        </>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
