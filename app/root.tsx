import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { csrfToken } from "~/auth/csrf.server.ts";
import { getSessionUserOnce } from "~/auth/session.server.ts";
import { AppHeader } from "~/components/AppHeader.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { useNonce } from "~/components/nonce.tsx";
import { navigationFor, ROLE_LABELS } from "~/domain/access/roles.ts";
import stylesheet from "~/styles/app.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesheet }];
export const meta: MetaFunction = () => [{ title: "La Conciergerie Solidaire" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [user, csrf] = await Promise.all([getSessionUserOnce(request, context), csrfToken(request)]);
  return json(
    {
      csrf: csrf.token,
      user: user
        ? {
            name: user.name,
            roleLabel: ROLE_LABELS[user.role],
            organisationName: user.organisationName,
            nav: navigationFor(user.role),
          }
        : null,
    },
    { headers: csrf.setCookie ? { "Set-Cookie": csrf.setCookie } : undefined },
  );
}

function Shell({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const nonce = useNonce();
  return (
    <html lang="fr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#contenu">
          Aller au contenu
        </a>
        <AppHeader user={user} />
        <main id="contenu">{children}</main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

export function ErrorBoundary() {
  return (
    <Shell>
      <ErrorPage />
    </Shell>
  );
}
