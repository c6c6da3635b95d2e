import type { LoaderFunctionArgs } from "@remix-run/node";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { exportParticipantData } from "~/data/participants-admin.server.ts";

// One person's data as JSON (GDPR right of access), downloaded by an admin; audited.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "backoffice.personalData");
  const data = await exportParticipantData(actorOf(user), params.id!);
  if (!data) return notFound(request, user, { type: "Worker", id: params.id! });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="donnees-${params.id}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
