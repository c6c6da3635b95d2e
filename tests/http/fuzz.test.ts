import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFuzzServer } from "../support/app-server.ts";
import { DEMO_ACCOUNTS as ACCOUNTS, type DemoAccount as Who } from "../support/demo-accounts.ts";
import { HttpClient } from "../support/http-client.ts";

// A property-based fuzzer over every route of the app, as every role: hostile
// values in path parameters, query parameters and form fields (NUL and control
// characters, huge and negative numbers, dates at the edges, unicode, long
// text, duplicated fields, wrong types). The property: never a server error.
//
// The routes come from app/routes (a new route file is fuzzed without a line
// here); the query parameters from each route's source and its GET forms; the
// forms to post from the pages themselves, found by following links as each
// role. It runs against a server of its own on a copy of the seeded database
// (tests/support/app-server.ts): a random form may well succeed. Time-bounded
// (FUZZ_SECONDS, 16 s of random requests by default, after one
// pass of the edge values over every route and every form); FUZZ_SEED replays a run.

const ROUTES_DIR = path.resolve(import.meta.dirname, "../../app/routes");
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 16);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const ROLES = Object.keys(ACCOUNTS) as Who[];

// ------------------------------------------------------------------ routes, from the files

type Route = { file: string; pattern: string; params: string[]; regex: RegExp; queryNames: string[] };

/** Remix's flat routes: "people_.$id.planning[.]pdf.ts" -> "/people/:id/planning.pdf". */
export function routePattern(file: string): string {
  const base = file.replace(/\.(tsx|ts)$/, "");
  const segments = base.split(/\.(?![^[]*\])/);
  const parts = segments
    .filter((s) => s !== "_index" && !/^_[^.]/.test(s))
    .map((s) =>
      s
        .replace(/_$/, "")
        .replace(/\[(.)\]/g, "$1")
        .replace(/^\$(\w+)/, ":$1")
        .replace(/\.\$(\w+)/, ".:$1"),
    );
  return `/${parts.join("/")}`;
}

function queryNamesIn(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/(?:searchParams|params)\.get(?:All)?\("([\w-]+)"\)/g)) names.add(m[1]!);
  // Schemas read whole from the query string: their keys.
  if (/Object\.fromEntries\([^)]*searchParams/.test(source)) {
    for (const m of source.matchAll(/^\s{2,4}(\w+): z[.\s]/gm)) names.add(m[1]!);
  }
  return [...names];
}

