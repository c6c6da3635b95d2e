import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireCapability } from "~/auth/auth.server.ts";
import { isRedisUnavailable } from "~/queues/connection.server.ts";
import { jobStatus } from "~/queues/job-status.server.ts";
import { logError } from "~/utils/log.server.ts";

// The state and progress of an invoicing run, polled by the finance page's progress bar.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCapability(request, "finance.view");
  const jobId = params.jobId ?? "";
  if (!/^invoicing-[\w-]{1,120}$/.test(jobId)) return json({ message: "Traitement inconnu." }, { status: 404 });
  try {
    const status = await jobStatus("invoicing", jobId);
    return json(status ?? { state: "pending", progress: 0, result: null, failedReason: null }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    // Redis down or stalled: the run waits (in the outbox or the queue); the page says so and asks again.
    if (isRedisUnavailable(error)) {
      return json(
        { state: "pending", progress: 0, result: null, failedReason: null, message: "En attente : la file de traitement ne répond pas pour l'instant, la page réessaie." },
        { headers: { "Cache-Control": "no-store" } },
      );
    }
    // Anything else is a bug: logged, and said, instead of a progress bar that waits for ever.
    logError("finance.run_status_failed", error, { jobId });
    return json(
      {
        state: "unknown",
        progress: 0,
        result: null,
        failedReason: null,
        message:
          "Le suivi de ce traitement a rencontré une erreur, enregistrée dans le journal technique. Le traitement lui-même continue : rechargez la page dans un instant ; si cela se répète, prévenez l'administration.",
      },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
