import { describe, expect, it } from "vitest";
import { buildCalendar, plainText } from "./ics.ts";

describe("iCalendar feed", () => {
  const event = {
    uid: "int-1@conciergerie",
    startsAt: new Date("2026-12-08T08:00:00Z"),
    endsAt: new Date("2026-12-08T11:00:00Z"),
    summary: "Nettoyage des passerelles, Gare de Lyon",
    location: "Place Louis-Armand; 75012 Paris",
    description: "Équipe de 4 personnes\nEncadrant : Sandrine Lefebvre",
  };

  it("writes UTC times, escapes text and ends lines with CRLF", () => {
    const ics = buildCalendar("SNCF — interventions", [event], new Date("2026-11-29T10:00:00Z"));
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//La Conciergerie Solidaire//Conciergerie//FR\r\n")).toBe(true);
    expect(ics).toContain("X-WR-CALNAME:SNCF — interventions\r\n");
    expect(ics).toContain("DTSTART:20261208T080000Z\r\n");
    expect(ics).toContain("DTEND:20261208T110000Z\r\n");
    expect(ics).toContain("SUMMARY:Nettoyage des passerelles\\, Gare de Lyon\r\n");
    expect(ics).toContain("LOCATION:Place Louis-Armand\\; 75012 Paris\r\n");
    expect(ics).toContain("STATUS:CONFIRMED");
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
  });

  it("folds long lines at 75 octets without splitting a character", () => {
    const ics = buildCalendar("x", [{ ...event, description: "é".repeat(100) }]);
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).toContain(`DESCRIPTION:${"é".repeat(100)}`);
  });

  it("marks cancelled interventions so calendars remove them", () => {
    expect(buildCalendar("x", [{ ...event, cancelled: true }])).toContain("STATUS:CANCELLED");
  });

  it("escapes text per RFC 5545: no value can open a line of its own, even with a bare CR", () => {
    expect(plainText("a\\b;c,d\r\ne\nf\rg")).toBe("a\\b;c,d\ne\nf\ng");
    expect(plainText("x\u0000y\u2028z")).toBe("xy\nz");
    expect(buildCalendar("x", [{ ...event, summary: "a\\b;c,d\r\ne\u0000" }])).toContain("SUMMARY:a\\\\b\\;c\\,d\\ne\r\n");
    const ics = buildCalendar("x", [{ ...event, summary: "Quai\rBEGIN:VALARM", location: "Quai\r\nEND:VEVENT", description: "a\nBEGIN:VALARM\rTRIGGER:-PT5M" }]);
    // Lines are split on CRLF only by a reader; no line (nor a bare CR) may start a component.
    expect(ics).not.toMatch(/\r(?!\n)/);
    expect(ics).not.toMatch(/(^|[\r\n])(BEGIN:VALARM|TRIGGER|END:VEVENT\r\nEND:VEVENT)/);
    expect(ics.split("\r\n").filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
    expect(ics).toContain("SUMMARY:Quai\\nBEGIN:VALARM\r\n");
  });
});
