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
    const rows = await queryApp<{ action: string }>(`SELECT DISTINCT action FROM "AuditLog" WHERE action IN ('auth.invitation_refused', 'auth.reset_refused')`);
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

  it("sends a person who signs in only to a path of this site, whatever redirectTo holds, and never answers 500", async () => {
    const hostile = ["//evil.example/", "/\t/evil.example", "/\\evil.example", "/..//evil.example", "https://evil.example/", "/a\r\nSet-Cookie: x=1", "/a\u2028b", "/evil\u3002example"];
    for (const redirectTo of hostile) {
      const response = await new HttpClient().post("/login", { email: "agent@sncf.example", password: DEMO_PASSWORD, redirectTo });
      expect({ redirectTo, status: response.status, location: response.headers.get("location") }).toEqual({ redirectTo, status: 302, location: "/" });
    }
    // A NUL byte is taken out of every form field before any action reads it: what is left is a path of this site.
    const nul = await new HttpClient().post("/login", { email: "agent@sncf.example", password: DEMO_PASSWORD, redirectTo: "/a\u0000b" });
    expect({ status: nul.status, location: nul.headers.get("location") }).toEqual({ status: 302, location: "/ab" });
    const kept = await new HttpClient().post("/login", { email: "agent@sncf.example", password: DEMO_PASSWORD, redirectTo: "/requests?status=open" });
    expect(kept.headers.get("location")).toBe("/requests?status=open");
    // Already signed in: the sign-in page sends on at once, to the same safe paths only.
    const signedIn = await new HttpClient().login("agent@sncf.example");
    const tab = await signedIn.get("/login?redirectTo=%2F%09%2Fevil.example");
    expect(tab.status).toBe(302);
    expect(tab.headers.get("location")).toBe("/");
    expect((await signedIn.get("/login?redirectTo=%2Fa%0D%0Ab")).headers.get("location")).toBe("/");
    expect((await signedIn.get("/login?redirectTo=%2Frequests")).headers.get("location")).toBe("/requests");
  });

  it("binds the CSRF token to the session: a cookie and token taken from another session are refused", async () => {
    const victim = await new HttpClient().login("agent@sncf.example");
    const attacker = await new HttpClient().login("contact@monjardinchocolate.example");
    const attackerToken = await attacker.csrfFrom("/");
    // A valid pair, planted in the victim's browser (a sibling subdomain can set cookies).
    const planted = new HttpClient();
    planted.cookies = new Map([...victim.cookies, ["conciergerie_csrf", attacker.cookies.get("conciergerie_csrf")!]]);
    expect((await planted.post("/logout", {}, { csrf: attackerToken })).status).toBe(403);
    // The token of the page shown before signing in stops working once signed in.
    const client = new HttpClient();
    const before = await client.csrfFrom("/login");
    await client.login("agent@sncf.example");
    expect((await client.post("/logout", {}, { csrf: before })).status).toBe(403);
    expect((await client.get("/")).status).toBe(200);
    // The token of this session's own pages still works.
    expect((await client.post("/logout", {}, { from: "/" })).status).toBe(302);
    expect((await client.get("/")).status).toBe(302);
  });

  it("refuses a 20 MB upload with a 413 and a French message, and never echoes more of a field than it accepts", async () => {
    const client = await new HttpClient().login("agent@sncf.example");
    const [serviceRequest] = await queryApp<{ id: string }>(
      `SELECT r.id FROM "ServiceRequest" r JOIN "Organisation" o ON o.id = r."organisationId" WHERE o.slug = 'sncf-gares-connexions' ORDER BY r.reference LIMIT 1`,
    );
    const path = `/requests/${serviceRequest!.id}`;
    const csrf = await client.csrfFrom(path);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const upload = new FormData();
    upload.set("csrf", csrf);
    upload.set("intent", "message");
    upload.set("body", "Voici le plan du site.");
    upload.set("file", new Blob([new Uint8Array(20 * 1024 * 1024)]), "plan.pdf");
    const big = await fetch(client.baseUrl + path, { method: "POST", body: upload, headers: { Cookie: cookie }, redirect: "manual" });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain("trop volumineux");
    // A 3 MB field: refused the same way, never shown back.
    const field = await client.post(path, { intent: "message", body: "m".repeat(3 * 1024 * 1024) }, { csrf });
    expect(field.status).toBe(413);
    expect((await field.text()).length).toBeLessThan(10_000);
    // A field too long but under the limit: the form comes back cut at what the field accepts (2,000 characters).
    const long = await client.post(path, { intent: "message", body: "m".repeat(500_000) }, { csrf });
    expect(long.status).toBe(400);
    const html = await long.text();
    expect(html).toContain("2 000 caractères au plus.");
    expect(html).not.toContain("m".repeat(2001));
    expect(html.length).toBeLessThan(200_000);
    expect(await queryApp(`SELECT 1 FROM "RequestMessage" WHERE body LIKE 'Voici le plan du site.%'`)).toHaveLength(0);
  });

  it("slows an account down after wrong passwords, but lets its owner in at once from a browser they signed in from before", async () => {
    const email = "cuisine@latabledurecho.example";
    const known = await new HttpClient().login(email);
    expect(known.cookies.get("conciergerie_device")).toBeTruthy();
    await known.post("/logout", {}, { from: "/" });
    for (let i = 0; i < 6; i++) await new HttpClient().post("/login", { email, password: `wrong-${i}` });
    // The 6th failure imposed a delay; stretch it to the cap, as a long attack would (a slow machine could outlast a second).
    const waiting = await queryApp(`UPDATE "LoginThrottle" SET expire = (now() AT TIME ZONE 'UTC') + interval '1 minute' WHERE key = $1 RETURNING key`, [`wait:email:${email}`]);
    expect(waiting).toHaveLength(1);
    const elsewhere = await new HttpClient().post("/login", { email, password: DEMO_PASSWORD });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain("Réessayez dans");
    const again = await known.post("/login", { email, password: DEMO_PASSWORD });
    expect(again.status).toBe(302);
    await queryApp(`DELETE FROM "LoginThrottle" WHERE key = $1`, [`wait:email:${email}`]); // the next test files sign in as this partner
  });

  it("sends at most three reset links an hour to one address, then says in French when to try again, whether or not it has an account", async () => {
    const email = "contact@monjardinchocolate.example";
    const resets = async () => (await queryApp(`SELECT r.id FROM "PasswordReset" r JOIN "User" u ON u.id = r."userId" WHERE u.email = $1`, [email])).length;
    const before = await resets();
    for (let i = 0; i < 3; i++) expect((await new HttpClient().post("/forgot-password", { email }, { from: "/forgot-password" })).status).toBe(200);
    expect(await resets()).toBe(before + 3);
    const fourth = await new HttpClient().post("/forgot-password", { email: email.toUpperCase() }, { from: "/forgot-password" });
    expect(fourth.status).toBe(429);
    expect(await fourth.text()).toContain("Trop de demandes de lien pour le moment. Réessayez dans");
    expect(await resets()).toBe(before + 3);
    // An address without an account is counted the same way: the answer tells nobody which ones exist.
    for (let i = 0; i < 3; i++) await new HttpClient().post("/forgot-password", { email: "personne@inconnu.example" }, { from: "/forgot-password" });
    expect((await new HttpClient().post("/forgot-password", { email: "personne@inconnu.example" }, { from: "/forgot-password" })).status).toBe(429);
    await queryApp(`DELETE FROM "LoginThrottle" WHERE key LIKE 'reset-%'`); // the other test files ask for links too
  });

  it("keeps the demo mailbox for signed-in staff: anonymous visitors sign in first, partners find nothing", async () => {
    expect((await new HttpClient().get("/mailbox")).headers.get("location")).toBe("/login?redirectTo=%2Fmailbox");
    const partner = await new HttpClient().login("gare-de-lyon@sncf.example");
    expect((await partner.get("/mailbox")).status).toBe(404);
    const staff = await new HttpClient().login("coordination@conciergerie.example");
    expect((await staff.get("/mailbox")).status).toBe(200);
  });

  it("answers unknown pages with the French 404 page", async () => {
    const response = await new HttpClient().get("/cette-page-nexiste-pas");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page introuvable");
  });

  it("reports the database and Redis in /healthcheck", async () => {
    const response = await new HttpClient().get("/healthcheck");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok", redis: "ok", lagTolerantReads: "primary" }); // no replica configured
  });

  it("serves fingerprinted assets with a long cache lifetime", async () => {
    const html = await (await new HttpClient().get("/login")).text();
    const asset = /href="(\/build\/[^"]+\.css)"/.exec(html)![1]!;
    const response = await new HttpClient().get(asset);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("immutable");
  });
});
