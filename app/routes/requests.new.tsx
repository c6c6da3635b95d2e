import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { OrderForm } from "~/components/order-form.tsx";
import { createRequest, orderForm, orderRuleErrors } from "~/data/requests.server.ts";
import { orderSchema } from "~/domain/requests/order.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Commander une prestation · La Conciergerie Solidaire" }];

// `?prestation=<id>` from the catalogue preselects it; anything else is ignored.
const orderQuery = z.object({ prestation: z.string().max(64).nullable().catch(null) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.order");
  const query = orderQuery.parse({ prestation: new URL(request.url).searchParams.get("prestation") });
  return json(await orderForm(actorOf(user), query.prestation));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "requests.order");
  const parsed = parseForm(await readForm(request), orderSchema);
  if (!parsed.ok) {
    // Every problem at once: the rules of the date and hours too, where those fields read well.
    const v = parsed.values;
    const readable = (field: string) => !parsed.errors[field];
    const rules = await orderRuleErrors(actorOf(user), {
      prestationId: readable("prestationId") ? v.prestationId : undefined,
      date: readable("date") && /^\d{4}-\d{2}-\d{2}$/.test(v.date ?? "") ? v.date : undefined,
      startTime: readable("startTime") && /^([01]\d|2[0-3]):(00|15|30|45)$/.test(v.startTime ?? "") ? v.startTime : undefined,
      durationMinutes: readable("durationMinutes") ? v.durationMinutes : undefined,
      teamSize: readable("teamSize") ? v.teamSize : undefined,
      purchaseOrderNumber: v.purchaseOrderNumber,
    });
    return json({ errors: { ...rules, ...parsed.errors }, values: parsed.values }, { status: 400 });
  }
  const result = await createRequest(actorOf(user), parsed.data);
  if (!result.ok) {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.data)) if (v !== null && v !== undefined) values[k] = String(v);
    return json({ errors: result.errors as FieldErrors, values }, { status: 400 });
  }
  return redirect(`/requests/${result.id}?envoyee=1`);
}

export default function NewRequest() {
  const form = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  return (
    <div className="stack">
      <p>
        <Link to="/catalogue">← Catalogue</Link>
      </p>
      <PageHeader title="Commander une prestation" description="Vous recevez un devis à accepter ; la coordination compose ensuite l'équipe." />
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      {Object.keys(errors).length > 0 && !errors.form ? <Alert kind="error">Certains champs sont à corriger : voyez les messages sous chacun.</Alert> : null}
      <OrderForm {...form} errors={errors} values={values} />
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
