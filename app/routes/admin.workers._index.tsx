import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { Checkbox } from "~/components/backoffice.tsx";
import { eraseParticipant, listParticipantsForRetention } from "~/data/participants-admin.server.ts";
import { formatDate, ofName } from "~/utils/format.ts";
import { parseForm } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Données des personnes · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.personalData");
  const { retentionMonths, participants } = await listParticipantsForRetention(actorOf(user), new Date());
  const eraseId = new URL(request.url).searchParams.get("erase");
  const toErase = participants.find((w) => w.id === eraseId && !w.anonymisedAt) ?? null;
  return json({ retentionMonths, participants, toErase });
}

const eraseSchema = z.object({
  intent: z.literal("erase", { error: "Action inconnue." }),
  participantId: z.string({ error: "Cette personne n'existe pas." }).min(1, "Cette personne n'existe pas.").max(40, "Cette personne n'existe pas."),
  confirm: z.literal("on", { error: "Cochez la case pour confirmer : l'effacement est définitif." }),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "backoffice.personalData");
  const parsed = parseForm(await readForm(request), eraseSchema);
  if (!parsed.ok) return json({ errors: parsed.errors, done: null }, { status: 400 });
  const ok = await eraseParticipant(actorOf(user), parsed.data.participantId);
  if (!ok) return json({ errors: { form: "Cette personne n'existe pas ou est déjà anonymisée." }, done: null }, { status: 404 });
  return json({ errors: {} as Record<string, string>, done: "Identité effacée. Les heures travaillées restent comptées, sans nom." });
}

export default function ParticipantsData() {
  const { retentionMonths, participants, toErase } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  return (
    <div className="stack">
      <PageHeader
        title="Données des personnes en insertion"
        description={`Anonymisation automatique ${retentionMonths} mois après la fin du contrat, chaque nuit à 3 h. Export et effacement sur demande de la personne.`}
      />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {/* workerId is a hidden field: its message is the form's. */}
      {errors.form || errors.participantId ? <Alert kind="error">{errors.form ?? errors.participantId}</Alert> : null}
      {toErase && !data?.done ? (
        <Card title={`Effacer ${toErase.firstName} ${toErase.lastInitial}.`}>
          <p>Le prénom et l'initiale, les compétences, disponibilités et absences sont effacés tout de suite. Les heures travaillées restent, sans nom, pour les bilans.</p>
          <AppForm className="form" noValidate>
            <input type="hidden" name="intent" value="erase" />
            <input type="hidden" name="participantId" value={toErase.id} />
            <Checkbox label="Je confirme l'effacement, à la demande de la personne" name="confirm" />
            {errors.confirm ? <span className="error">{errors.confirm}</span> : null}
            <div className="row">
              <SubmitButton variant="danger">Effacer définitivement</SubmitButton>
              <Link to="/admin/workers">Annuler</Link>
            </div>
          </AppForm>
        </Card>
      ) : null}
      <Card title="Personnes">
        {participants.length === 0 ? (
          <EmptyState>Aucune personne.</EmptyState>
        ) : (
          <Table
            rows={participants}
            rowKey={(w) => w.id}
            columns={[
              { title: "Personne", cell: (w) => (w.anonymisedAt ? <span className="muted">{w.id}</span> : `${w.firstName} ${w.lastInitial}.`) },
              {
                title: "Contrat",
                cell: (w) => (
                  <>
                    du {formatDate(w.contractStart)} au {formatDate(w.contractEnd)}
                  </>
                ),
              },
              {
                title: "État",
                cell: (w) =>
                  w.anonymisedAt ? <Badge>Anonymisée le {formatDate(w.anonymisedAt)}</Badge> : w.due ? <Badge tone="amber">À anonymiser cette nuit</Badge> : <Badge tone="green">Conservée</Badge>,
              },
              {
                title: "Actions",
                quiet: true,
                cell: (w) => (
                  <div className="row">
                    <a className="button secondary small" href={`/admin/workers/${w.id}/export`} download>
                      Exporter<span className="visually-hidden"> les données {ofName(w.anonymisedAt ? w.id : `${w.firstName} ${w.lastInitial}.`)}</span>
                    </a>
                    {w.anonymisedAt ? null : (
                      <Link className="button danger small" to={`?erase=${w.id}`}>
                        Effacer
                        <span className="visually-hidden">
                          {" "}
                          {w.firstName} {w.lastInitial}.
                        </span>
                      </Link>
                    )}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
