import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The arrows of ARCHITECTURE.md, checked on every import of the code:
// routes, workers → auth, queues, data, integrations → domain, utils; nothing
// imports upward, and nothing points at a file outside the repository.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CODE = /\.(ts|tsx|mts|js|mjs)$/;

function filesUnder(dir: string): string[] {
  return (
    readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && CODE.test(e.name))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
      // Generated code is Prisma's; this file holds sample imports of its own.
      .filter((f) => !f.startsWith(`app${path.sep}generated`) && f !== path.join("app", "architecture.test.ts"))
  );
}

/** The files a module imports (static, dynamic, re-exports), as paths from the repository root; packages left out. */
export function importsOf(file: string, source = readFileSync(path.join(root, file), "utf8")): string[] {
  const specs = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith(".") || s.startsWith("~/") || s.startsWith("/"))
    .map((s) => (s.startsWith("~/") ? path.join("app", s.slice(2)) : path.relative(root, path.resolve(root, path.dirname(file), s))));
}

const inside = (target: string, dirs: string[]) => dirs.some((d) => target === d || target.startsWith(`${d}/`));
const offending = (files: string[], forbidden: string[]) =>
  files.flatMap((f) =>
    importsOf(f)
      .filter((t) => inside(t.split(path.sep).join("/"), forbidden))
      .map((t) => `${f} → ${t}`),
  );

describe("the arrows of the architecture", () => {
  const app = filesUnder("app");
  const ground = app.filter((f) => inside(f, ["app/domain", "app/utils"]));

  it("reads every import form it checks", () => {
    expect(importsOf("app/domain/x.ts", `import a from "~/data/db.server.ts";\nexport { b } from "../routes/r.tsx";\nconst c = await import("../../workers/w.ts");`)).toEqual([
      "app/data/db.server.ts",
      "app/routes/r.tsx",
      "workers/w.ts",
    ]);
  });

  it("keeps domain and utils free of data, routes, queues, integrations and workers", () => {
    expect(ground.length).toBeGreaterThan(50);
    expect(offending(ground, ["app/data", "app/routes", "app/queues", "app/integrations", "app/auth", "workers"])).toEqual([]);
  });

  it("never lets app/ import the participants", () => {
    expect(offending(app, ["workers"])).toEqual([]);
  });

  it("points at no file outside the repository", () => {
    const everything = ["app", "workers", "scripts", "tests", "prisma"].flatMap(filesUnder);
    const outside = everything.flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith("..") || path.isAbsolute(t))
        .map((t) => `${f} → ${t}`),
    );
    expect(outside).toEqual([]);
  });
});
