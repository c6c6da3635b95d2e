import { describe, expect, it } from "vitest";
import { sharePasses } from "./share-passes";

/** A pass whose snapshot and end the test controls. */
function controlledWork() {
  const passes: Array<{ key: string; snapshot: () => void; finish: (value: string) => void; fail: (e: Error) => void }> = [];
  const work = (key: string, closed: () => void) =>
    new Promise<string>((resolve, reject) => {
      passes.push({ key, snapshot: closed, finish: resolve, fail: reject });
    });
  return { passes, run: sharePasses(work) };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("sharePasses", () => {
  it("callers share the pass that has not read yet, and start a new one once it has", async () => {
    const { passes, run } = controlledWork();
    const a = run("week-1");
    const b = run("week-1");
    await tick();
    expect(passes).toHaveLength(1);
    passes[0]!.snapshot(); // the pass has read the week: a later caller needs a new one
    const c = run("week-1");
    const d = run("week-1");
    await tick();
    expect(passes).toHaveLength(2);
    passes[0]!.finish("first");
    passes[1]!.finish("second");
    expect(await Promise.all([a, b, c, d])).toEqual(["first", "first", "second", "second"]);
  });

  it("keeps keys apart, and starts afresh after a pass ends without a snapshot", async () => {
    const { passes, run } = controlledWork();
    const a = run("week-1");
    const b = run("week-2");
    await tick();
    expect(passes.map((p) => p.key)).toEqual(["week-1", "week-2"]);
    passes[0]!.finish("1");
    passes[1]!.finish("2");
    expect(await Promise.all([a, b])).toEqual(["1", "2"]);
    const c = run("week-1");
    await tick();
    expect(passes).toHaveLength(3);
    passes[2]!.finish("3");
    expect(await c).toBe("3");
  });

  it("a failed pass fails every caller that shared it, and the next caller starts a new one", async () => {
    const { passes, run } = controlledWork();
    const a = run("week-1");
    const b = run("week-1");
    await tick();
    passes[0]!.fail(new Error("lock timeout"));
    await expect(a).rejects.toThrow("lock timeout");
    await expect(b).rejects.toThrow("lock timeout");
    const c = run("week-1");
    await tick();
    expect(passes).toHaveLength(2);
    passes[1]!.finish("ok");
    expect(await c).toBe("ok");
  });
});
