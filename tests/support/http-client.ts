import pg from "pg";
import { inject } from "vitest";

export const DEMO_PASSWORD = "demo-conciergerie-2026";

/** A tiny browser: keeps cookies, reads the CSRF token from the page like a form would. */
export class HttpClient {
  cookies = new Map<string, string>();
  constructor(readonly baseUrl = inject("appUrl")) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keepCookies(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(this.baseUrl + path, { headers: { Cookie: this.cookieHeader(), ...headers }, redirect: "manual" });
    this.keepCookies(response);
    return response;
  }

  /** The CSRF token a page's forms carry (fetches the page first, following a redirect within the site: an encadrant's home is /my-day). */
  async csrfFrom(path: string): Promise<string> {
    let response = await this.get(path);
    const location = response.headers.get("location");
    if (response.status === 302 && location?.startsWith("/") && !location.startsWith("/login")) response = await this.get(location);
    const html = await response.text();
    const match = /name="csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error(`no CSRF field on ${path}`);
    return match[1]!;
  }

  async post(path: string, fields: Record<string, string>, options: { csrf?: string | null; from?: string } = {}) {
    const body = new URLSearchParams(fields);
    const csrf = options.csrf === undefined ? await this.csrfFrom(options.from ?? "/login") : options.csrf;
    if (csrf !== null) body.set("csrf", csrf);
    const response = await fetch(this.baseUrl + path, {
      method: "POST",
      body,
      headers: { Cookie: this.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    this.keepCookies(response);
    return response;
  }

  async login(email: string, password = DEMO_PASSWORD) {
    const response = await this.post("/login", { email, password, redirectTo: "/" });
    if (response.status !== 302) throw new Error(`login of ${email} failed: ${response.status} ${await response.text()}`);
    return this;
  }
}

export async function queryApp<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject("appDatabaseUrl") });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
