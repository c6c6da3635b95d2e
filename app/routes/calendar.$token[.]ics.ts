import type { LoaderFunctionArgs } from "@remix-run/node";
import { calendarFeed } from "~/data/calendar.server.ts";
import { buildCalendar } from "~/domain/ical/ics.ts";

// A partner's iCalendar feed, at the secret URL shown once on /account.
export async function loader({ params }: LoaderFunctionArgs) {
  const feed = await calendarFeed(params.token ?? "");
  if (!feed) return new Response("Calendrier introuvable ou révoqué.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(buildCalendar(feed.name, feed.events), {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer" },
  });
}
