import type { SerializeFrom } from "@remix-run/node";
import type { ReactNode } from "react";
import type { Partner } from "~/data/partner-page.server.ts";
import { PARTNER_ROLES, ROLE_LABELS } from "~/domain/access/roles.ts";
import { ofName } from "~/utils/format.ts";
import type { FieldErrors } from "~/utils/validation.ts";
import { SiteFields } from "./backoffice.tsx";
import { InvitationActions, InvitationState } from "./invitations.tsx";
import { Table } from "./Table.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, Field, SubmitButton } from "./ui.tsx";

// The cards of a partner's back-office page (/admin/partners/:id).

export type PartnerView = SerializeFrom<Partner>;
/** One form's answer: its messages by field and what was typed (shown again). */
export type FormState = { errors: FieldErrors; values: Record<string, string> };

/** A stored record as the values of its form (checkboxes "on"). */
export const asValues = (p: { [k: string]: unknown }) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v === true ? "on" : v === false || v === null || v === undefined ? "" : String(v)]));

export function PartnerSheet({ partner }: { partner: PartnerView }) {
  return (
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
  );
}

export function SitesCard({ partner, message, stateOf }: { partner: PartnerView; message: ReactNode; stateOf: (form: string) => FormState }) {
  return (
    <Card title="Sites">
      {message}
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
                    <SubmitButton variant={s.archivedAt ? "secondary" : "danger"}>{s.archivedAt ? `Réactiver ${s.name}` : `Archiver ${s.name}`}</SubmitButton>
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
  );
}

export function NewSiteCard({ message, state, formKey }: { message: ReactNode; state: FormState; formKey: string }) {
  return (
    <Card title="Ajouter un site">
      {message}
      <AppForm className="form" noValidate key={formKey}>
        <input type="hidden" name="intent" value="site-create" />
        <SiteFields prefix="new-site" {...state} />
        <SubmitButton>Ajouter le site</SubmitButton>
      </AppForm>
    </Card>
  );
}

type Account = { kind: "user"; id: string; user: PartnerView["users"][number] } | { kind: "invitation"; id: string; invitation: PartnerView["invitations"][number] };

function RoleSelect({ id, defaultValue }: { id?: string; defaultValue: string }) {
  return (
    <select id={id} name="role" defaultValue={defaultValue} className="select-inline">
      {PARTNER_ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </select>
  );
}

/** The partner's accounts, then its invitations still open, in one table. */
export function UsersCard({ partner, me, messages }: { partner: PartnerView; me: string; messages: ReactNode }) {
  const accounts: Account[] = [
    ...partner.users.map((u) => ({ kind: "user" as const, id: u.id, user: u })),
    ...partner.invitations.map((i) => ({ kind: "invitation" as const, id: i.id, invitation: i })),
  ];
  return (
    <Card title="Utilisateurs">
      {messages}
      {accounts.length === 0 ? (
        <EmptyState>Aucun compte.</EmptyState>
      ) : (
        <Table
          rows={accounts}
          rowKey={(a) => a.id}
          columns={[
            {
              title: "Personne",
              cell: (a) => {
                const { name, email } = a.kind === "user" ? a.user : a.invitation;
                return (
                  <>
                    {name} <span className="muted">{email}</span>
                  </>
                );
              },
            },
            {
              title: "Rôle",
              cell: (a) => {
                if (a.kind === "invitation") return ROLE_LABELS[a.invitation.role];
                const u = a.user;
                if (u.deactivatedAt || u.id === me || !u.membership) return u.membership ? ROLE_LABELS[u.membership.role] : "—";
                return (
                  <AppForm className="row">
                    <input type="hidden" name="intent" value="role" />
                    <input type="hidden" name="userId" value={u.id} />
                    <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                      Rôle {ofName(u.name)}
                    </label>
                    <RoleSelect id={`role-${u.id}`} defaultValue={u.membership.role} />
                    <SubmitButton variant="secondary">Changer le rôle</SubmitButton>
                  </AppForm>
                );
              },
            },
            {
              title: "Actions",
              quiet: true,
              cell: (a) =>
                a.kind === "invitation" ? (
                  <div className="stack-tight">
                    <span>
                      <InvitationState invitation={a.invitation} />
                    </span>
                    {/* Re-sending is refused for an archived partner: no button then. */}
                    <InvitationActions invitation={a.invitation} canResend={!partner.archivedAt} />
                  </div>
                ) : a.user.deactivatedAt ? (
                  <Badge tone="red">Désactivé</Badge>
                ) : (
                  <AppForm>
                    <input type="hidden" name="intent" value="deactivate" />
                    <input type="hidden" name="userId" value={a.user.id} />
                    <SubmitButton variant="danger">Désactiver {a.user.name}</SubmitButton>
                  </AppForm>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}

export function InviteCard({ message, state, formKey }: { message: ReactNode; state: FormState; formKey: string }) {
  return (
    <Card title="Inviter un utilisateur">
      {message}
      <AppForm className="form" noValidate key={formKey}>
        <input type="hidden" name="intent" value="invite" />
        <Field label="Nom" name="name" id="invite-name" autoComplete="off" error={state.errors.name} defaultValue={state.values.name} />
        <Field label="Adresse e-mail" name="email" id="invite-email" type="email" autoComplete="off" error={state.errors.email} defaultValue={state.values.email} />
        <Field label="Rôle" name="role" id="invite-role" error={state.errors.role}>
          <select defaultValue={state.values.role ?? "PARTNER_MEMBER"}>
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
  );
}

export function ArchiveCard({ archived }: { archived: boolean }) {
  return (
    <Card title={archived ? "Réactiver" : "Archiver"}>
      <p className="muted">
        {archived
          ? "Le partenaire pourra de nouveau commander ; ses comptes non désactivés pourront se connecter."
          : "Archiver empêche toute nouvelle demande et toute connexion de ses comptes. Demandes, interventions et factures restent consultables."}
      </p>
      <AppForm>
        <input type="hidden" name="intent" value={archived ? "restore" : "archive"} />
        <SubmitButton variant={archived ? "secondary" : "danger"}>{archived ? "Réactiver le partenaire" : "Archiver le partenaire"}</SubmitButton>
      </AppForm>
    </Card>
  );
}
