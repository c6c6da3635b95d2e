import { describe, expect, it } from "vitest";
import { centsToCsv, toCsv } from "./csv.ts";

describe("the CSV writer", () => {
  it("writes for French spreadsheets: BOM, semicolons, CRLF, quotes when needed", () => {
    expect(toCsv(["a", "b"], [["x;y", 'dit "oui"']])).toBe('\uFEFFa;b\r\n"x;y";"dit ""oui"""\r\n');
    expect(toCsv(["a"], [["ligne 1\nligne 2"], ["x\ry"]], { bom: false })).toBe('a\r\n"ligne 1\nligne 2"\r\n"x\ry"\r\n');
    expect(toCsv(["a", "b", "c"], [[null, undefined, { k: 1 }]], { bom: false })).toBe('a;b;c\r\n;;"{""k"":1}"\r\n');
  });

  it("neutralises every cell a spreadsheet would run as a formula", () => {
    const cells = ['=HYPERLINK("http://evil.example","x")', "+33 1 23", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "＝1+1"];
    const lines = toCsv(
      ["v"],
      cells.map((c) => [c]),
      { bom: false },
    ).split("\r\n");
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines[2]).toBe("'+33 1 23");
    expect(lines[3]).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(lines[4]).toBe("'@SUM(A1)");
    expect(lines[5]).toBe("'\t=1");
    expect(lines[6]).toBe(`"'\r=1"`);
    expect(lines[7]).toBe("'＝1+1");
  });

  it("keeps amounts and numbers as numbers, negative ones included", () => {
    expect(toCsv(["a", "b", "c"], [[centsToCsv(-5), -12, centsToCsv(123456)]], { bom: false })).toBe("a;b;c\r\n-0,05;-12;1234,56\r\n");
  });
});
