import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, forbidden, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { DecisionCard, InterventionsCard, MessagesCard, QuoteCard, RequestDetailsCard, RecurrenceCard, TrackingCard } from "~/components/request-detail.tsx";
import { Alert, Badge, PageHeader } from "~/components/ui.tsx";
import { actOnRequest, mayAct, requestPage } from "~/data/request-page.server.ts";
import { getRequest } from "~/data/requests.server.ts";
import { MAX_TEXT } from "~/domain/requests/order.ts";
import { STATUS_LABELS, STATUS_TONES } from "~/domain/requests/status.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.serviceRequest.reference ?? "Demande"} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const id = params.id ?? "";
  const page = await requestPage(actorOf(user), id);
  if (!page) return notFound(request, user, { type: "ServiceRequest", id: id.slice(0, 40) });
  return json(page);
}

const reasonField = z.string({ error: "Indiquez le motif." }).trim().min(3, "Indiquez le motif, en une phrase au moins.").max(MAX_TEXT, "2 000 caractères au plus.");
const schema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("accept-quote") }),
    z.object({ intent: z.literal("validate") }),
    z.object({ intent: z.literal("decline"), reason: reasonField }),
    z.object({ intent: z.literal("stop-series"), stopReason: reasonField }),
    z.object({
      intent: z.literal("series-time"),
      startTime: z
        .string({ error: "Indiquez une heure de début." })
        .trim()
        .regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, "Indiquez une heure de début au quart d'heure (par exemple 08:30)."),
    }),
    z.object({
      intent: z.literal("message"),
      body: z.string({ error: "Écrivez votre message." }).trim().min(1, "Écrivez votre message.").max(MAX_TEXT, "2 000 caractères au plus."),
    }),
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const actor = actorOf(user);
  const id = params.id ?? "";
  const found = id.length <= 40 ? await getRequest(actor, id) : null;
  if (!found) return notFound(request, user, { type: "ServiceRequest", id: id.slice(0, 40) });
  if (!mayAct(actor, parsed.data.intent)) throw forbidden();
  const result = await actOnRequest(actor, found.id, parsed.data);
  if (!result.ok) {
    if (result.status === 404) return notFound(request, user, { type: "ServiceRequest", id: found.id });
    const values = Object.fromEntries(Object.entries(parsed.data).map(([k, v]) => [k, String(v)])) as Record<string, string>;
    return json({ errors: { [result.field ?? "form"]: result.message } as FieldErrors, values, done: null }, { status: result.status });
  }
  return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: result.message });
}

/** What the intervention page did, told back here after its redirect. */
const CHANGE_NOTICES: Record<string, string> = {
  annulee: "Intervention annulée.",
  serie: "Les interventions à venir de la série sont annulées.",
  deplacee: "Intervention déplacée : la coordination recompose l'équipe pour la nouvelle date.",
};

export default function RequestDetail() {
  const page = useLoaderData<typeof loader>();
  const { serviceRequest: r, recurrence } = page;
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const form = { errors: (data?.errors ?? {}) as Record<string, string>, values: (data?.values ?? {}) as Record<string, string> };
  const sentNotice = params.get("envoyee") && page.canAcceptQuote ? "Demande envoyée. Voici votre devis : acceptez-le pour lancer la planification." : null;
  const message = data?.done ?? sentNotice ?? CHANGE_NOTICES[params.get("modifiee") ?? ""] ?? null;
  return (
    <div className="stack">
      <p>
        <Link to="/requests">← Toutes les demandes</Link>
      </p>
      <PageHeader
        title={`${r.reference} · ${r.prestation.name}`}
        description={`${r.organisation.name} — ${r.site.name}`}
        actions={<Badge tone={STATUS_TONES[r.status]}>{STATUS_LABELS[r.status]}</Badge>}
      />
      {message ? <Alert kind="success">{message}</Alert> : null}
      {form.errors.form ? <Alert kind="error">{form.errors.form}</Alert> : null}
      <TrackingCard timeline={page.timeline} history={page.history} />
      <QuoteCard serviceRequest={r} quote={page.quote} canAcceptQuote={page.canAcceptQuote} />
      {page.canDecide ? <DecisionCard canValidate={page.canValidate} form={form} /> : null}
      <RequestDetailsCard serviceRequest={r} />
      {recurrence ? <RecurrenceCard recurrence={recurrence} canChangeRecurrence={page.canChangeRecurrence} deadlineHours={page.deadlineHours} form={form} /> : null}
      <InterventionsCard serviceRequest={r} canChange={page.canChange} callCoordination={page.callCoordination} deadlineHours={page.deadlineHours} />
      <MessagesCard messages={r.messages} canWrite={page.canWrite} form={form} sent={data?.done ?? null} />
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
