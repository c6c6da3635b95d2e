// iCalendar (RFC 5545) feeds of interventions: partners and encadrants
// subscribe to them from their calendar application. The one writer of both
// feeds, on ical-generator (escaping, 75-octet folding, CRLF).
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";

export type CalendarEvent = {
  uid: string;
  startsAt: Date;
  endsAt: Date;
  summary: string;
  location?: string;
  description?: string;
  cancelled?: boolean;
  updatedAt?: Date;
};

/**
 * Text as it may enter a feed: ical-generator escapes backslash, semicolon,
 * comma and line breaks; before that, Unicode line separators become line
 * breaks and other control characters go, so no value can start a line of its
 * own ("BEGIN:VALARM"), not even through a bare CR.
 */
export const plainText = (s: string) => s.replace(/\r\n|\r|\u2028|\u2029/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");

export function buildCalendar(name: string, events: CalendarEvent[], now = new Date()): string {
  const calendar = ical({
    name: plainText(name),
    prodId: "//La Conciergerie Solidaire//Conciergerie//FR",
    method: ICalCalendarMethod.PUBLISH,
    scale: "GREGORIAN",
    x: [["X-WR-TIMEZONE", "Europe/Paris"]],
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      stamp: e.updatedAt ?? now,
      start: e.startsAt,
      end: e.endsAt,
      summary: plainText(e.summary),
      location: e.location ? plainText(e.location) : null,
      description: e.description ? plainText(e.description) : null,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  // RFC 5545: every content line ends with CRLF, the last one too.
  return `${calendar.toString()}\r\n`;
}
