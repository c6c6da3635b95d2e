import { Link, useFetcher, useRevalidator } from "@remix-run/react";
import { useEffect, type FormEvent, type ReactNode } from "react";
import type { MoveFeedback } from "~/domain/planning/move.ts";
import { ruleLabel } from "~/domain/planning/steering.ts";
import { describeWeeklySolver, type WeeklySolverReport } from "~/domain/scheduling/weekly-solver.ts";
import { formatCount, plural } from "~/utils/format.ts";
import { Alert, AppForm, Badge, Card, Field, SubmitButton } from "./ui.tsx";

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
  // biome-ignore lint/correctness/useExhaustiveDependencies: once when the run ends; revalidator changes at every revalidation, which would reload again.
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
            <strong>Rapport :</strong> {formatCount(stats.interventions ?? 0, "intervention")} {plural(stats.interventions ?? 0, "examinée")}, {stats.staffed ?? 0} avec une équipe,{" "}
            {stats.unstaffed ?? 0} sans équipe, {stats.moved ?? 0} {plural(stats.moved ?? 0, "déplacée")} dans leur créneau.{" "}
            <Link to={refreshHref.replace(/[?&]run=[^&]*/, "")}>Voir le planning à jour</Link>
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

type Checked = { checked: boolean; violations: { rule: string; message: string }[]; message: string | null };

/** The staffing rules a change breaks (the engine's own check), or that it breaks none. */
export function Violations({ data, subject, ok }: { data: Checked | undefined; subject: string; ok: string }) {
  if (!data?.checked) return null;
  if (data.message) return <Alert kind="error">{data.message}</Alert>;
  if (data.violations.length === 0) return <Alert kind="success">{ok}</Alert>;
  return (
    <div className="alert error" role="alert">
      <strong>
        {subject} enfreint {data.violations.length === 1 ? "une règle" : `${data.violations.length} règles`} :
      </strong>
      <ul className="violations">
        {data.violations.map((v, i) => (
          <li key={i}>
            <Badge tone="red">{ruleLabel(v.rule)}</Badge> {v.message}
          </li>
        ))}
      </ul>
      <span>Modifiez votre choix, ou cochez « Forcer » et expliquez pourquoi : ce choix sera enregistré au journal.</span>
    </div>
  );
}

/**
 * Moving an intervention to another date and time. For the coordination
 * (canForce), every change is checked at once against the staffing rules
 * with the team kept, and a move that breaks one can be forced with a reason.
 */
export function MoveCard({ current, feedback, canForce, intro }: { current: { date: string; startTime: string }; feedback?: MoveFeedback; canForce: boolean; intro?: ReactNode }) {
  const preview = useFetcher<{ move: MoveFeedback }>();
  const live = preview.state === "idle" ? preview.data?.move : undefined;
  const shown = live && live !== feedback ? live : feedback;
  const errors: Record<string, string> = { ...(shown?.errors ?? {}), ...(feedback?.errors.reason ? { reason: feedback.errors.reason } : {}) };
  const values = feedback?.values ?? {};
  const check = (event: FormEvent<HTMLFormElement>) => {
    if (!canForce || (event.target as HTMLElement).getAttribute("name") === "reason") return;
    const form = new FormData(event.currentTarget);
    form.set("intent", "check-move");
    preview.submit(form, { method: "post" });
  };
  return (
    <Card title="Déplacer cette intervention">
      <AppForm className="form" onChange={check} noValidate>
        {intro}
        <div className="field-row">
          <Field label="Nouvelle date" name="date" id="move-date" error={errors.date}>
            <input type="date" defaultValue={values.date ?? current.date} />
          </Field>
          <Field label="Heure de début" name="startTime" id="move-start" error={errors.startTime}>
            <input type="time" step={900} defaultValue={values.startTime ?? current.startTime} />
          </Field>
        </div>
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        {canForce ? (
          <>
            {/* A date or time refused next to its field is not "no rule broken". */}
            <Violations
              data={shown && Object.keys(shown.errors).length === 0 ? shown : undefined}
              subject="À cette date, l'équipe"
              ok="Aucune règle enfreinte : ce déplacement peut être enregistré."
            />
            <fieldset className="fieldset">
              <legend>Forcer une règle</legend>
              <label className="check">
                <input type="checkbox" name="force" defaultChecked={values.force === "on"} /> Forcer : déplacer avec l'équipe même si une règle est enfreinte
              </label>
              <Field label="Pourquoi forcer ce déplacement (obligatoire pour forcer)" name="reason" id="move-reason" error={errors.reason}>
                <textarea rows={2} maxLength={500} defaultValue={values.reason} />
              </Field>
            </fieldset>
          </>
        ) : shown?.message ? (
          <Alert kind="error">{shown.message}</Alert>
        ) : null}
        <div className="row">
          <SubmitButton name="intent" value="move">
            Déplacer
          </SubmitButton>
          {canForce ? (
            <SubmitButton name="intent" value="check-move" variant="secondary">
              Vérifier le déplacement
            </SubmitButton>
          ) : null}
        </div>
      </AppForm>
    </Card>
  );
}
