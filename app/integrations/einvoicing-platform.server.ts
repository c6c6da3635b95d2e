import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { env } from "~/utils/env.server.ts";

// The association's accredited platform (plateforme agréée, PA), reached over
// the French standard API AFNOR XP Z12-013: the Flow Service (submit a flow,
// search flows, read one) and the Directory Service (who can receive e-invoices,
// at which address). Bearer tokens come from the PA's token URL (OAuth2 client
// credentials) and are kept until they expire. Not configured (the default):
// documents stay "to transmit" and finance hands over the month's ZIP; nothing
// ever reports a transmission that did not happen.

export type PlatformConfig = {
  name: string;
  flowUrl: string;
  directoryUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  scope?: string;
};

export function platformConfig(): PlatformConfig | null {
  const e = env();
  if (!e.PA_FLOW_URL || !e.PA_DIRECTORY_URL || !e.PA_TOKEN_URL || !e.PA_CLIENT_ID || !e.PA_CLIENT_SECRET || !e.PA_WEBHOOK_SECRET) return null;
  return {
    name: e.PA_NAME,
    flowUrl: e.PA_FLOW_URL.replace(/\/$/, ""),
    directoryUrl: e.PA_DIRECTORY_URL.replace(/\/$/, ""),
    tokenUrl: e.PA_TOKEN_URL,
    clientId: e.PA_CLIENT_ID,
    clientSecret: e.PA_CLIENT_SECRET,
    webhookSecret: e.PA_WEBHOOK_SECRET,
    scope: e.PA_OAUTH_SCOPE,
  };
}

export const platformConfigured = () => platformConfig() !== null;

// ------------------------------------------------------------------ API shapes (the subset we use)

const ackDetail = z.object({ level: z.string(), item: z.string().optional(), reasonCode: z.string(), reasonMessage: z.string().optional() });
export const flowSchema = z.object({
  flowId: z.string().min(1).max(36),
  trackingId: z.string().max(36).optional().nullable(),
  submittedAt: z.string().optional().nullable(),
  updatedAt: z.string().optional().nullable(),
  flowType: z.string().optional().nullable(),
  flowDirection: z.enum(["In", "Out"]).optional().nullable(),
  flowSyntax: z.string().optional().nullable(),
  processingRule: z.string().optional().nullable(),
  acknowledgement: z
    .object({ status: z.enum(["Pending", "Ok", "Error"]), details: z.array(ackDetail).optional() })
    .optional()
    .nullable(),
});
export type Flow = z.infer<typeof flowSchema>;

const fullFlowInfoSchema = z.object({ flowId: z.string().min(1).max(36), submittedAt: z.string().optional(), trackingId: z.string().optional(), sha256: z.string().optional() });
const searchSchema = z.object({ results: z.array(flowSchema).default([]) });
const directorySchema = z.object({
  results: z
    .array(
      z.object({
        addressingIdentifier: z.string().optional(),
        siren: z.string().optional(),
        siret: z.string().optional().nullable(),
        routingCode: z.object({ routingIdentifier: z.string().optional() }).optional().nullable(),
        platform: z.object({ platformStatus: z.string().optional() }).optional().nullable(),
      }),
    )
    .default([]),
});

export type FlowInfo = {
  trackingId: string;
  name: string;
  processingRule: "B2B";
  flowSyntax: "Factur-X" | "CDAR";
  sha256: string;
};

export type DirectoryLine = { addressingIdentifier: string; routingCode: string | null };

/**
 * Retry: the PA did not take it (429, 5xx, network, timeout), sending again is
 * safe after a search. Refused: the PA answered no (4xx): never sent again blindly.
 */
