import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// What the app writes (pages, mails, PDFs, job messages) is scanned in its
// source, so a lazy plural like "7 facture(s)" cannot come back: counts go
// through plural()/formatCount() of app/utils/format.ts.
const ROOT = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith(path.join("app", "generated")));
}

const FILES = [...sourceFiles("app"), ...sourceFiles("workers")];

/** Each line of the sources that matches, as "file:line: text". */
function matches(pattern: RegExp): string[] {
  const found: string[] = [];
  for (const file of FILES) {
    readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

// A lowercase French word glued to "(s)", "(e)", "(es)" or "(x)": "facture(s)", "prêt(e)".
// Not a call like "add(s)" or "plain(s)" (after a dot, or followed by code).
// A capitalised one only when a French word follows ("Bon(s) de commande", not "Number(s) * 100").
export const LAZY_PLURAL = /(?<![.\w$])(?:[a-zàâçéèêëîïôûùüÿœ]{2,}\((?:s|e|es|x)\)(?!\s*(?:=>|;|\)|\{|\.[a-z]))|[A-ZÀÉÈ][a-zàâçéèêëîïôûùüÿœ]+\((?:s|e|es|x)\) [a-zàâçéèêëîïôûùüÿœ])/u;

// "de" written before a name, a partner or a month: "les données de Aminata",
// "le mois de octobre" (ofName() of app/utils/format.ts elides it).
export const DE_BEFORE_NAME = /\b[dD]e \$?\{[^}]*(?:[nN]ame|person|organisation|[mM]onthLabel|periodLabel|firstName)\b/;

describe("French in what the app writes", () => {
  it("finds the source files", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain(path.join("app", "routes", "finance.invoices._index.tsx"));
  });

  it("the scan recognises a lazy plural and leaves code alone", () => {
    for (const text of ["`${n} facture(s) · total`", "{n} document(s) généré(s) sur", "Bon(s) de commande", "personne(s).", "autre(s)`"]) expect(text).toMatch(LAZY_PLURAL);
    for (const code of ["seen.add(s);", "parseHours(s)", "const x = plain(s);", "stripeCall((s) => s.x)", "if (has(x)) continue", "Number(s) * 100"]) expect(code).not.toMatch(LAZY_PLURAL);
  });

  it("the scan recognises de before a name", () => {
    for (const text of ["les données de {w.firstName}", "`Accord de ${member.name} enregistré`", "Le mois de ${monthLabel(month)}", "l'espace de ${p.organisationName}"])
      expect(text).toMatch(DE_BEFORE_NAME);
    for (const text of ['une équipe de ${formatCount(n, "salarié")}', "de ${rules.cancellationDeadlineHours} heures", "{ofName(m.name)}"]) expect(text).not.toMatch(DE_BEFORE_NAME);
  });

  it("elides de before names through ofName()", () => {
    expect(matches(DE_BEFORE_NAME)).toEqual([]);
  });

  it("writes no plural in parentheses: counts agree with their number", () => {
    expect(matches(LAZY_PLURAL)).toEqual([]);
  });
});
