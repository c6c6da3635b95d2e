import { describe, expect, it } from "vitest";
import { eachLimited } from "./each-limited.ts";

describe("eachLimited", () => {
  it("never runs more than the limit at once, settles every item in order, and reports the last count", async () => {
    let running = 0;
    let most = 0;
    const reported: number[] = [];
    const results = await eachLimited(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        if (i === 7) throw new Error("sept");
        return i * 2;
      },
      (done) => reported.push(done),
    );
    expect(most).toBe(3);
    expect(results[7]).toEqual({ status: "rejected", reason: new Error("sept") });
    expect(results.filter((r) => r.status === "fulfilled").map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2).filter((v) => v !== 14));
    expect(reported.at(-1)).toBe(20);
  });

  it("is not stopped by a failing progress report", async () => {
    const results = await eachLimited(
      [1, 2],
      2,
      async (n) => n,
      () => Promise.reject(new Error("Redis absent")),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
  });
});
