import { Link, useFetcher, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { describeWeeklySolver, type WeeklySolverReport } from "~/domain/scheduling/weekly-solver.ts";
import { formatCount, plural } from "~/utils/format.ts";
import { Alert, Card } from "./ui.tsx";

// The optimisation's progress bar: server-rendered with the state of the moment
// (a refresh link works without JavaScript), then polled every second.

export type RunStats = {
  interventions?: number;
  staffed?: number;
  unstaffed?: number;
  moved?: number;
  milliseconds?: number;
  error?: string;
  /** Which solver planned the week (runs recorded before it was kept have none). */
  solver?: WeeklySolverReport;
};
export type RunProgressData = { status: string; state: string; progress: number; stats: RunStats | null };

export function RunProgress({ runId, initial, refreshHref }: { runId: string; initial: RunProgressData; refreshHref: string }) {
  const fetcher = useFetcher<RunProgressData>();
  const data = fetcher.data ?? initial;
  const finished = data.status !== "running";
  useEffect(() => {
    if (finished || fetcher.state !== "idle") return;
    const timer = setTimeout(() => fetcher.load(`/planning/runs/${encodeURIComponent(runId)}`), 1000);
    return () => clearTimeout(timer);
  }, [fetcher, finished, runId]);
  // When the run ends while the page is open, reload the board under it: the
  // report and the "Sans équipe" list must tell the same story.
  const revalidator = useRevalidator();
  const endedHere = initial.status === "running" && fetcher.data !== undefined && fetcher.data.status !== "running";
  useEffect(() => {
    if (endedHere && revalidator.state === "idle") revalidator.revalidate();
  }, [endedHere]);
  const progress = data.status === "done" ? 100 : data.progress;
  const stats = data.stats;
  return (
    <Card title="Optimisation de la semaine">
      <div className="stack">
        <label htmlFor="run-progress">
          {data.status === "done" ? "Terminé" : data.status === "failed" ? "Échec" : data.state === "active" ? `En cours… ${progress} %` : "En attente du traitement…"}
        </label>
        <progress id="run-progress" className="run-progress" max={100} value={progress}>
          {progress} %
        </progress>
        {data.status === "done" && stats ? (
          <Alert kind="success">
            <strong>Rapport :</strong> {formatCount(stats.interventions ?? 0, "intervention")} {plural(stats.interventions ?? 0, "examinée")}, {stats.staffed ?? 0} avec une
            équipe, {stats.unstaffed ?? 0} sans équipe, {stats.moved ?? 0} {plural(stats.moved ?? 0, "déplacée")} dans leur créneau. <Link to={refreshHref.replace(/[?&]run=[^&]*/, "")}>Voir le planning à jour</Link>
            {stats.solver ? (
              <ul className="run-solver" aria-label="Qualité du plan">
                {describeWeeklySolver(stats.solver).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : null}
          </Alert>
        ) : null}
        {data.status === "failed" ? <Alert kind="error">L'optimisation a échoué : {stats?.error ?? "erreur inconnue"}. Elle sera retentée automatiquement.</Alert> : null}
        {!finished ? (
          <p className="small">
            <a href={refreshHref}>Actualiser</a> <span className="muted">(la page se met à jour seule quand JavaScript est actif)</span>
          </p>
        ) : null}
      </div>
    </Card>
  );
}
