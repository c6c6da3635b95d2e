import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { clientIp, readForm } from "~/auth/csrf.server.ts";
import { auditQuietly } from "~/data/audit.server.ts";
import { hashPassword } from "~/auth/password.server.ts";
import { Alert, AppForm, Card, Field, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { findPasswordReset, resetPassword } from "~/data/users.server.ts";
import { orUnavailable } from "~/utils/http.server.ts";
import { newPasswordField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [
  { title: "Nouveau mot de passe · La Conciergerie Solidaire" },
  { name: "referrer", content: "no-referrer" }, // the token in the URL must not leak
];

const LINK_PROBLEMS = {
  unknown: "Ce lien n'est pas valide. Demandez un nouveau lien depuis « Mot de passe oublié ».",
  used: "Ce lien a déjà servi. Demandez un nouveau lien depuis « Mot de passe oublié ».",
  expired: "Ce lien a expiré (il est valable une heure). Demandez un nouveau lien.",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const state = await orUnavailable(() => findPasswordReset(params.token ?? ""));
  if (state !== "valid") {
    await auditQuietly({ action: "auth.reset_refused", outcome: "refused", ip: clientIp(request), details: { reason: state } });
  }
  return json({ problem: state === "valid" ? null : LINK_PROBLEMS[state] });
}

const schema = z
  .object({ password: newPasswordField, confirm: z.string({ error: "Confirmez le mot de passe." }) })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "Les deux mots de passe ne sont pas identiques." });

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, problem: null }, { status: 400 });
  const done = await orUnavailable(async () => resetPassword(params.token ?? "", await hashPassword(parsed.data.password)));
  if (!done) return json({ errors: {} as FieldErrors, problem: LINK_PROBLEMS.used }, { status: 400 });
  return redirect("/login?reset=1");
}

export default function ResetPassword() {
  const { problem } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const shownProblem = data?.problem ?? problem;
  return (
    <div className="auth-page stack">
      <Card>
        <h1>Nouveau mot de passe</h1>
        {shownProblem ? (
          <>
            <Alert kind="error">{shownProblem}</Alert>
            <p>
              <Link to="/forgot-password">Demander un nouveau lien</Link>
            </p>
          </>
        ) : (
          <AppForm className="form" noValidate>
            <Field
              label="Choisissez un mot de passe"
              name="password"
              type="password"
              autoComplete="new-password"
              hint="Au moins 12 caractères, par exemple trois mots séparés par des tirets."
              error={data?.errors?.password}
            />
            <Field label="Confirmez le mot de passe" name="confirm" type="password" autoComplete="new-password" error={data?.errors?.confirm} />
            <SubmitButton>Enregistrer</SubmitButton>
          </AppForm>
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
