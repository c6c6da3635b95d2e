import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, forbidden, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Badge, Card, EmptyState, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvitationActions, InvitationState } from "~/components/invitations.tsx";
import { PartnerForm, SiteFields } from "~/components/backoffice.tsx";
import { createSite, getPartner, setPartnerArchived, setSiteArchived, updatePartner, updateSite } from "~/data/organisations.server.ts";
import { cancelInvitation, changeRole, deactivateUser, inviteUser, resendInvitation, UNKNOWN_INVITATION } from "~/data/users.server.ts";
import { can, PARTNER_ROLES, ROLE_LABELS, type Role } from "~/domain/access/roles.ts";
import { partnerSchema, siteSchema } from "~/domain/backoffice/forms.ts";
import { formatDate, ofName } from "~/utils/format.ts";
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
} as const;
type Intent = keyof typeof SCHEMAS;
// Coordination manages sites; everything else about a partner is the administration's.
const SITE_INTENTS: Intent[] = ["site-create", "site-update", "site-archive", "site-restore"];
// Both answer next to the invitations' list (an id from a stale page has no row of its own).
const INVITATION_INTENTS: Intent[] = ["cancel-invitation", "resend-invitation"];

type Result = { form: string; errors: FieldErrors; values: Record<string, string>; done: string | null };
const fail = (form: string, errors: FieldErrors, values: Record<string, string> = {}, status = 400) =>
  json<Result>({ form, errors, values, done: null }, { status });
const done = (form: string, message: string) => json<Result>({ form, errors: {}, values: {}, done: message });

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.sites");
  const actor = actorOf(user);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "") as Intent;
  const schema = Object.hasOwn(SCHEMAS, intent) ? SCHEMAS[intent] : undefined; // not "constructor" and the like
  if (!schema) return fail("form", { form: "Action inconnue." });
  if (!SITE_INTENTS.includes(intent) && !can(user.role, "backoffice.partners")) throw forbidden();
  const partner = await getPartner(actor, params.id!);
  if (!partner) return notFound(request, user, { type: "Organisation", id: params.id! });
  // A site that is not this partner's has no form on the page: its message goes above the list.
  const siteId = String(form.get("siteId"));
  const formKey = INVITATION_INTENTS.includes(intent)
    ? "invitations"
    : intent !== "site-update"
      ? intent
      : partner.sites.some((s) => s.id === siteId)
        ? `site-${siteId}`
        : "sites";
  const parsed = parseForm(form, schema as z.ZodType<Record<string, unknown> & { intent: Intent }>);
  if (!parsed.ok) return fail(formKey, parsed.errors, parsed.values);
  const data = parsed.data as never as Record<string, never>;
  const submitted = submittedValues(form);
  switch (intent) {
    case "update": {
      const { intent: _, ...input } = parsed.data as z.infer<(typeof SCHEMAS)["update"]>;
      const result = await updatePartner(actor, partner.id, input);
      if (result && !result.ok) return fail(formKey, { [result.field]: result.message }, submitted);
      return done(formKey, "Fiche enregistrée.");
    }
    case "archive":
      await setPartnerArchived(actor, partner.id, true);
      return done("partner", "Partenaire archivé : ses comptes ne peuvent plus se connecter, son historique et ses factures restent consultables.");
    case "restore":
      await setPartnerArchived(actor, partner.id, false);
      return done("partner", "Partenaire réactivé.");
    case "site-create": {
      const { intent: _, ...input } = parsed.data as z.infer<(typeof SCHEMAS)["site-create"]>;
      if (!(await createSite(actor, partner.id, input))) return fail(formKey, { form: "Ce partenaire est archivé : réactivez-le pour ajouter un site." });
      return done(formKey, `Site « ${input.name} » ajouté.`);
    }
    case "site-update": {
      const { intent: _, siteId, ...input } = parsed.data as z.infer<(typeof SCHEMAS)["site-update"]>;
      if (!(await updateSite(actor, partner.id, siteId, input))) return fail(formKey, { form: "Ce site n'existe pas." }, {}, 404);
      return done("sites", `Site « ${input.name} » enregistré.`);
    }
    case "site-archive":
    case "site-restore": {
      const ok = await setSiteArchived(actor, partner.id, data.siteId, intent === "site-archive");
      if (!ok) return fail("sites", { form: "Ce site n'existe pas ou a déjà changé." }, {}, 404);
      return done("sites", intent === "site-archive" ? "Site archivé : il ne peut plus être choisi pour une nouvelle demande." : "Site réactivé.");
    }
    case "invite": {
      const input = parsed.data as z.infer<(typeof SCHEMAS)["invite"]>;
      const result = await inviteUser(actor, { ...input, organisationId: partner.id });
      if (!result.ok) return fail(formKey, { [result.field === "organisationId" ? "form" : result.field]: result.message }, submitted);
      return done("users", `Invitation envoyée à ${input.email}.`);
    }
    case "role": {
      const input = parsed.data as z.infer<(typeof SCHEMAS)["role"]>;
      if (!partner.users.some((u) => u.id === input.userId)) return fail("users", { form: "Ce compte ne dépend pas de ce partenaire." }, {}, 404);
      const result = await changeRole(actor, input.userId, input.role);
      if (!result.ok) return fail("users", { form: result.message });
      return done("users", "Rôle modifié.");
    }
    case "deactivate": {
      const input = parsed.data as z.infer<(typeof SCHEMAS)["deactivate"]>;
      if (!partner.users.some((u) => u.id === input.userId) || !(await deactivateUser(actor, input.userId))) {
        return fail("users", { form: "Ce compte n'existe pas ou est déjà désactivé." }, {}, 404);
      }
      return done("users", "Compte désactivé : ses sessions sont fermées.");
    }
    // The data functions scope by actor, and a staff admin reaches every organisation:
    // only an invitation listed on this partner's page may be acted on from it.
    case "cancel-invitation": {
      const input = parsed.data as z.infer<(typeof SCHEMAS)["cancel-invitation"]>;
      if (!partner.invitations.some((i) => i.id === input.invitationId) || !(await cancelInvitation(actor, input.invitationId))) {
        return fail(formKey, { invitationId: UNKNOWN_INVITATION }, {}, 404);
      }
      return done(formKey, "Invitation annulée : son lien ne fonctionne plus.");
    }
    case "resend-invitation": {
      const input = parsed.data as z.infer<(typeof SCHEMAS)["resend-invitation"]>;
      if (!partner.invitations.some((i) => i.id === input.invitationId)) return fail(formKey, { invitationId: UNKNOWN_INVITATION }, {}, 404);
      const result = await resendInvitation(actor, input.invitationId);
      if (!result.ok) return fail(formKey, { invitationId: result.message }, {}, result.status);
      return done(formKey, `Invitation renvoyée à ${result.email}, valable 7 jours. Le lien précédent ne fonctionne plus.`);
    }
  }
}

