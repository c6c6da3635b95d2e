import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The official e-invoice validators (../shared/einvoicing/validate.mjs: CII and
// Factur-X schemas, EN 16931, Factur-X and BR-FR schematrons), not part of the
// repository: beside it, or where EINVOICING_ARTEFACTS_DIR says.
const repoRoot = path.resolve(import.meta.dirname, "../..");
export const artefactsDir = process.env.EINVOICING_ARTEFACTS_DIR ?? path.resolve(repoRoot, "../shared/einvoicing");
export const validatorPath = path.join(artefactsDir, "validate.mjs");
export const validatorPresent = existsSync(validatorPath);
export const ABSENT = `official validators absent: put ../shared/einvoicing beside the repository (or set EINVOICING_ARTEFACTS_DIR); looked for ${validatorPath}`;

/** First run in a fresh cache installs the validator's tools and compiles three schematrons (~30 s each). */
export const VALIDATION_TIMEOUT_MS = 600_000;

export type Findings = { name: string; errors: string[]; warnings: string[] };

/** Runs the validator once over every document (named by its file name): each one's errors and warnings. */
export async function validateDocuments(documents: Map<string, Uint8Array>): Promise<Findings[]> {
  if (!validatorPresent) throw new Error(ABSENT);
  const dir = mkdtempSync(path.join(os.tmpdir(), "einvoice-validation-"));
  try {
    const files = new Map<string, string>();
    for (const [name, bytes] of documents) {
      const file = path.join(dir, name.endsWith(".pdf") ? name : `${name}.pdf`);
      writeFileSync(file, bytes);
      files.set(file, name);
    }
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [validatorPath, "--json", ...files.keys()], { maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
        // Exit 1 is "errors found": the report says which.
        error && (error as { code?: unknown }).code !== 1 ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    );
    type Finding = { id: string; text: string };
    const report = JSON.parse(stdout) as { file: string; checks: Record<string, { errors: Finding[]; warnings: Finding[] }> }[];
    return report.map((r) => ({
      name: files.get(path.resolve(r.file)) ?? r.file,
      errors: Object.entries(r.checks).flatMap(([check, c]) => c.errors.map((e) => `${check} ${e.id}: ${e.text.trim()}`)),
      warnings: Object.entries(r.checks).flatMap(([check, c]) => c.warnings.map((w) => `${check} ${w.id}: ${w.text.trim()}`)),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
