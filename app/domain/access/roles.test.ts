import { describe, expect, it } from "vitest";
import { ROLES, can, invitableRoles, navigationFor } from "./roles.ts";

describe("roles", () => {
  it("gives partners their own requests but never the people or the audit log", () => {
    for (const role of ["PARTNER_MEMBER", "PARTNER_ADMIN"] as const) {
      expect(can(role, "requests.view")).toBe(true);
      expect(can(role, "requests.viewAll")).toBe(false);
      expect(can(role, "people.view")).toBe(false);
      expect(can(role, "audit.view")).toBe(false);
    }
  });
  it("lets only a partner admin or an admin invite, and only within bounds", () => {
    expect(invitableRoles("PARTNER_MEMBER", false)).toEqual([]);
    expect(invitableRoles("PARTNER_ADMIN", false)).toEqual(["PARTNER_MEMBER", "PARTNER_ADMIN"]);
    expect(invitableRoles("PARTNER_ADMIN", true)).toEqual([]);
    expect(invitableRoles("ADMIN", true)).toContain("FINANCE");
    expect(invitableRoles("COORDINATOR", false)).toEqual([]);
  });
  it("builds a navigation for every role that starts at home", () => {
    for (const role of ROLES) expect(navigationFor(role)[0]).toEqual({ to: "/", label: "Accueil" });
    expect(navigationFor("ADMIN").map((i) => i.to)).toContain("/admin/audit");
    expect(navigationFor("PARTNER_MEMBER").map((i) => i.to)).not.toContain("/people");
    // Coordination's inbox, for those who answer partners.
    expect(navigationFor("COORDINATOR").map((i) => i.to)).toContain("/inbox");
    expect(navigationFor("ADMIN").map((i) => i.to)).toContain("/inbox");
    for (const role of ["PARTNER_MEMBER", "PARTNER_ADMIN", "ENCADRANT", "FINANCE"] as const) expect(navigationFor(role).map((i) => i.to)).not.toContain("/inbox");
  });
});