const ROUTES: Route[] = readdirSync(ROUTES_DIR)
  .filter((f) => /\.tsx?$/.test(f) && !f.includes(".test."))
  .map((file) => {
    const pattern = routePattern(file);
    const params = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const regex = new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/:\w+/g, "[^/]+")}$`);
    return { file, pattern, params, regex, queryNames: queryNamesIn(readFileSync(path.join(ROUTES_DIR, file), "utf8")) };
  });

// As the router ranks them: a static segment wins over a parameter ("/people/new" is not "/people/:id").
const BY_RANK = [...ROUTES].sort((a, b) => a.params.length - b.params.length);
const routeOf = (pathname: string) => BY_RANK.find((r) => r.regex.test(pathname));

// ------------------------------------------------------------------ hostile values

const EDGE_DATES = [
  "0000-01-01",
  "9999-12-31",
  "275760-09-13",
  "-000001-01-01",
  "+275760-09-13",
  "2026-02-30",
  "2026-13-01",
  "1969-12-31",
  "1970-01-01",
  "2100-12-31",
  "2101-01-01",
  "2026-1-1",
  "2026-12-07T25:00",
  "0000-00",
  "2026-00",
  "9999-12",
  "2026-W50",
];
const NUMBERS = [
  "-1",
  "0",
  "-0",
  "1e308",
  "-1e308",
  "9007199254740993",
  "99999999999999999999",
  "9999999999999999999",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x10",
  "1.5",
  "1,5",
  "-2147483649",
  "2147483648",
  "8640000000000000",
  "8640000000000000_zz",
];
const CONTROL = ["\u0000", "a\u0000b", "\u0000\u0000\u0000", "\u001b[31m", "\u007f", "\r\n", "\t", "\u0008", "\u2028", "\u3002", "\uFEFF"];
const WRONG_TYPES = [
  "",
  " ",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "[object Object]",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "../../etc/passwd",
  "%00",
  "%",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "${7*7}",
];

/** The values of the systematic pass: each tried on every parameter of every route, and in every form. */
const EDGE_VALUES = ["a\u0000b", "0000-01-01", "9999-12-31", "275760-09-13", "-1", "9007199254740993", "99999999999999999999", "2026-13-01", "\u001b\u007f", "é".repeat(300)];

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...CONTROL),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...EDGE_DATES),
  fc.constantFrom(...WRONG_TYPES),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.double().map(String),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("x".repeat(5_000), "é".repeat(3_000), "😀".repeat(1_000)),
);

/** A lone surrogate cannot be encoded in a URL or a form: replaced, as a browser does. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
const encode = (s: string) => encodeURIComponent(wellFormed(s));

// ------------------------------------------------------------------ what the crawl finds

type FoundForm = { who: Who; page: string; action: string; fields: [string, string][] };
const clients = {} as Record<Who, HttpClient>;
const samplePaths = new Map<string, Map<Who, string>>(); // route file -> a real path per role (answered 200)
const reached = new Set<string>(); // route files the walk asked for, whatever the answer
const forms: FoundForm[] = [];

const decodeHtml = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeHtml(m[1]!) : null;
};

function formsIn(html: string, page: string, who: Who): { post: FoundForm[]; getNames: string[] } {
  const post: FoundForm[] = [];
  const getNames: string[] = [];
  for (const m of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [open, body] = [m[1]!, m[2]!];
    const method = (attr(open, "method") ?? "get").toLowerCase();
    const fields: [string, string][] = [];
    const buttons: [string, string][] = [];
    for (const input of body.matchAll(/<input([^>]*)>/g)) {
      const name = attr(input[1]!, "name");
      if (!name) continue;
      const type = attr(input[1]!, "type") ?? "text";
      if ((type === "checkbox" || type === "radio") && !/\schecked/.test(input[1]!)) continue;
      fields.push([name, attr(input[1]!, "value") ?? ""]);
    }
    for (const select of body.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(select[1]!, "name");
      const option = /<option[^>]*value="([^"]*)"/.exec(select[2]!);
      if (name) fields.push([name, option ? decodeHtml(option[1]!) : ""]);
    }
    for (const area of body.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(area[1]!, "name");
      if (name) fields.push([name, decodeHtml(area[2]!)]);
    }
    for (const button of body.matchAll(/<button([^>]*)>/g)) {
      const name = attr(button[1]!, "name");
      if (name) buttons.push([name, attr(button[1]!, "value") ?? ""]);
    }
    if (method === "get") {
      getNames.push(...fields.map(([n]) => n));
      continue;
    }
    const action = attr(open, "action") ?? page;
    if (/\/logout/.test(action)) continue; // signing out the fuzzing client would end its walk
    for (const button of buttons.length > 0 ? buttons : [null]) post.push({ who, page, action, fields: button ? [...fields, button] : fields });
  }
  return { post, getNames };
}

/** Follows links as one role: one page per route file (and per role), up to `limit` pages. */
async function crawl(who: Who, limit: number) {
  // From home and every route without parameters; links lead to the others with real ids.
  const queue = ["/", ...ROUTES.filter((r) => r.params.length === 0).map((r) => r.pattern)];
  const seen = new Set<string>();
  let visited = 0;
  while (queue.length > 0 && visited < limit) {
    const page = queue.shift()!;
    const url = new URL(page, "http://x");
    const route = routeOf(url.pathname);
    if (!route || seen.has(route.file)) continue;
    seen.add(route.file);
    visited++;
    const response = await clients[who].get(page);
    reached.add(route.file);
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || !type.includes("html")) {
      await response.arrayBuffer();
      if (response.status === 200) samplePaths.get(route.file)?.set(who, page) ?? samplePaths.set(route.file, new Map([[who, page]]));
      continue;
    }
    const html = await response.text();
    samplePaths.get(route.file)?.set(who, page) ?? samplePaths.set(route.file, new Map([[who, page]]));
    const found = formsIn(html, page, who);
    forms.push(...found.post);
    for (const name of found.getNames) if (!route.queryNames.includes(name)) route.queryNames.push(name);
    for (const link of html.matchAll(/href="(\/[^"#]*)"/g)) {
      const href = decodeHtml(link[1]!);
      if (!href.startsWith("/build/") && !href.startsWith("/logout")) queue.push(href);
    }
  }
}

let stopServer: (() => Promise<void>) | undefined;
afterAll(async () => stopServer?.());

beforeAll(async () => {
  const server = await startFuzzServer(inject("fuzzDatabaseUrl"), JSON.parse(inject("fuzzEnv")) as Record<string, string>);
  stopServer = server.stop;
  const base = server.url;
  for (const who of ROLES) {
    const email = ACCOUNTS[who];
    clients[who] = email ? await new HttpClient(base).login(email) : new HttpClient(base);
  }
  for (const who of ROLES) await crawl(who, 60);
}, 120_000);

// ------------------------------------------------------------------ requests

type Sent = { who: Who; method: string; path: string; status: number; body: string };
const seen: Sent[] = [];
let count = 0;

async function send(who: Who, method: "GET" | "POST", target: string, body?: URLSearchParams | FormData): Promise<Sent> {
  const client = clients[who];
  const response =
    method === "GET"
      ? await client.get(target)
      : await fetch(client.baseUrl + target, { method: "POST", body, headers: { Cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") }, redirect: "manual" });
  const text = await response.text();
  count++;
  const sent = { who, method, path: target, status: response.status, body: text };
  if (response.status >= 500) seen.push(sent);
  return sent;
}

/** A path of a route: each parameter either a real value (from the crawl) or a hostile one. */
const pathArb = (route: Route): fc.Arbitrary<{ who: Who; path: string }> =>
  fc
    .record({
      who: fc.constantFrom(...ROLES),
      values: fc.array(fc.option(hostile, { freq: 2 }), { minLength: route.params.length, maxLength: route.params.length }),
    })
    .map(({ who, values }) => {
      const real = samplePaths.get(route.file)?.get(who) ?? [...(samplePaths.get(route.file)?.values() ?? [])][0];
      const realParts = real ? new URL(real, "http://x").pathname.split("/") : null;
      const patternParts = route.pattern.split("/");
      let i = 0;
      const parts = patternParts.map((p, k) => {
        if (!p.includes(":")) return p;
        const value = values[i++];
        if (value === null || value === undefined) return realParts?.[k] ?? p.replace(/:\w+/, "x");
        return p.replace(/:\w+/, encode(value));
      });
      return { who, path: parts.join("/") };
    });

const getArb: fc.Arbitrary<{ who: Who; path: string }> = fc
  .constantFrom(...ROUTES)
  .chain((route) => fc.tuple(pathArb(route), fc.array(fc.tuple(fc.constantFrom(...route.queryNames, "page", "_data", "index"), hostile), { maxLength: 4 })))
  .map(([{ who, path }, query]) => ({ who, path: query.length === 0 ? path : `${path}?${query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}` }))
  // What a proxy lets through (8 KB): a longer address comes back in the sign-in redirect's Location and overflows the client's header limit.
  .filter(({ path }) => path.length <= 6_000);

type PostCase = { form: FoundForm; changes: { index: number; value: string; duplicate: boolean; drop: boolean }[]; extra: [string, string][]; multipart: boolean };

const postArb = (): fc.Arbitrary<PostCase> =>
  fc.constantFrom(...forms).chain((form) =>
    fc.record({
      form: fc.constant(form),
      changes: fc.array(fc.record({ index: fc.nat({ max: Math.max(0, form.fields.length - 1) }), value: hostile, duplicate: fc.boolean(), drop: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      extra: fc.array(fc.tuple(fc.constantFrom("intent", "id", "organisationId", "__proto__", "csrf"), hostile), { maxLength: 1 }),
      multipart: fc.boolean(),
    }),
  );

function bodyOf(c: PostCase): URLSearchParams | FormData {
  const entries: [string, string][] = [];
  c.form.fields.forEach(([name, value], index) => {
    const changes = c.changes.filter((ch) => ch.index === index);
    if (name === "csrf" || changes.length === 0) {
      entries.push([name, value]);
      return;
    }
    for (const ch of changes) {
      if (ch.drop) continue;
      entries.push([name, wellFormed(ch.value)]);
      if (ch.duplicate) entries.push([name, value]);
    }
  });
  entries.push(...c.extra.map(([k, v]) => [k, wellFormed(v)] as [string, string]));
  if (!c.multipart) return new URLSearchParams(entries);
  const data = new FormData();
  for (const [k, v] of entries) data.append(k, v);
  return data;
}

const report = (s: Sent) => `${s.who} ${s.method} ${s.path.slice(0, 200)} -> ${s.status}: ${s.body.replace(/\s+/g, " ").slice(0, 200)}`;

describe("fuzzing every route, as every role", () => {
  it("finds the routes in app/routes and pages with forms to post", () => {
    expect(ROUTES.length).toBeGreaterThan(40);
    expect(routePattern("people_.$id.planning[.]pdf.ts")).toBe("/people/:id/planning.pdf");
    expect(routePattern("requests.$id_.interventions.$interventionId.tsx")).toBe("/requests/:id/interventions/:interventionId");
    expect(routePattern("_index.tsx")).toBe("/");
    expect(routePattern("calendar.$token[.]ics.ts")).toBe("/calendar/:token.ics");
    expect(forms.length).toBeGreaterThan(30);
    // Every route without parameters was asked for by the walk; those with parameters are filled by the fuzzer.
    expect(ROUTES.filter((r) => r.params.length === 0 && !reached.has(r.file)).map((r) => r.file)).toEqual([]);
  });

  it("every route and every form, with each edge value: no server error", async () => {
    for (const route of ROUTES) {
      const roles = [...(samplePaths.get(route.file)?.keys() ?? [])].slice(0, 2);
      for (const who of roles.length > 0 ? roles : (["admin", "anonymous"] as Who[])) {
        for (const value of EDGE_VALUES) {
          // The path's parameters hostile (when it has any), else a real page with every query parameter hostile.
          const real = samplePaths.get(route.file)?.get(who);
          const target = route.params.length > 0 && (!real || value.length < 20) ? route.pattern.replace(/:\w+/g, encode(value)) : (real ?? route.pattern).split("?")[0]!;
          await send(who, "GET", `${target}?${route.queryNames.map((n) => `${n}=${encode(value)}`).join("&")}`);
        }
      }
    }
    for (const [i, form] of forms.entries()) {
      const value = EDGE_VALUES[i % EDGE_VALUES.length]!;
      const body = new URLSearchParams(form.fields.map(([name, v]) => [name, name === "csrf" || name === "intent" ? v : value]));
      await send(form.who, "POST", form.action, body);
    }
    expect(seen.map(report)).toEqual([]);
  }, 180_000);

  it("random GETs: never a server error", async () => {
    await fc.assert(
      fc.asyncProperty(getArb, async ({ who, path }) => {
        const sent = await send(who, "GET", path);
        expect(sent.status, report(sent)).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: (SECONDS * 1000) / 2, markInterruptAsFailure: false, endOnFailure: true },
    );
    expect(seen.map(report)).toEqual([]);
  }, 120_000);

  it("random forms: never a server error", async () => {
    await fc.assert(
      fc.asyncProperty(postArb(), async (c) => {
        const sent = await send(c.form.who, "POST", c.form.action, bodyOf(c));
        expect(sent.status, report(sent)).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: (SECONDS * 1000) / 2, markInterruptAsFailure: false, endOnFailure: true },
    );
    expect(seen.map(report)).toEqual([]);
    process.stdout.write(`[fuzz] seed ${SEED}: ${count} requests over ${ROUTES.length} routes and ${forms.length} forms, ${seen.length} server errors\n`);
  }, 120_000);
});
