import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { getMailboxMessage } from "~/data/mail.server.ts";
import { formatDateTime } from "~/utils/format.ts";
import { requireMailbox } from "./mailbox._index.tsx";

export const meta: MetaFunction = () => [{ title: "E-mail · La Conciergerie Solidaire" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireMailbox(request, context);
  const mail = await getMailboxMessage(params.id ?? "");
  if (!mail) throw json({ message: "Cet e-mail n'existe pas." }, { status: 404 });
  return json({ mail });
}

// Links in the text become clickable, nothing else is interpreted.
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/\S+)/g);
  return (
    <pre className="mail-body">
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

export default function MailboxMessage() {
  const { mail } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title={mail.subject}
        description={`À ${mail.to}, le ${formatDateTime(mail.createdAt)}`}
        actions={
          <Link className="button secondary" to="/mailbox">
            ← Boîte mail
          </Link>
        }
      />
      <Card>
        <Linkified text={mail.text} />
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
