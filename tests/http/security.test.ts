import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, HttpClient, queryApp } from "../support/http-client.ts";

describe("security", () => {
  it("sends the security headers on every page", async () => {
    const response = await new HttpClient().get("/login");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("sets HttpOnly, SameSite=Lax session cookies and a new session id at each sign-in", async () => {
    const client = new HttpClient();
    await client.login("agent@sncf.example");
    const first = client.cookies.get("conciergerie_session");
    await client.post("/logout", {}, { from: "/" });
    await client.login("agent@sncf.example");
    expect(client.cookies.get("conciergerie_session")).not.toBe(first);
    const raw = await fetch(`${client.baseUrl}/login`, {
      method: "POST",
      body: new URLSearchParams({ email: "agent@sncf.example", password: DEMO_PASSWORD, csrf: client.cookies.get("conciergerie_csrf") ?? "" }),
      headers: { Cookie: `conciergerie_csrf=${client.cookies.get("conciergerie_csrf")}`, "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    // The raw cookie value is signed, so the bare value is not the token: refused.
    expect(raw.status).toBe(403);
    const response = await new HttpClient().get("/login");
    expect(response.headers.getSetCookie().join("\n")).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it("refuses a state-changing request without its CSRF token, with a French message, and audits it", async () => {
    const client = await new HttpClient().login("gare-de-lyon@sncf.example");
    const response = await client.post("/users", { intent: "invite", name: "X", email: "x@sncf.example", role: "PARTNER_MEMBER", organisationId: "x" }, { csrf: null });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("Ce formulaire a expiré");
    const wrong = await client.post("/logout", {}, { csrf: "forged-token" });
    expect(wrong.status).toBe(403);
    const rows = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'security.csrf_refused'`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect((await client.get("/")).status).toBe(200); // still signed in: the logout was refused
  });

  it("treats a forged session cookie as no session", async () => {
    const client = new HttpClient();
    client.cookies.set("conciergerie_session", "ImZvcmdlZCI%3D.c2lnbmF0dXJl");
    const response = await client.get("/requests");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Frequests");
    const refused = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'auth.session_refused'`);
    expect(refused.length).toBeGreaterThan(0);
  });

  it("refuses replayed or unknown invitation and reset links with a French message, audited", async () => {
    const invitation = await new HttpClient().get("/invitations/replayed-or-made-up");
    expect(invitation.status).toBe(200);
    expect(await invitation.text()).toContain("Cette invitation n&#x27;est pas valide");
    const reset = await new HttpClient().get("/reset-password/replayed-or-made-up");
    expect(await reset.text()).toContain("Ce lien n&#x27;est pas valide");
    const rows = await queryApp<{ action: string }>(
      `SELECT DISTINCT action FROM "AuditLog" WHERE action IN ('auth.invitation_refused', 'auth.reset_refused')`,
    );
    expect(rows.map((r) => r.action).sort()).toEqual(["auth.invitation_refused", "auth.reset_refused"]);
  });

  it("answers a wrong password with a French message next to the form, not a 500", async () => {
    const client = new HttpClient();
    const response = await client.post("/login", { email: "agent@sncf.example", password: "wrong-password" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Adresse e-mail ou mot de passe incorrect.");
    const empty = await client.post("/login", { email: "", password: "" });
    const html = await empty.text();
    expect(empty.status).toBe(400);
    expect(html).toContain("Indiquez une adresse e-mail.");
    expect(html).toContain("Indiquez votre mot de passe.");
  });

  it("refuses an open redirect after sign-in", async () => {
    const client = new HttpClient();
    const response = await client.post("/login", { email: "agent@sncf.example", password: DEMO_PASSWORD, redirectTo: "//evil.example/" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it("answers unknown pages with the French 404 page", async () => {
    const response = await new HttpClient().get("/cette-page-nexiste-pas");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page introuvable");
  });

  it("reports the database and Redis in /healthcheck", async () => {
    const response = await new HttpClient().get("/healthcheck");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok", redis: "ok" });
  });

  it("serves fingerprinted assets with a long cache lifetime", async () => {
    const html = await (await new HttpClient().get("/login")).text();
    const asset = /href="(\/build\/[^"]+\.css)"/.exec(html)![1]!;
    const response = await new HttpClient().get(asset);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("immutable");
  });
});
