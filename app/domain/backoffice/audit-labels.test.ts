import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NOTIFICATION_KINDS } from "~/domain/notifications/notifications.ts";
import { AUDIT_ACTION_LABELS, auditActionLabel, auditEntityLabel } from "./audit-labels.ts";

// Every action the code writes to the audit log reads in French on /admin/audit
// and in its CSV: the actions are found in the source of every file that writes
// an audit entry, so a new one without its label fails here (and in tsc, as
// AuditEntry.action only takes a labelled action).
const ROOT = path.resolve(import.meta.dirname, "../../..");

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.includes(`${path.sep}generated${path.sep}`))
    .map((f) => ({ file: path.relative(ROOT, f), text: readFileSync(f, "utf8") }));
}

const WRITES_AUDIT = /\baudit(?:Quietly)?\(|auditLog\.create/;
const writers = [...sources("app"), ...sources("workers")].filter((s) => WRITES_AUDIT.test(s.text) && !s.file.endsWith(path.join("data", "audit.server.ts")));

// Other dotted codes of those files: capabilities (from the Capability type) and notification kinds.
const capabilities = new Set([...readFileSync(path.join(ROOT, "app/domain/access/roles.ts"), "utf8").matchAll(/\| "([a-zA-Z]+\.[a-zA-Z]+)"/g)].map((m) => m[1]!));
// And the events of the technical log (app/utils/log.server.ts), which is not the audit log.
const logEvents = [...sources("app"), ...sources("workers")].flatMap(({ text }) =>
  [...text.matchAll(/(?:logError|logRepeatedError|logRepeatedWarning)\(\s*"([^"]+)"|event: "([^"]+)"/g)].map((m) => m[1] ?? m[2]!),
);
const notTheLog = new Set<string>([...capabilities, ...NOTIFICATION_KINDS, ...logEvents]);

const written = new Map<string, string>(); // action -> first file writing it
const templates: { file: string; pattern: RegExp; text: string }[] = [];
for (const { file, text } of writers) {
  for (const m of text.matchAll(/"([a-z]+\.[a-z][a-z_-]*)"/g)) if (!notTheLog.has(m[1]!) && !written.has(m[1]!)) written.set(m[1]!, file);
  // An action built from a template, like `invoice.${job}`.
  for (const m of text.matchAll(/action: `([a-z]+\.[^`]*)`/g)) {
    const pattern = new RegExp(`^${m[1]!.replace(/\./g, "\\.").replace(/\$\{[^}]*\}/g, "[a-z_-]+")}$`);
    templates.push({ file, pattern, text: m[1]! });
  }
}

describe("audit actions in French", () => {
  it("finds the code that writes the log", () => {
    expect(writers.map((w) => w.file)).toEqual(expect.arrayContaining([path.join("app", "auth", "auth.server.ts"), path.join("app", "data", "invoicing.server.ts")]));
    expect([...written.keys()]).toEqual(expect.arrayContaining(["auth.login", "partner.archived", "worker.absence_added"]));
    expect(templates.map((t) => t.text)).toContain("invoice.${job}");
  });

  it("has a French label for every action the code writes", () => {
    const missing = [...written].filter(([action]) => !Object.hasOwn(AUDIT_ACTION_LABELS, action)).map(([action, file]) => `${action} (${file})`);
    expect(missing).toEqual([]);
  });

  it("has labels for the actions built from a template (invoice.void, time.correct, invoicing.prepare_requested)", () => {
    for (const t of templates)
      expect(
        Object.keys(AUDIT_ACTION_LABELS).filter((a) => t.pattern.test(a)),
        `${t.text} (${t.file})`,
      ).not.toEqual([]);
    for (const action of ["invoice.void", "invoice.uncollectible", "time.check-in", "time.check-out", "time.absent", "time.correct", "invoicing.prepare_requested", "invoicing.issue_requested"]) {
      expect(Object.hasOwn(AUDIT_ACTION_LABELS, action), action).toBe(true);
    }
  });

  it("reads an unknown or old action and record type in French, never as a code", () => {
    expect(auditActionLabel("invoice.void")).toBe("Facture annulée par un avoir");
    expect(auditActionLabel("something.removed_long_ago")).not.toContain(".");
    expect(auditEntityLabel("Invoice")).toBe("Facture");
    expect(auditEntityLabel("SomethingElse")).toBe("Enregistrement");
    for (const label of Object.values(AUDIT_ACTION_LABELS)) expect(label).not.toMatch(/^[a-z]+\.[a-z_-]+$/);
  });
});
