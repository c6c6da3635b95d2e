import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { RunProgress, type RunProgressData } from "~/components/planning.tsx";
import { Alert, AppForm, Badge, Card, EmptyState, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { getPlanningRun, requestOptimisation, weekBoard } from "~/data/planning.server.ts";
import { can } from "~/domain/access/roles.ts";
import { ruleLabel } from "~/domain/planning/steering.ts";
import { runProgress } from "~/queues/planning-progress.server.ts";
import { formatCount, formatDate, formatShortDate, formatTime } from "~/utils/format.ts";
import { addDays, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { parseForm } from "~/utils/validation.ts";
import { BOARD_STATUS_LABELS, BOARD_STATUSES, boardQuery, boardWeek, readBoardFilters, weekParam, type BoardFilters } from "~/domain/planning/board.ts";

export const meta: MetaFunction = () => [{ title: "Planning · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "planning.view");
  const url = new URL(request.url);
  const week = boardWeek(url.searchParams);
  const filters = readBoardFilters(url.searchParams);
  const board = await weekBoard(week, filters);
  const runId = url.searchParams.get("run");
  const run = runId && /^[\w-]{1,40}$/.test(runId) ? await getPlanningRun(runId) : null;
  return json({
    week,
    thisWeek: parisWeekStart(new Date()),
    filters,
    days: Array.from({ length: 7 }, (_, i) => addDays(week, i)),
    today: toParisDate(new Date()),
    canManage: can(user.role, "planning.manage"),
    board,
    run: run ? { id: run.id, progress: (await runProgress(run)) as RunProgressData } : null,
  });
}

const schema = z.object({ intent: z.literal("optimise", { error: "Action inconnue." }), week: weekParam });

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "planning.manage");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors }, { status: 400 });
  const runId = await requestOptimisation(actorOf(user), parsed.data.week);
  return redirect(`/planning?week=${parsed.data.week}&run=${encodeURIComponent(runId)}`);
}

type BoardIntervention = ReturnType<typeof useLoaderData<typeof loader>>["board"]["interventions"][number];

function InterventionChip({ i }: { i: BoardIntervention }) {
  const staffed = i.team.length;
  return (
    <div className={`plan-item ${i.status === "ACCEPTED" ? "unstaffed" : ""}`}>
      <Link to={`/planning/interventions/${i.id}`} className="plan-time" title="Équipe, date et heure de l'intervention">
        {formatTime(i.startsAt)}–{formatTime(i.endsAt)} · {i.site}
      </Link>
      <span className="plan-meta">
        {i.prestation} <Badge tone={staffed >= i.participantsNeeded ? "green" : "amber"}>{`${staffed}/${i.participantsNeeded}`}</Badge>
        {i.supervisorPinned ? <Badge tone="blue">épinglée</Badge> : null}
        {i.overtime || i.team.some((t) => t.overLimit) ? <Badge tone="red">heures à vérifier</Badge> : null}
      </span>
      {i.team.length > 0 ? (
        <span className="plan-team">
          {i.team.map((t) => (
            <span key={t.id} className={t.overLimit ? "over" : undefined}>
              {t.name}
              {t.pinned ? " 📌" : ""}
            </span>
          ))}
        </span>
      ) : null}
    </div>
  );
}

