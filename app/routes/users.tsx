import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, AppForm, Badge, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvitationActions, InvitationState } from "~/components/invitations.tsx";
import { cancelInvitation, deactivateUser, inviteUser, listInvitableOrganisations, listOpenInvitations, listUsers, resendInvitation, UNKNOWN_INVITATION } from "~/data/users.server.ts";
import { can, invitableRoles, ROLE_LABELS, ROLES } from "~/domain/access/roles.ts";
import { emailField, nameField, parseForm, type FieldErrors } from "~/utils/validation.ts";

// One screen for a partner admin (their colleagues) and for an admin (everyone):
// the data functions scope it by the actor.
export const meta: MetaFunction = () => [{ title: "Utilisateurs · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "team.manage");
  const actor = actorOf(user);
  const [users, invitations, organisations] = await Promise.all([listUsers(actor), listOpenInvitations(actor), listInvitableOrganisations(actor)]);
  const roles = [...new Set(organisations.flatMap((o) => invitableRoles(user.role, o.kind === "CONCIERGERIE")))];
  return json({
    me: user.userId,
    isAdmin: can(user.role, "users.manage"),
    users,
    invitations,
    organisations: organisations.filter((o) => invitableRoles(user.role, o.kind === "CONCIERGERIE").length > 0),
    roles: roles.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
  });
}

const inviteSchema = z.object({
  intent: z.literal("invite"),
  name: nameField,
  email: emailField,
  role: z.enum(ROLES, { error: "Choisissez un rôle." }),
  organisationId: z.string({ error: "Choisissez une organisation." }).min(1, "Choisissez une organisation.").max(40),
});
const unknownAccount = "Ce compte n'existe pas ou ne dépend pas de vous.";
const deactivateSchema = z.object({ intent: z.literal("deactivate"), userId: z.string({ error: unknownAccount }).min(1, unknownAccount).max(40, unknownAccount) });
const invitationId = z.string({ error: UNKNOWN_INVITATION }).min(1, UNKNOWN_INVITATION).max(40, UNKNOWN_INVITATION);
const cancelInvitationSchema = z.object({ intent: z.literal("cancel-invitation"), invitationId });
const resendInvitationSchema = z.object({ intent: z.literal("resend-invitation"), invitationId });
const schema = z.discriminatedUnion("intent", [inviteSchema, deactivateSchema, cancelInvitationSchema, resendInvitationSchema], {
  error: "Action inconnue.",
});
const noValues = {} as Record<string, string>;
const noErrors = {} as FieldErrors;

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "team.manage");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const actor = actorOf(user);
  if (parsed.data.intent === "invite") {
    const result = await inviteUser(actor, parsed.data);
    const values = Object.fromEntries(Object.entries(parsed.data).map(([k, v]) => [k, String(v)]));
    if (!result.ok) return json({ errors: { [result.field]: result.message } as FieldErrors, values, done: null }, { status: 400 });
    return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: `Invitation envoyée à ${parsed.data.email}.` });
  }
  if (parsed.data.intent === "cancel-invitation") {
    const ok = await cancelInvitation(actor, parsed.data.invitationId);
    if (!ok) return json({ errors: { invitationId: UNKNOWN_INVITATION } as FieldErrors, values: noValues, done: null }, { status: 404 });
    return json({ errors: noErrors, values: noValues, done: "Invitation annulée : son lien ne fonctionne plus." });
  }
  if (parsed.data.intent === "resend-invitation") {
    const result = await resendInvitation(actor, parsed.data.invitationId);
    if (!result.ok) return json({ errors: { invitationId: result.message } as FieldErrors, values: noValues, done: null }, { status: result.status });
    return json({ errors: noErrors, values: noValues, done: `Invitation renvoyée à ${result.email}, valable 7 jours. Le lien précédent ne fonctionne plus.` });
  }
  const ok = await deactivateUser(actor, parsed.data.userId);
  if (!ok) return json({ errors: { form: "Ce compte n'existe pas ou ne dépend pas de vous." }, values: {} as Record<string, string>, done: null }, { status: 404 });
  return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: "Compte désactivé : ses sessions sont fermées." });
}