export class PlatformError extends Error {
  constructor(
    readonly kind: "retry" | "refused",
    readonly status: number | null,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 20_000; // below the worker's lock: a job is never taken up while its POST is in flight

// ------------------------------------------------------------------ the client

export function platformClient(config: PlatformConfig) {
  let token: { value: string; expiresAt: number } | null = null;
  let fetching: Promise<string> | null = null; // concurrent jobs wait for the same token request

  async function call(url: string, init: RequestInit & { timeoutMs?: number }): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS) });
    } catch (error) {
      throw new PlatformError("retry", null, "NETWORK", `plateforme injoignable (${error instanceof Error ? error.name : "erreur réseau"})`);
    }
  }

  async function failure(res: Response): Promise<PlatformError> {
    const body = (await res.json().catch(() => ({}))) as { errorCode?: string; errorMessage?: string | null };
    const code = body.errorCode ?? `HTTP_${res.status}`;
    const message = `${res.status} ${code}${body.errorMessage ? ` : ${body.errorMessage}` : ""}`;
    return new PlatformError(res.status === 429 || res.status >= 500 || res.status === 408 ? "retry" : "refused", res.status, code, message);
  }

  function bearer(): Promise<string> {
    if (token && token.expiresAt > Date.now() + 30_000) return Promise.resolve(token.value);
    fetching ??= fetchToken().finally(() => {
      fetching = null;
    });
    return fetching;
  }

  async function fetchToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: "client_credentials", ...(config.scope ? { scope: config.scope } : {}) });
    const res = await call(config.tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString("base64")}`,
      },
      body,
    });
    if (!res.ok) {
      const error = await failure(res);
      // Bad credentials are not fixed by waiting, but the document is fine: retried, and shown as unreachable.
      throw new PlatformError("retry", error.status, error.code, `jeton refusé par la plateforme (${error.message})`);
    }
    const parsed = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().default(300) }).parse(await res.json());
    token = { value: parsed.access_token, expiresAt: Date.now() + parsed.expires_in * 1000 };
    return token.value;
  }

  /** An authenticated call; a 401 drops the cached token and tries once more with a fresh one. */
  async function authed(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await call(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await bearer()}` } });
      if (res.status === 401 && attempt === 0) {
        token = null;
        continue;
      }
      if (!res.ok) throw await failure(res);
      return res;
    }
  }

  const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  return {
    name: config.name,

    /** POST /v1/flows: the flow's signalling (flowInfo, JSON) then its file. */
    async submitFlow(info: FlowInfo, bytes: Uint8Array, contentType: "application/pdf" | "application/xml") {
      const form = new FormData();
      form.append("flowInfo", new Blob([JSON.stringify(info)], { type: "application/json" }));
      form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), info.name);
      const res = await authed(`${config.flowUrl}/v1/flows`, { method: "POST", body: form });
      return fullFlowInfoSchema.parse(await res.json());
    },

    /** POST /v1/flows/search: by trackingId, or every flow updated after a date (at most `limit`, oldest first). */
    async searchFlows(where: { trackingId?: string; updatedAfter?: Date }, limit = 100) {
      const filters = { ...(where.trackingId ? { trackingId: where.trackingId } : {}), ...(where.updatedAfter ? { updatedAfter: where.updatedAfter.toISOString() } : {}) };
      const res = await authed(`${config.flowUrl}/v1/flows/search`, json({ limit, where: filters }));
      return searchSchema.parse(await res.json()).results;
    },

    /** GET /v1/flows/{flowId}: the flow's metadata. */
    async getFlow(flowId: string) {
      const res = await authed(`${config.flowUrl}/v1/flows/${encodeURIComponent(flowId)}?docType=Metadata`, { method: "GET", headers: { accept: "application/json" } });
      return flowSchema.parse(await res.json());
    },

    /** GET /v1/flows/{flowId}?docType=Original: the file as its sender gave it (a lifecycle message, for instance). */
    async getFlowFile(flowId: string) {
      const res = await authed(`${config.flowUrl}/v1/flows/${encodeURIComponent(flowId)}?docType=Original`, { method: "GET", headers: { accept: "application/octet-stream" } });
      return new Uint8Array(await res.arrayBuffer());
    },

    /**
     * Directory Service, POST /v1/directory-line/search by SIREN: the buyer's
     * electronic invoicing address. The line of its SIRET when there is one,
     * else the SIREN's; null when the company receives nowhere (yet).
     */
    async directoryLine(siren: string, siret: string | null): Promise<DirectoryLine | null> {
      const res = await authed(`${config.directoryUrl}/v1/directory-line/search`, json({ filters: { siren: { op: "strict", value: siren } }, limit: 50 }));
      const lines = directorySchema.parse(await res.json()).results.filter((l) => l.addressingIdentifier && l.platform?.platformStatus !== "Disabled");
      const line = lines.find((l) => siret && l.siret === siret) ?? lines.find((l) => !l.siret) ?? null;
      return line ? { addressingIdentifier: line.addressingIdentifier!, routingCode: line.routingCode?.routingIdentifier ?? null } : null;
    },
  };
}

export type PlatformClient = ReturnType<typeof platformClient>;

let shared: { config: PlatformConfig; client: PlatformClient } | null = null;
/** The configured platform's client (one per process: its token is shared), or null. */
export function configuredPlatform(): PlatformClient | null {
  const config = platformConfig();
  if (!config) return null;
  if (!shared || shared.config.flowUrl !== config.flowUrl || shared.config.clientId !== config.clientId) shared = { config, client: platformClient(config) };
  return shared.client;
}

// ------------------------------------------------------------------ webhooks

// The callback carries { flowInfo: Flow } (WebhookCallbackContent). The PA signs
// the raw body: header "X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// `${t}.${body}` with the webhook secret>". Older than 5 minutes is refused.
export const WEBHOOK_SIGNATURE_HEADER = "x-signature";
const TOLERANCE_S = 300;

export function signWebhook(secret: string, body: string, at = Math.floor(Date.now() / 1000)) {
  return `t=${at},v1=${createHmac("sha256", secret).update(`${at}.${body}`).digest("hex")}`;
}

export function verifyWebhook(secret: string, body: string, header: string | null, now = Date.now()): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const at = Number(parts.t);
  if (!Number.isInteger(at) || !parts.v1 || !/^[0-9a-f]{64}$/.test(parts.v1)) return false;
  if (Math.abs(now / 1000 - at) > TOLERANCE_S) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${at}.${body}`).digest("hex"), "hex");
  return timingSafeEqual(expected, Buffer.from(parts.v1, "hex"));
}

export const webhookBodySchema = z.object({ flowInfo: flowSchema });
