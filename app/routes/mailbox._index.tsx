import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/auth.server.ts";
import { Table } from "~/components/Table.tsx";
import { Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listMailbox } from "~/data/mail.server.ts";
import { isStaffRole } from "~/domain/access/roles.ts";
import { env, isProduction } from "~/utils/env.server.ts";
import { formatDateTime } from "~/utils/format.ts";

// The demo's mailbox: with MAIL_TRANSPORT=mailbox, mail stays in the database
// and is read here. It does not exist when mail really goes out.
export const meta: MetaFunction = () => [{ title: "Boîte mail de démonstration · La Conciergerie Solidaire" }];

/**
 * The mailbox holds every reset and invitation link: only the Conciergerie's
 * staff read it (anonymous visitors sign in first; partners get a 404, as when
 * there is no mailbox).
 */
export async function requireMailbox(request: Request, context: object) {
  if (env().MAIL_TRANSPORT !== "mailbox" || (isProduction() && !env().DEMO)) {
    throw json({ message: "Cette page n'existe pas." }, { status: 404 });
  }
  const user = await requireUser(request, context);
  if (!isStaffRole(user.role)) throw json({ message: "Cette page n'existe pas." }, { status: 404 });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireMailbox(request, context);
  return json({ mails: await listMailbox() });
}

export default function Mailbox() {
  const { mails } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader title="Boîte mail de démonstration" description="Les e-mails que l'application a envoyés, tels que leurs destinataires les reçoivent." />
      <Card>
        {mails.length === 0 ? (
          <EmptyState>Aucun e-mail pour l'instant.</EmptyState>
        ) : (
          <Table
            rows={mails}
            rowKey={(m) => m.id}
            columns={[
              { title: "Reçu", cell: (m) => formatDateTime(m.createdAt) },
              { title: "Destinataire", cell: (m) => m.to },
              { title: "Objet", cell: (m) => <Link to={`/mailbox/${m.id}`}>{m.subject}</Link> },
            ]}
          />
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
