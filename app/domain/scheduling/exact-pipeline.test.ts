import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const folder = fileURLToPath(new URL(".", import.meta.url));

/** Each scheduling module and the modules of this folder it imports (types included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))) {
    const text = readFileSync(`${folder}${file}`, "utf8");
    const imported = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"\.\/([\w-]+)(?:\.ts)?";/gms)].map((match) => `${match[1]}.ts`);
    graph.set(file, [...new Set(imported)]);
  }
  return graph;
}

/** The first import cycle found, as a path of files (null when the arrows all go one way). */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, path: string[]): string[] | null => {
    if (state.get(file) === "done") return null;
    if (state.get(file) === "open") return [...path.slice(path.indexOf(file)), file];
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...path, file]);
      if (cycle) return cycle;
    }
    state.set(file, "done");
    return null;
  };
  for (const file of [...graph.keys()].sort()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return null;
}

describe("the weekly optimisation's modules", () => {
  it("import one another one way only: no cycle (the exact model and its refinement used to import each other)", () => {
    const graph = importGraph();
    expect(graph.get("exact-pipeline.ts")).toEqual(expect.arrayContaining(["exact-groups.ts", "exact-refine.ts", "exact-whole.ts", "exact-columns.ts", "exact-result.ts"]));
    expect(findCycle(graph)).toBeNull();
  });

  it("calls the stages from the pipeline only: no stage imports the pipeline or the solver's entry point", () => {
    const graph = importGraph();
    for (const stage of ["exact-model.ts", "exact-solve.ts", "exact-groups.ts", "exact-refine.ts", "exact-whole.ts", "exact-columns.ts", "columns.ts", "exact-result.ts", "exact-types.ts"]) {
      expect(graph.get(stage), stage).not.toContain("exact-pipeline.ts");
      expect(graph.get(stage), stage).not.toContain("exact.ts");
    }
    // The model knows only the problem.
    expect(graph.get("exact-model.ts")).toEqual(["problem.ts"]);
  });
});
