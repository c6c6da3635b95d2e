import { json, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { clientIp, readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, Field, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { consumeResetRequest } from "~/data/login-throttle.server.ts";
import { requestPasswordReset } from "~/data/users.server.ts";
import { accountKey, ipKey, resetWaitMessage } from "~/domain/access/throttle.ts";
import { orUnavailable } from "~/utils/http.server.ts";
import { emailField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Mot de passe oublié · La Conciergerie Solidaire" }];

export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(await readForm(request), z.object({ email: emailField }));
  if (!parsed.ok) return json({ sent: false, errors: parsed.errors, values: parsed.values }, { status: 400 });
  const ip = clientIp(request);
  const waitMs = await orUnavailable(() => consumeResetRequest(accountKey(parsed.data.email), ip ? ipKey(ip) : null));
  if (waitMs > 0) return json({ sent: false, errors: { email: resetWaitMessage(waitMs) } as FieldErrors, values: { email: parsed.data.email } }, { status: 429 });
  await orUnavailable(() => requestPasswordReset(parsed.data.email));
  // The same answer whether or not the address has an account.
  return json({ sent: true, errors: {} as FieldErrors, values: {} as Record<string, string> });
}

export default function ForgotPassword() {
  const data = useActionData<typeof action>();
  return (
    <div className="auth-page stack">
      <Card>
        <h1>Mot de passe oublié</h1>
        {data?.sent ? (
          <Alert kind="success">Si un compte existe pour cette adresse, un e-mail vient de partir avec un lien valable une heure.</Alert>
        ) : (
          <AppForm className="form" noValidate>
            <p className="muted">Indiquez votre adresse : nous vous envoyons un lien pour choisir un nouveau mot de passe.</p>
            <Field label="Adresse e-mail" name="email" type="email" autoComplete="username" defaultValue={data?.values?.email} error={data?.errors?.email} />
            <SubmitButton>Envoyer le lien</SubmitButton>
          </AppForm>
        )}
        <p>
          <Link to="/login">Retour à la connexion</Link>
        </p>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
