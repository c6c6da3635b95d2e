import type { LoaderFunctionArgs } from "@remix-run/node";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { auditPeopleExport } from "~/data/people.server.ts";
import { weekBoard } from "~/data/planning.server.ts";
import { boardWeek, readBoardFilters } from "~/domain/planning/board.ts";
import { weekPlanningPdf, type SheetLine } from "~/domain/planning/sheet-pdf.ts";
import { formatDate, formatShortDate, formatTime } from "~/utils/format.ts";
import { addDays } from "~/utils/paris-time.ts";

// The whole week of the planning board on paper (the same filters as the
// board), in the layout of a person's weekly sheet: one section per encadrant.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "planning.view");
  const url = new URL(request.url);
  const week = boardWeek(url.searchParams);
  const board = await weekBoard(week, readBoardFilters(url.searchParams));
  const line = (i: (typeof board.interventions)[number]): SheetLine => ({
    day: formatShortDate(i.startsAt),
    time: `${formatTime(i.startsAt)} – ${formatTime(i.endsAt)}`,
    site: i.site,
    address: i.address,
    prestation: `${i.prestation} (${i.reference})`,
    team: `${i.team.length}/${i.participantsNeeded}${i.team.length ? ` : ${i.team.map((t) => t.name).join(", ")}` : ""}`,
    accessNotes: null,
  });
  const unstaffed = board.interventions.filter((i) => i.status === "ACCEPTED" || !i.supervisorId);
  const sections = [
    ...(unstaffed.length ? [{ title: `Sans équipe (${unstaffed.length})`, lines: unstaffed.map(line) }] : []),
    ...board.supervisors.map((s) => ({ title: s.name, lines: board.interventions.filter((i) => i.supervisorId === s.id && i.status !== "ACCEPTED").map(line) })).filter((s) => s.lines.length > 0),
  ];
  const count = board.interventions.length;
  const bytes = await weekPlanningPdf({
    week: `Semaine du ${formatDate(`${week}T12:00:00Z`)} au ${formatDate(`${addDays(week, 6)}T12:00:00Z`)}`,
    summary: `${count === 0 ? "Aucune intervention" : count === 1 ? "1 intervention" : `${count} interventions`}${count < board.total ? ` (filtrées sur ${board.total})` : ""}, dont ${unstaffed.length} sans équipe.`,
    sections,
  });
  await auditPeopleExport(actorOf(user), `planning-week-${week}`);
  return new Response(Buffer.from(bytes), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="planning-semaine-${week}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
