import { describe, expect, it } from "vitest";
import { slugify, formatDate, formatDateTime, formatDayMonth, formatEuros, formatLongDate, formatMinutes, formatShortDate, formatVatRate, formatCount, ofName, plural } from "./format.ts";

// Intl uses narrow no-break spaces in French: compare with them normalised.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

describe("French formatting", () => {
  it("formats euros from integer cents", () => {
    expect(plain(formatEuros(123456))).toBe("1 234,56 €");
    expect(plain(formatEuros(0))).toBe("0,00 €");
  });
  it("formats dates in Paris time, even near midnight UTC", () => {
    expect(formatDate(new Date("2026-11-29T23:30:00Z"))).toBe("30 novembre 2026");
    expect(plain(formatDateTime(new Date("2026-07-01T07:00:00Z")))).toBe("1er juillet 2026 à 09:00");
  });
  it("writes the first of the month as 1er, every other day as a plain number", () => {
    expect(formatDate(new Date("2026-10-01T10:00:00Z"))).toBe("1er octobre 2026");
    expect(formatDate(new Date("2026-10-02T10:00:00Z"))).toBe("2 octobre 2026");
    expect(formatDate(new Date("2026-10-11T10:00:00Z"))).toBe("11 octobre 2026");
    expect(formatDate(new Date("2026-10-21T10:00:00Z"))).toBe("21 octobre 2026");
    expect(formatDate(new Date("2026-10-31T10:00:00Z"))).toBe("31 octobre 2026");
    // 30 September 23:30 UTC is already 1 October in Paris.
    expect(formatDate(new Date("2026-09-30T23:30:00Z"))).toBe("1er octobre 2026");
    expect(plain(formatDateTime(new Date("2026-10-01T07:00:00Z")))).toBe("1er octobre 2026 à 09:00");
    expect(plain(formatDateTime(new Date("2026-10-10T07:00:00Z")))).toBe("10 octobre 2026 à 09:00");
  });
  it("writes 1er with the weekday, in short and without the year", () => {
    expect(formatLongDate("2026-10-01")).toBe("jeudi 1er octobre 2026");
    expect(formatLongDate("2026-10-12")).toBe("lundi 12 octobre 2026");
    expect(formatLongDate(new Date("2026-12-01T08:00:00Z"))).toBe("mardi 1er décembre 2026");
    expect(formatShortDate("2026-10-01")).toBe("jeu. 1er oct.");
    expect(formatShortDate("2026-10-13")).toBe("mar. 13 oct.");
    expect(formatDayMonth("2026-05-01")).toBe("1er mai");
    expect(formatDayMonth("2026-05-08")).toBe("8 mai");
    // A calendar day keeps its date whatever the hour in Paris.
    expect(formatDate("2026-01-01")).toBe("1er janvier 2026");
    expect(formatDate("2026-12-31")).toBe("31 décembre 2026");
  });
  it("formats durations and VAT rates", () => {
    expect(formatMinutes(150)).toBe("2 h 30");
    expect(formatMinutes(60)).toBe("1 h");
    expect(formatMinutes(45)).toBe("45 min");
    expect(plain(formatVatRate(550))).toBe("5,5 %");
  });
});

describe("French counts and elision", () => {
  it("agrees a word with its count: 0 and 1 singular, then plural", () => {
    expect(formatCount(0, "facture")).toBe("0 facture");
    expect(formatCount(1, "facture")).toBe("1 facture");
    expect(formatCount(7, "facture")).toBe("7 factures");
    expect(plain(formatCount(1234, "intervention"))).toBe("1 234 interventions");
    expect(plural(2, "prêt")).toBe("prêts");
    expect(plural(1, "attend", "attendent")).toBe("attend");
    expect(plural(3, "attend", "attendent")).toBe("attendent");
  });

  it("elides de before a vowel or a mute h, not before a consonant", () => {
    expect(ofName("Aminata")).toBe("d'Aminata");
    expect(ofName("Élodie")).toBe("d'Élodie");
    expect(ofName("Hélène Roux")).toBe("d'Hélène Roux");
    expect(ofName("octobre 2026")).toBe("d'octobre 2026");
    expect(ofName("Yves")).toBe("d'Yves");
    expect(ofName("Yann")).toBe("de Yann");
    expect(ofName("Paul")).toBe("de Paul");
    expect(ofName("SNCF Gares & Connexions")).toBe("de SNCF Gares & Connexions");
  });
});

describe("slugify", () => {
  it("turns a French name into a plain identifier, with a fallback when nothing is left", () => {
    expect(slugify("Mon Jardin Chocolaté — Paris 11e", "organisation")).toBe("mon-jardin-chocolate-paris-11e");
    expect(slugify("«  »", "prestation")).toBe("prestation");
    expect(slugify("a".repeat(80), "x")).toHaveLength(50);
  });
});
