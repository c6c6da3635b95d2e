import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireCapability } from "~/auth/auth.server.ts";
import { getPlanningRun } from "~/data/planning.server.ts";
import { runProgress } from "~/queues/planning-progress.server.ts";

// The progress of a week's optimisation, polled by the planning board every second.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCapability(request, "planning.view");
  const runId = params.runId ?? "";
  const run = /^[\w-]{1,40}$/.test(runId) ? await getPlanningRun(runId) : null;
  if (!run) return json({ message: "Optimisation inconnue." }, { status: 404 });
  return json(await runProgress(run), { headers: { "Cache-Control": "no-store" } });
}
