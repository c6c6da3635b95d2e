import type { LoaderFunctionArgs } from "@remix-run/node";
import { encadrantCalendarFeed } from "~/data/calendar.server.ts";
import { buildCalendar } from "~/domain/ical/ics.ts";

// An encadrant's planning for their phone's calendar, at a secret address (no session:
// calendar apps cannot sign in). The token is stored hashed; regenerating it revokes this one.
export async function loader({ params }: LoaderFunctionArgs) {
  // The address ends in ".ics" (calendar apps like it): the token is what comes before.
  const feed = await encadrantCalendarFeed((params.token ?? "").replace(/\.ics$/, ""));
  if (!feed) return new Response("Agenda introuvable.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(buildCalendar(feed.name, feed.events), {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="planning.ics"' },
  });
}
