import { describe, expect, it } from "vitest";
import { boardQuery, matchesBoardFilters, readBoardFilters } from "./board.ts";

describe("the planning board's filters", () => {
  it("reads the filters of the address and drops each bad value alone", () => {
    expect(readBoardFilters(new URLSearchParams("encadrant=sup_1&site=<script>&prestation=&status=DONE"))).toEqual({ encadrant: "sup_1", status: "DONE" });
    expect(readBoardFilters(new URLSearchParams(`status=NOPE&site=${"x".repeat(200)}`))).toEqual({});
    expect(readBoardFilters(new URLSearchParams("status=DONE&status=unstaffed"))).toEqual({ status: "DONE" });
  });

  it("keeps an intervention only when every filter given matches", () => {
    const item = { status: "SCHEDULED", supervisorId: "s1", siteId: "site1", prestationId: "p1" };
    expect(matchesBoardFilters(item, {})).toBe(true);
    expect(matchesBoardFilters(item, { encadrant: "s1", site: "site1", prestation: "p1", status: "SCHEDULED" })).toBe(true);
    expect(matchesBoardFilters(item, { encadrant: "s2" })).toBe(false);
    expect(matchesBoardFilters(item, { status: "unstaffed" })).toBe(false);
    expect(matchesBoardFilters({ ...item, status: "ACCEPTED", supervisorId: null }, { status: "unstaffed" })).toBe(true);
    expect(matchesBoardFilters({ ...item, status: "PAID" }, { status: "BILLED" })).toBe(true);
  });

  it("writes links that keep the filters", () => {
    expect(boardQuery("2026-12-07", { site: "site1", status: "DONE" })).toBe("week=2026-12-07&site=site1&status=DONE");
  });
});