const KIND_LABELS: Record<string, string> = { PARTNER: "Partenaire", INTERNAL: "Site d'Aurore" };

const asValues = (p: { [k: string]: unknown }) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v === true ? "on" : v === false || v === null || v === undefined ? "" : String(v)]));

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
  const activeUsers = partner.users;
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
        <Card title="Fiche">
          <dl className="details">
            <dt>SIRET</dt>
            <dd>{partner.siret ?? "—"}</dd>
            <dt>E-mail de facturation</dt>
            <dd>{partner.billingEmail ?? "—"}</dd>
            <dt>Validation des demandes</dt>
            <dd>{partner.requiresValidation ? "Par la coordination" : "Directe"}</dd>
          </dl>
        </Card>
      )}

      <Card title="Sites">
        {message("sites")}
        {partner.sites.length === 0 ? (
          <EmptyState>Aucun site pour l'instant.</EmptyState>
        ) : (
          <ul className="list">
            {partner.sites.map((s) => {
              const st = stateOf(`site-${s.id}`);
              return (
                <li key={s.id} className="list-item">
                  <div className="row spread">
                    <div>
                      <strong>{s.name}</strong> {s.archivedAt ? <Badge tone="red">Archivé</Badge> : null}
                      <br />
                      <span className="muted">
                        {s.address}, {s.postalCode} {s.city}
                      </span>
                    </div>
                    <AppForm>
                      <input type="hidden" name="intent" value={s.archivedAt ? "site-restore" : "site-archive"} />
                      <input type="hidden" name="siteId" value={s.id} />
                      <SubmitButton variant={s.archivedAt ? "secondary" : "danger"}>
                        {s.archivedAt ? `Réactiver ${s.name}` : `Archiver ${s.name}`}
                      </SubmitButton>
                    </AppForm>
                  </div>
                  {s.archivedAt ? null : (
                    <details open={Object.keys(st.errors).length > 0}>
                      <summary>Modifier {s.name}</summary>
                      {st.errors.form ? <Alert kind="error">{st.errors.form}</Alert> : null}
                      <AppForm className="form" noValidate>
                        <input type="hidden" name="intent" value="site-update" />
                        <input type="hidden" name="siteId" value={s.id} />
                        <SiteFields prefix={`site-${s.id}`} errors={st.errors} values={Object.keys(st.values).length ? st.values : asValues(s)} />
                        <SubmitButton>Enregistrer le site</SubmitButton>
                      </AppForm>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Card>
      {partner.archivedAt ? null : (
        <Card title="Ajouter un site">
          {message("site-create")}
          <AppForm className="form" noValidate key={data?.form === "site-create" && data.done ? data.done : "site-create"}>
            <input type="hidden" name="intent" value="site-create" />
            <SiteFields prefix="new-site" {...stateOf("site-create")} />
            <SubmitButton>Ajouter le site</SubmitButton>
          </AppForm>
        </Card>
      )}

      {canEdit ? (
        <>
          <Card title="Utilisateurs">
            {message("users")}
            {message("invitations")}
            {activeUsers.length === 0 && partner.invitations.length === 0 ? (
              <EmptyState>Aucun compte.</EmptyState>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Personne</th>
                    <th scope="col">Rôle</th>
                    <th scope="col">
                      <span className="muted">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {activeUsers.map((u) => (
                    <tr key={u.id}>
                      <td data-label="Personne">
                        {u.name} <span className="muted">{u.email}</span>
                      </td>
                      <td data-label="Rôle">
                        {u.deactivatedAt || u.id === me || !u.membership ? (
                          u.membership ? ROLE_LABELS[u.membership.role] : "—"
                        ) : (
                          <AppForm className="row">
                            <input type="hidden" name="intent" value="role" />
                            <input type="hidden" name="userId" value={u.id} />
                            <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                              Rôle {ofName(u.name)}
                            </label>
                            <select id={`role-${u.id}`} name="role" defaultValue={u.membership.role} className="select-inline">
                              {PARTNER_ROLES.map((r) => (
                                <option key={r} value={r}>
                                  {ROLE_LABELS[r]}
                                </option>
                              ))}
                            </select>
                            <SubmitButton variant="secondary">Changer le rôle</SubmitButton>
                          </AppForm>
                        )}
                      </td>
                      <td data-label="Actions">
                        {u.deactivatedAt ? (
                          <Badge tone="red">Désactivé</Badge>
                        ) : (
                          <AppForm>
                            <input type="hidden" name="intent" value="deactivate" />
                            <input type="hidden" name="userId" value={u.id} />
                            <SubmitButton variant="danger">Désactiver {u.name}</SubmitButton>
                          </AppForm>
                        )}
                      </td>
                    </tr>
                  ))}
                  {partner.invitations.map((i) => (
                    <tr key={i.id}>
                      <td data-label="Personne">
                        {i.name} <span className="muted">{i.email}</span>
                      </td>
                      <td data-label="Rôle">{ROLE_LABELS[i.role]}</td>
                      <td data-label="Actions">
                        <div className="stack-tight">
                          <span>
                            <InvitationState invitation={i} />
                          </span>
                          {/* Re-sending is refused for an archived partner: no button then. */}
                          <InvitationActions invitation={i} canResend={!partner.archivedAt} />
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          {partner.archivedAt ? null : (
            <Card title="Inviter un utilisateur">
              {message("invite")}
              <AppForm className="form" noValidate key={data?.form === "users" && data.done ? data.done : "invite"}>
                <input type="hidden" name="intent" value="invite" />
                <Field label="Nom" name="name" id="invite-name" autoComplete="off" {...fieldState(stateOf("invite"), "name")} />
                <Field label="Adresse e-mail" name="email" id="invite-email" type="email" autoComplete="off" {...fieldState(stateOf("invite"), "email")} />
                <Field label="Rôle" name="role" id="invite-role" error={stateOf("invite").errors.role}>
                  <select defaultValue={stateOf("invite").values.role ?? "PARTNER_MEMBER"}>
                    {PARTNER_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>
                </Field>
                <SubmitButton>Envoyer l'invitation</SubmitButton>
              </AppForm>
            </Card>
          )}
          <Card title={partner.archivedAt ? "Réactiver" : "Archiver"}>
            <p className="muted">
              {partner.archivedAt
                ? "Le partenaire pourra de nouveau commander ; ses comptes non désactivés pourront se connecter."
                : "Archiver empêche toute nouvelle demande et toute connexion de ses comptes. Demandes, interventions et factures restent consultables."}
            </p>
            <AppForm>
              <input type="hidden" name="intent" value={partner.archivedAt ? "restore" : "archive"} />
              <SubmitButton variant={partner.archivedAt ? "secondary" : "danger"}>
                {partner.archivedAt ? "Réactiver le partenaire" : "Archiver le partenaire"}
              </SubmitButton>
            </AppForm>
          </Card>
        </>
      ) : null}
    </div>
  );
}

function fieldState(state: { errors: FieldErrors; values: Record<string, string> }, name: string) {
  return { error: state.errors[name], defaultValue: state.values[name] };
}

export const ErrorBoundary = ErrorPage;
