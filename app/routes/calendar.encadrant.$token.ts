import type { LoaderFunctionArgs } from "@remix-run/node";
import { calendarFeed } from "~/data/my-day.server.ts";
import { buildCalendar } from "~/domain/ical/ics.ts";
import { accessNoteOf } from "~/domain/planning/sheet-pdf.ts";
import { formatCount } from "~/utils/format.ts";

// An encadrant's planning for their phone's calendar, at a secret address (no session:
// calendar apps cannot sign in). The token is stored hashed; regenerating it revokes this one.
// The order's own access note ("Badge à retirer… M. Martin") before the site's usual one.
const accessOf = (i: { request: { accessInstructions: string | null }; site: { accessNotes: string | null } }) => accessNoteOf(i.request.accessInstructions, i.site.accessNotes);

export async function loader({ params }: LoaderFunctionArgs) {
  // The address ends in ".ics" (calendar apps like it): the token is what comes before.
  const feed = await calendarFeed((params.token ?? "").replace(/\.ics$/, ""));
  if (!feed) return new Response("Agenda introuvable.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = buildCalendar(
    `Conciergerie Solidaire, ${feed.supervisor.firstName} ${feed.supervisor.lastName}`,
    feed.interventions.map((i) => ({
      uid: `${i.id}@conciergerie-solidaire`,
      startsAt: i.startsAt,
      endsAt: i.endsAt,
      summary: `${i.request.prestation.name} · ${i.site.name}`,
      location: `${i.site.address}, ${i.site.postalCode} ${i.site.city}`,
      description: `Équipe de ${formatCount(i.workersNeeded, "personne")}.${accessOf(i) ? ` Accès : ${accessOf(i)}` : ""}`,
      cancelled: i.status === "CANCELLED",
    })),
  );
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="planning.ics"' },
  });
}
