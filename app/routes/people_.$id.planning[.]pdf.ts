import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { auditPeopleExport, participantWeek } from "~/data/people.server.ts";
import { accessNoteOf, planningSheetPdf } from "~/domain/planning/sheet-pdf.ts";
import { formatDate, formatMinutes, formatShortDate, formatTime } from "~/utils/format.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { isDayWithin, isRecordId } from "~/utils/validation.ts";

// A person's printable weekly planning (they have no account): the encadrant hands it out.
const weekSchema = z
  .string()
  .refine((v) => isDayWithin(v, "search"))
  .transform((v) => parisWeekStart(fromParisLocal(`${v}T12:00`)))
  .catch(() => parisWeekStart(new Date()));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "people.view");
  const id = params.id ?? "";
  const week = weekSchema.parse(new URL(request.url).searchParams.get("week") ?? "");
  const participant = isRecordId(id) ? await participantWeek(actorOf(user), id, week) : null;
  if (!participant) return notFound(request, user, { type: "Worker", id: id.slice(0, 40) });
  const total = participant.assignments.reduce((s, a) => s + a.intervention.durationMinutes, 0);
  const bytes = await planningSheetPdf({
    person: `${participant.firstName} ${participant.lastInitial}.`,
    week: `Semaine du ${formatDate(`${week}T12:00:00Z`)} au ${formatDate(`${addDays(week, 6)}T12:00:00Z`)}`,
    totalHours: formatMinutes(total),
    targetHours: formatMinutes(participant.weeklyTargetMinutes),
    lines: participant.assignments.map(({ intervention: i }) => ({
      day: formatShortDate(i.startsAt),
      time: `${formatTime(i.startsAt)} – ${formatTime(i.endsAt)}`,
      site: i.site.name,
      address: `${i.site.address}, ${i.site.postalCode} ${i.site.city}`,
      prestation: i.serviceRequest.prestation.name,
      encadrant: i.supervisor ? `${i.supervisor.firstName} ${i.supervisor.lastName}` : "à confirmer",
      accessNotes: accessNoteOf(i.serviceRequest.accessInstructions, i.site.accessNotes),
    })),
  });
  await auditPeopleExport(actorOf(user), `planning-sheet-${participant.id}-${week}`);
  return new Response(Buffer.from(bytes), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="planning-${participant.firstName}-${week}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