export default function Users() {
  const { me, isAdmin, users, invitations, organisations, roles } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const invitationError = errors.invitationId;
  return (
    <div className="stack">
      <PageHeader
        title={isAdmin ? "Utilisateurs" : "Mon équipe"}
        description={isAdmin ? "Les comptes de toutes les organisations." : "Les personnes de votre organisation qui ont accès à l'espace partenaire."}
      />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      {errors.userId ? <Alert kind="error">{errors.userId}</Alert> : null}
      {/* Next to the invitations' forms; at the top when none is left to show (a stale page). */}
      {invitationError && invitations.length === 0 ? <Alert kind="error">{invitationError}</Alert> : null}
      <Card title="Inviter une personne">
        {/* A new key after each invitation empties the form for the next one. */}
        <AppForm className="form" noValidate key={data?.done ?? "invite"}>
          <input type="hidden" name="intent" value="invite" />
          <Field label="Nom" name="name" autoComplete="off" defaultValue={values.name} error={errors.name} />
          <Field label="Adresse e-mail" name="email" type="email" autoComplete="off" defaultValue={values.email} error={errors.email} />
          {organisations.length === 1 ? (
            // One organisation (a partner's own): nothing to choose.
            <input type="hidden" name="organisationId" value={organisations[0]!.id} />
          ) : (
            <Field label="Organisation" name="organisationId" error={errors.organisationId}>
              <select defaultValue={values.organisationId ?? ""}>
                <option value="">Choisir…</option>
                {organisations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {organisations.length === 1 && errors.organisationId ? <Alert kind="error">{errors.organisationId}</Alert> : null}
          <Field label="Rôle" name="role" hint={isAdmin ? undefined : "Un administrateur gère aussi l'équipe (invitations, comptes) et le calendrier de l'organisation."} error={errors.role}>
            <select defaultValue={values.role ?? ""}>
              <option value="">Choisir…</option>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </Field>
          <SubmitButton>Envoyer l'invitation</SubmitButton>
        </AppForm>
      </Card>
      {invitations.length > 0 ? (
        <Card title="Invitations">
          {invitationError ? <Alert kind="error">{invitationError}</Alert> : null}
          <Table
            rows={invitations}
            rowKey={(i) => i.id}
            columns={[
              {
                title: "Personne",
                cell: (i) => (
                  <>
                    {i.name} <span className="muted">{i.email}</span>
                  </>
                ),
              },
              isAdmin && { title: "Organisation", cell: (i) => i.organisation.name },
              { title: "Rôle", cell: (i) => ROLE_LABELS[i.role] },
              { title: "État", cell: (i) => <InvitationState invitation={i} /> },
              { title: "Actions", quiet: true, cell: (i) => <InvitationActions invitation={i} /> },
            ]}
          />
        </Card>
      ) : null}
      <Card title="Comptes">
        <Table
          rows={users}
          rowKey={(u) => u.id}
          columns={[
            {
              title: "Personne",
              cell: (u) => (
                <>
                  {u.name} <span className="muted">{u.email}</span>
                </>
              ),
            },
            isAdmin && { title: "Organisation", cell: (u) => u.membership?.organisation.name },
            { title: "Rôle", cell: (u) => (u.membership ? ROLE_LABELS[u.membership.role] : "—") },
            {
              title: "Action",
              quiet: true,
              cell: (u) =>
                u.deactivatedAt ? (
                  <Badge tone="red">Désactivé</Badge>
                ) : u.id === me ? (
                  <span className="muted">Vous</span>
                ) : (
                  // One more click to confirm: a deactivation closes the person's sessions at once.
                  <details>
                    <summary>Désactiver…</summary>
                    <AppForm className="stack-tight">
                      <input type="hidden" name="intent" value="deactivate" />
                      <input type="hidden" name="userId" value={u.id} />
                      <span className="hint">Ses sessions seront fermées et {u.name} ne pourra plus se connecter.</span>
                      <SubmitButton variant="danger">Désactiver {u.name}</SubmitButton>
                    </AppForm>
                  </details>
                ),
            },
          ]}
        />
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
