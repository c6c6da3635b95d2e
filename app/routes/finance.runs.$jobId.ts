import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireCapability } from "~/auth/auth.server.ts";
import { jobStatus } from "~/queues/job-status.server.ts";

// The state and progress of an invoicing run, polled by the finance page's progress bar.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCapability(request, "finance.view");
  const jobId = params.jobId ?? "";
  if (!/^invoicing-[\w-]{1,120}$/.test(jobId)) return json({ message: "Traitement inconnu." }, { status: 404 });
  try {
    const status = await jobStatus("invoicing", jobId);
    return json(status ?? { state: "pending", progress: 0, result: null, failedReason: null }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    // Redis down or stalled: the run waits (in the outbox or the queue); the page says so and asks again.
    return json(
      { state: "pending", progress: 0, result: null, failedReason: null, message: "En attente : la file de traitement ne répond pas pour l'instant, la page réessaie." },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
}