/** One filter of the board: "all" first, then the choices; the current one selected. */
function FilterSelect({ name, label, all, value, options }: { name: string; label: string; all: string; value: string | undefined; options: { id: string; name: string }[] }) {
  return (
    <div className="field">
      <label htmlFor={`board-${name}`}>{label}</label>
      <select id={`board-${name}`} name={name} defaultValue={value ?? ""}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function Planning() {
  const { week, thisWeek, filters, days, today, canManage, board, run } = useLoaderData<typeof loader>();
  const query = (w: string, f: BoardFilters = filters) => boardQuery(w, f);
  const filtered = Object.keys(filters).length > 0;
  const unstaffed = board.interventions.filter((i) => i.status === "ACCEPTED" || !i.supervisorId);
  const staffed = board.interventions.filter((i) => i.supervisorId && i.status !== "ACCEPTED");
  const rows = board.supervisors.map((s) => ({ ...s, items: staffed.filter((i) => i.supervisorId === s.id) }));
  const dayOf = (d: string) => toParisDate(new Date(d));
  const overLimit = board.interventions.filter((i) => i.overtime || i.team.some((t) => t.overLimit)).length;
  // The optimise form has hidden fields only (intent, week): any message is the form's.
  const refused = Object.values(useActionData<typeof action>()?.errors ?? {})[0];
  return (
    <div className="stack">
      <PageHeader
        title="Planning"
        description={`Semaine du ${formatDate(`${week}T12:00:00Z`)} au ${formatDate(`${days[6]}T12:00:00Z`)}`}
        actions={
          <>
            <Link className="button secondary" to={`/planning?${query(addDays(week, -7))}`}>
              ← Semaine précédente
            </Link>
            <Link className="button secondary" to={`/planning?${query(thisWeek)}`} aria-current={week === thisWeek ? "page" : undefined}>
              Aujourd'hui
            </Link>
            <Link className="button secondary" to={`/planning?${query(addDays(week, 7))}`}>
              Semaine suivante →
            </Link>
            <a className="button secondary" href={`/planning/week.pdf?${query(week)}`}>
              Imprimer la semaine (PDF)
            </a>
            {canManage ? (
              <AppForm>
                <input type="hidden" name="intent" value="optimise" />
                <input type="hidden" name="week" value={week} />
                <SubmitButton>Optimiser la semaine</SubmitButton>
              </AppForm>
            ) : null}
          </>
        }
      />
      {/* Keyed by the address: after a link (Aujourd'hui, the next week) the fields show the board's own values. */}
      <Form method="get" className="filters" aria-label="Semaine et filtres du planning" key={query(week)}>
        <div className="field">
          <label htmlFor="board-week">Semaine du</label>
          <input id="board-week" type="date" name="week" defaultValue={week} />
        </div>
        <FilterSelect name="encadrant" label="Encadrant" all="Tous" value={filters.encadrant} options={board.options.supervisors} />
        <FilterSelect name="site" label="Site" all="Tous" value={filters.site} options={board.options.sites} />
        <FilterSelect name="prestation" label="Prestation" all="Toutes" value={filters.prestation} options={board.options.prestations} />
        <FilterSelect name="status" label="Statut" all="Tous" value={filters.status} options={BOARD_STATUSES.map((st) => ({ id: st, name: BOARD_STATUS_LABELS[st] }))} />
        <button type="submit" className="button secondary">
          Afficher
        </button>
        {filtered ? (
          <Link to={`/planning?week=${week}`} className="small">
            Effacer les filtres
          </Link>
        ) : null}
      </Form>
      {filtered ? (
        <p className="muted small" role="status">
          {board.interventions.length} intervention{board.interventions.length > 1 ? "s" : ""} sur {board.total} cette semaine correspondent aux filtres.
        </p>
      ) : null}
      {refused ? <Alert kind="error">{refused}</Alert> : null}
      {run ? <RunProgress runId={run.id} initial={run.progress} refreshHref={`/planning?${query(week)}&run=${run.id}`} /> : null}
      {overLimit > 0 ? (
        <Alert kind="info">
          {formatCount(overLimit, "intervention")} avec des heures réalisées loin du prévu ou au-delà du plafond de 16 h : les heures sont enregistrées telles quelles, vérifiez-les.
        </Alert>
      ) : null}
      <Card title={`Sans équipe (${unstaffed.length})`}>
        {unstaffed.length === 0 ? (
          <EmptyState>Toutes les interventions de la semaine ont une équipe.</EmptyState>
        ) : (
          <ul className="unstaffed-list">
            {unstaffed.map((i) => (
              <li key={i.id}>
                <Link to={`/planning/interventions/${i.id}`}>
                  {formatShortDate(i.startsAt)} {formatTime(i.startsAt)}–{formatTime(i.endsAt)} · {i.site} · {i.prestation} ({i.participantsNeeded} pers.)
                </Link>
                {i.unstaffedRule ? (
                  <span className="plan-reason">
                    <Badge tone="amber">{ruleLabel(i.unstaffedRule)}</Badge> {i.unstaffedReason}
                  </span>
                ) : (
                  <span className="plan-reason muted">En attente du planificateur.</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <section className="card plan-card" aria-label="Semaine par encadrant">
        <h2>Par encadrant</h2>
        <div className="plan-scroll">
          <table className="table plan-grid">
            <thead>
              <tr>
                <th scope="col">Encadrant</th>
                {days.map((d) => (
                  <th scope="col" key={d} className={d === today ? "today" : undefined}>
                    {formatShortDate(`${d}T12:00:00Z`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.name}
                    <span className="muted small"> {s.items.length} interv.</span>
                  </th>
                  {days.map((d) => {
                    const items = s.items.filter((i) => dayOf(i.startsAt) === d);
                    return (
                      <td key={d} data-label={formatShortDate(`${d}T12:00:00Z`)} className={items.length === 0 ? "empty-day" : undefined}>
                        {items.map((i) => (
                          <InterventionChip key={i.id} i={i} />
                        ))}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
