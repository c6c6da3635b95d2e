import { Link, useFetcher, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { formatCount, plural } from "~/utils/format.ts";
import { Alert, Card } from "./ui.tsx";

// Parts of finance's dashboard (/finance): the invoice run followed live, and the bars of its charts.

type RunStatus = { state: string; progress: number; result: Record<string, unknown> | null; failedReason: string | null; message?: string };

/** The run's progress, read every second from the job while it runs; the report at the end. */
export function RunProgress({ jobId, step }: { jobId: string; step: string | null }) {
  const fetcher = useFetcher<RunStatus>();
  const revalidator = useRevalidator();
  const state = fetcher.data?.state ?? "pending";
  const finished = state === "completed" || state === "failed";
  // Once the run ends, the page's figures (drafts waiting, the dashboard) are read again: no reload needed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per end of run; revalidator changes at every revalidation, which would reload again.
  useEffect(() => {
    if (finished) revalidator.revalidate();
  }, [finished]);
  useEffect(() => {
    if (finished) return;
    if (fetcher.state === "idle") {
      const timer = setTimeout(() => fetcher.load(`/finance/runs/${encodeURIComponent(jobId)}`), fetcher.data ? 800 : 0);
      return () => clearTimeout(timer);
    }
  }, [fetcher, finished, jobId]);
  const progress = fetcher.data?.progress ?? 0;
  const result = fetcher.data?.result;
  const label = step === "issue" ? "Émission des factures" : "Préparation des brouillons";
  return (
    <Card title={label}>
      <div className="stack">
        <label htmlFor="run-progress">{finished ? "Terminé" : state === "active" ? "En cours…" : "En attente du traitement…"}</label>
        {fetcher.data?.message ? <p className="muted">{fetcher.data.message}</p> : null}
        <progress id="run-progress" className="run-progress" max={100} value={state === "completed" ? 100 : progress}>
          {progress} %
        </progress>
        {state === "completed" && result ? (
          <Alert kind="success">
            {result.step === "issue"
              ? `${formatCount(Number(result.issued), "facture")} ${plural(Number(result.issued), "émise")} et ${plural(Number(result.issued), "envoyée")}.${Array.isArray(result.blocked) && result.blocked.length > 0 ? ` ${formatCount(result.blocked.length, "brouillon")} non ${plural(result.blocked.length, "émis", "émis")}, mentions obligatoires manquantes : ${(result.blocked as { problems: string[] }[]).flatMap((b) => b.problems).join(" ; ")}.` : ""}`
              : `${formatCount(Number(result.drafts), "brouillon")} ${plural(Number(result.drafts), "prêt")} à vérifier${Number(result.waiting) > 0 ? `, ${formatCount(Number(result.waiting), "intervention")} en attente (contestation ou heures non saisies)` : ""}.`}{" "}
            <Link to={`/finance/invoices?status=${result.step === "issue" ? "OPEN" : "DRAFT"}`}>Voir les factures</Link>
          </Alert>
        ) : null}
        {state === "failed" ? <Alert kind="error">Le traitement a échoué et sera repris automatiquement : {fetcher.data?.failedReason}</Alert> : null}
      </div>
    </Card>
  );
}

/** One bar of the dashboard's charts, with its figure written beside it. */
export function Bar({ label, value, max, text }: { label: string; value: number; max: number; text: string }) {
  return (
    <div className="bar-row">
      <span className="bar-label">{label}</span>
      <meter className="bar" min={0} max={Math.max(1, max)} value={value} aria-label={`${label} : ${text}`} />
      <span className="bar-value">{text}</span>
    </div>
  );
}
