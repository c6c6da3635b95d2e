import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { clientIp, readForm } from "~/auth/csrf.server.ts";
import { auditQuietly } from "~/data/audit.server.ts";
import { hashPassword } from "~/auth/password.server.ts";
import { startSession } from "~/auth/session.server.ts";
import { Alert, AppForm, Card, Field, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { acceptInvitation, findInvitation, invitationState, type InvitationState } from "~/data/users.server.ts";
import { ROLE_LABELS } from "~/domain/access/roles.ts";
import { orUnavailable } from "~/utils/http.server.ts";
import { newPasswordField, parseForm, type FieldErrors } from "~/utils/validation.ts";
import { ofName } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Invitation · La Conciergerie Solidaire" }, { name: "referrer", content: "no-referrer" }];

const PROBLEMS = {
  // A re-sent invitation replaces the link: the newer mail holds the one that works.
  unknown:
    "Cette invitation n'est pas valide ou a été remplacée. Si vous avez reçu une invitation plus récente, suivez le lien de ce dernier message ; sinon, demandez une nouvelle invitation à la personne qui vous a invité.",
  used: "Cette invitation a déjà servi. Connectez-vous avec votre adresse et votre mot de passe.",
  expired: "Cette invitation a expiré (elle est valable 7 jours). Demandez-en une nouvelle à la personne qui vous a invité.",
} as const;

type Invitation = Awaited<ReturnType<typeof findInvitation>>;

/** Why the link does not work, in words; a cancelled one says who can invite the person again. */
function problemOf(state: Exclude<InvitationState, "valid">, invitation: Invitation) {
  if (state === "cancelled" && invitation) {
    return `Cette invitation à rejoindre ${invitation.organisation.name} a été annulée. Si vous devez toujours accéder à l'espace, demandez une nouvelle invitation à ${invitation.invitedBy.name} ou à un autre administrateur ${ofName(invitation.organisation.name)}.`;
  }
  return PROBLEMS[state === "cancelled" ? "unknown" : state];
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invitation = await orUnavailable(() => findInvitation(params.token ?? ""));
  const state = invitationState(invitation);
  if (state !== "valid" || !invitation) {
    await auditQuietly({
      action: "auth.invitation_refused",
      outcome: "refused",
      entityType: "Invitation",
      entityId: invitation?.id,
      ip: clientIp(request),
      details: { reason: state },
    });
    return json({ problem: problemOf(state === "valid" ? "unknown" : state, invitation), invitation: null });
  }
  return json({
    problem: null,
    invitation: { name: invitation.name, email: invitation.email, organisation: invitation.organisation.name, role: ROLE_LABELS[invitation.role] },
  });
}

const schema = z
  .object({ password: newPasswordField, confirm: z.string({ error: "Confirmez le mot de passe." }) })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "Les deux mots de passe ne sont pas identiques." });

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, problem: null }, { status: 400 });
  const user = await orUnavailable(async () => acceptInvitation(params.token ?? "", await hashPassword(parsed.data.password)));
  if (!user) {
    // Used, expired or cancelled while the page was open: say which.
    const invitation = await orUnavailable(() => findInvitation(params.token ?? ""));
    const state = invitationState(invitation);
    return json({ errors: {} as FieldErrors, problem: problemOf(state === "valid" ? "used" : state, invitation) }, { status: 400 });
  }
  return startSession(user.id, "/", request);
}

export default function AcceptInvitation() {
  const { problem, invitation } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const shownProblem = data?.problem ?? problem;
  return (
    <div className="auth-page stack">
      <Card>
        <h1>Bienvenue</h1>
        {shownProblem || !invitation ? (
          <>
            <Alert kind="error">{shownProblem}</Alert>
            <p>
              <Link to="/login">Aller à la connexion</Link>
            </p>
          </>
        ) : (
          <AppForm className="form" noValidate>
            <p>
              {invitation.name}, vous rejoignez <strong>{invitation.organisation}</strong> ({invitation.role}). Votre identifiant sera <strong>{invitation.email}</strong>.
            </p>
            <Field
              label="Choisissez un mot de passe"
              name="password"
              type="password"
              autoComplete="new-password"
              hint="Au moins 12 caractères, par exemple trois mots séparés par des tirets."
              error={data?.errors?.password}
            />
            <Field label="Confirmez le mot de passe" name="confirm" type="password" autoComplete="new-password" error={data?.errors?.confirm} />
            <SubmitButton>Créer mon compte</SubmitButton>
          </AppForm>
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
