import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { knownDeviceCookie, login, readKnownDevice, safeRedirect } from "~/auth/auth.server.ts";
import { clientIp, readForm } from "~/auth/csrf.server.ts";
import { getSessionUser, startSession } from "~/auth/session.server.ts";
import { Alert, AppForm, Card, Field, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { orUnavailable } from "~/utils/http.server.ts";
import { emailField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Connexion · La Conciergerie Solidaire" }];

const schema = z.object({
  email: emailField,
  password: z.string({ error: "Indiquez votre mot de passe." }).min(1, "Indiquez votre mot de passe.").max(200),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  // Already signed in (a second tab, a form sent twice): straight to the page asked for, not home.
  if (await getSessionUser(request)) {
    const to = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
    return redirect(to.startsWith("/login") ? "/" : to); // never back to this page: no loop
  }
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, message: null }, { status: 400 });
  const { email, password, redirectTo } = parsed.data;
  const device = await readKnownDevice(request);
  const result = await orUnavailable(() => login(email, password, clientIp(request), device));
  if (!result.ok) {
    return json({ errors: {} as FieldErrors, values: { email }, message: result.message }, { status: 400 });
  }
  const deviceCookie = await knownDeviceCookie(result.userId, device);
  return orUnavailable(() => startSession(result.userId, safeRedirect(redirectTo), request, [deviceCookie]));
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="auth-page stack">
      <Card>
        <h1>Connexion</h1>
        <p className="muted">Partenaires et équipes de la Conciergerie Solidaire.</p>
        <AppForm className="form" noValidate>
          {data?.message ? <Alert kind="error">{data.message}</Alert> : null}
          {!data && params.get("reset") ? <Alert kind="success">Votre mot de passe est changé. Connectez-vous.</Alert> : null}
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
          <Field label="Adresse e-mail" name="email" type="email" autoComplete="username" defaultValue={data?.values?.email} error={data?.errors?.email} />
          <Field label="Mot de passe" name="password" type="password" autoComplete="current-password" error={data?.errors?.password} />
          <SubmitButton>Se connecter</SubmitButton>
          <Link to="/forgot-password">Mot de passe oublié ?</Link>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
