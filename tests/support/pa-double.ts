// A local HTTP double of an accredited platform (plateforme agréée), speaking
// the subset of AFNOR XP Z12-013 the app uses: an OAuth2 token URL (client
// credentials), the Flow Service (POST /v1/flows multipart, POST
// /v1/flows/search, GET /v1/flows/{flowId}) and the Directory Service (POST
// /v1/directory-line/search). It checks what it receives as a PA would (the
// sha256 matches the file, a Factur-X is a PDF with its CII XML embedded; with
// `officialValidator` it also runs the official validate.mjs), then
// acknowledges (Ok or Error with reason codes) and plays the lifecycle:
// Déposée, then Approuvée, or Rejetée / Refusée for the buyers it is told to,
// each as an incoming CDAR flow and a signed webhook to the app.
//
// It counts every POST per trackingId, so tests can prove nothing was sent
// twice. /_double/* drives it from tests and the demo (rules, faults, state).
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { buildLifecycleMessage, parseLifecycleMessage } from "../../app/domain/einvoicing/cdar.ts";
import { lifecycleLabel } from "../../app/domain/einvoicing/lifecycle.ts";
import { signWebhook } from "../../app/integrations/einvoicing-platform.server.ts";
import { embeddedFiles, loadPdf } from "./pdf-read.ts";

type Ack = { status: "Pending" | "Ok" | "Error"; details?: { level: "Error" | "Warning"; item: string; reasonCode: string; reasonMessage: string }[] };
type StoredFlow = {
  flowId: string;
  trackingId: string | null;
  submittedAt: string;
  updatedAt: string;
  flowType: string;
  flowDirection: "In" | "Out";
  flowSyntax: string;
  processingRule: string;
  acknowledgement: Ack;
  file: Buffer;
  sha256: string;
  // what the double read in it
  invoiceNumber?: string;
  buyerSiren?: string;
  issueDate?: string;
  typeCode?: "380" | "381";
};

export type PaRules = {
  /** Buyers whose invoices the platform rejects (lifecycle 213 Rejetée), and those who refuse them (210 Refusée). */
  rejectSirens: string[];
  refuseSirens: string[];
  /** Buyers absent from the directory. */
  missingSirens: string[];
  /** The next N calls to the Flow Service answer this status (503, 429...) before doing anything. */
  failNext: number;
  failStatus: number;
  /** Latency added to every Flow Service answer, in ms. */
  latencyMs: number;
  /** Send webhooks (off: the app must find statuses by polling). */
  webhooks: boolean;
  /** Delay before the acknowledgement, and between lifecycle statuses, in ms. */
  ackDelayMs: number;
  stepDelayMs: number;
  /** Stop after Déposée (no Approuvée), e.g. to push statuses by hand. */
  autoApprove: boolean;
};

export type PaDoubleOptions = Partial<PaRules> & {
  clientId?: string;
  clientSecret?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Path of validate.mjs (the official artefacts): every Factur-X is also checked by it. */
  officialValidator?: string;
  tokenTtlSeconds?: number;
};

const DEFAULT_RULES: PaRules = {
  rejectSirens: [],
  refuseSirens: [],
  missingSirens: [],
  failNext: 0,
  failStatus: 503,
  latencyMs: 0,
  webhooks: true,
  ackDelayMs: 20,
  stepDelayMs: 50,
  autoApprove: true,
};
const xml = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const PLATFORM_SIREN = "999999999";

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export class PaDouble {
  private server: Server | null = null;
  private flows = new Map<string, StoredFlow>();
  private tokens = new Map<string, number>(); // token -> expiry (ms)
  private lastStamp = 0;
  private timers = new Set<NodeJS.Timeout>();
  private pendingWebhooks = 0;
  rules: PaRules;
  /** Flows taken (POST /v1/flows answered 202) per trackingId: more than one is a double submission. */
  readonly submissions = new Map<string, number>();
  /** Encaissée flows received, per invoice number, with their amounts. */
  readonly encaissements = new Map<string, number[]>();
  readonly counters = { tokens: 0, flowPosts: 0, searches: 0, gets: 0, directory: 0, webhooksSent: 0, webhooksFailed: 0, rejectedAuth: 0, faultsInjected: 0 };
  url = "";

  constructor(private options: PaDoubleOptions = {}) {
    this.rules = { ...DEFAULT_RULES, ...pickRules(options) };
  }

  get clientId() {
    return this.options.clientId ?? "conciergerie-test";
  }
  get clientSecret() {
    return this.options.clientSecret ?? "pa-double-secret-0123456789";
  }
  get webhookSecret() {
    return this.options.webhookSecret ?? "pa-double-webhook-secret-0123456789";
  }

  /** The app's environment to reach this double. */
  get env() {
    return {
      PA_FLOW_URL: `${this.url}/flow-service`,
      PA_DIRECTORY_URL: `${this.url}/directory-service`,
      PA_TOKEN_URL: `${this.url}/oauth/token`,
      PA_CLIENT_ID: this.clientId,
      PA_CLIENT_SECRET: this.clientSecret,
      PA_WEBHOOK_SECRET: this.webhookSecret,
      PA_NAME: "Plateforme agréée (double local)",
    };
  }

  setWebhookUrl(url: string | undefined) {
    this.options.webhookUrl = url;
  }

  async start(port = 0) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until no acknowledgement, status or webhook is still to come. */
  async settle(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while ((this.timers.size > 0 || this.pendingWebhooks > 0) && Date.now() < deadline) await sleep(20);
  }

  submissionsOf(trackingId: string) {
    return this.submissions.get(trackingId) ?? 0;
  }

  flowsOf(trackingId: string) {
    return [...this.flows.values()].filter((f) => f.trackingId === trackingId);
  }

  /** Lifecycle statuses the double sent about an invoice, in the order it sent them. */
  statusesOf(invoiceNumber: string) {
    return [...this.flows.values()]
      .filter((f) => f.flowDirection === "In" && f.invoiceNumber === invoiceNumber)
      .map((f) => ({ flowId: f.flowId, code: parseLifecycleMessage(f.file.toString())!.statusCode, updatedAt: f.updatedAt }));
  }

  /** A lifecycle status about an invoice, as the buyer's side would send it (e.g. 207 En litige). */
  pushStatus(invoiceNumber: string, code: string, reason?: string, occurredAt = new Date(), options: { webhook?: boolean } = {}) {
    const invoice = [...this.flows.values()].find((f) => f.flowDirection === "Out" && f.invoiceNumber === invoiceNumber && f.flowSyntax !== "CDAR");
    if (!invoice) throw new Error(`no invoice ${invoiceNumber} at the double`);
    return this.emitLifecycle(invoice, code, reason, occurredAt, options.webhook ?? this.rules.webhooks);
  }

  /** Sends a webhook for a flow again (a replay, as a PA retrying would). */
  async replayWebhook(flowId: string) {
    const flow = this.flows.get(flowId);
    if (flow) await this.sendWebhook(flow);
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://double");
    try {
      const body = await readBody(req);
      if (url.pathname.startsWith("/_double/")) return this.admin(req.method ?? "GET", url, body, res);
      if (req.method === "POST" && url.pathname === "/oauth/token") return this.token(req, body, res);
      if (!this.authorised(req)) {
        this.counters.rejectedAuth++;
        throw new HttpError(401, "MISSING_TOKEN", "A valid bearer token is required");
      }
      if (url.pathname.startsWith("/flow-service/")) {
        if (this.rules.latencyMs) await sleep(this.rules.latencyMs);
        if (this.rules.failNext > 0) {
          this.rules.failNext--;
          if (req.method === "POST" && url.pathname === "/flow-service/v1/flows") this.counters.faultsInjected++;
          throw new HttpError(this.rules.failStatus, this.rules.failStatus === 429 ? "TOO_MANY_REQUESTS" : "RESOURCE_ERROR", "Injected fault");
        }
        const route = url.pathname.slice("/flow-service".length);
        if (req.method === "POST" && route === "/v1/flows") return send(res, 202, await this.createFlow(req, body));
        if (req.method === "POST" && route === "/v1/flows/search") return send(res, 200, this.search(JSON.parse(body.toString() || "{}")));
        if (req.method === "GET" && route === "/v1/healthcheck") return send(res, 200, {});
        const m = route.match(/^\/v1\/flows\/([^/]+)$/);
        if (req.method === "GET" && m) return this.getFlow(decodeURIComponent(m[1]!), url.searchParams.get("docType") ?? "Metadata", res);
      }
      if (req.method === "POST" && url.pathname === "/directory-service/v1/directory-line/search") return send(res, 200, this.directory(JSON.parse(body.toString() || "{}")));
      throw new HttpError(404, "MISSING_RESOURCE", "Requested resource is Not Found");
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, { errorCode: error.errorCode, errorMessage: error.message });
      return send(res, 400, { errorCode: "MISSING_REQUIRED_FIELD", errorMessage: error instanceof Error ? error.message : String(error) });
    }
  }

  private token(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const form = new URLSearchParams(body.toString());
    const basic = (req.headers.authorization ?? "").match(/^Basic (.+)$/);
    const [id, secret] = basic ? Buffer.from(basic[1]!, "base64").toString().split(":").map(decodeURIComponent) : [form.get("client_id"), form.get("client_secret")];
    if (form.get("grant_type") !== "client_credentials") return send(res, 400, { error: "unsupported_grant_type" });
    if (id !== this.clientId || secret !== this.clientSecret) return send(res, 401, { error: "invalid_client" });
    const ttl = this.options.tokenTtlSeconds ?? 3600;
    const token = randomBytes(24).toString("hex");
    this.tokens.set(token, Date.now() + ttl * 1000);
    this.counters.tokens++;
    return send(res, 200, { access_token: token, token_type: "Bearer", expires_in: ttl });
  }

  private authorised(req: IncomingMessage) {
    const m = (req.headers.authorization ?? "").match(/^Bearer (.+)$/);
    const expiry = m ? this.tokens.get(m[1]!) : undefined;
    return expiry !== undefined && expiry > Date.now();
  }

  private stamp() {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1); // unique and increasing: search by updatedAfter never skips one
    return new Date(this.lastStamp).toISOString();
  }

  private async createFlow(req: IncomingMessage, body: Buffer) {
    this.counters.flowPosts++;
    const form = await new Response(new Uint8Array(body), { headers: { "content-type": req.headers["content-type"] ?? "" } }).formData().catch(() => {
      throw new HttpError(400, "MISSING_REQUIRED_FIELD", "multipart/form-data expected");
    });
    const infoPart = form.get("flowInfo");
    const filePart = form.get("file");
    if (!infoPart || !filePart || typeof filePart === "string") throw new HttpError(400, "MISSING_REQUIRED_FIELD", "flowInfo and file are required");
    const info = JSON.parse(typeof infoPart === "string" ? infoPart : await infoPart.text()) as Record<string, string>;
    if (!["CII", "UBL", "Factur-X", "CDAR", "FRR"].includes(info.flowSyntax ?? "")) throw new HttpError(400, "INVALID_FIELD", "flowSyntax is missing or unknown");
    if (info.trackingId && info.trackingId.length > 36) throw new HttpError(400, "INVALID_FIELD", "trackingId is longer than 36");
    if (info.sha256 && !/^[a-f0-9]{64}$/.test(info.sha256)) throw new HttpError(400, "INVALID_FIELD", "sha256 is not a SHA-256 in hex");
    const file = Buffer.from(await filePart.arrayBuffer());
    if (info.trackingId) this.submissions.set(info.trackingId, (this.submissions.get(info.trackingId) ?? 0) + 1);
    const now = this.stamp();
    const flow: StoredFlow = {
      flowId: randomUUID(),
      trackingId: info.trackingId ?? null,
      submittedAt: now,
      updatedAt: now,
      flowType: info.flowSyntax === "CDAR" ? "CustomerInvoiceLC" : "CustomerInvoice",
      flowDirection: "Out",
      flowSyntax: info.flowSyntax!,
      processingRule: info.processingRule ?? "B2B",
      acknowledgement: { status: "Pending" },
      file,
      sha256: sha256(file),
    };
    const duplicate = flow.trackingId ? [...this.flows.values()].some((f) => f.trackingId === flow.trackingId && f.acknowledgement.status !== "Error") : false;
    this.flows.set(flow.flowId, flow);
    this.later(this.rules.ackDelayMs, () => this.acknowledge(flow, info.sha256, duplicate));
    return {
      flowId: flow.flowId,
      submittedAt: flow.submittedAt,
      trackingId: flow.trackingId ?? undefined,
      name: info.name,
      processingRule: flow.processingRule,
      flowSyntax: flow.flowSyntax,
      sha256: flow.sha256,
    };
  }

  /** The PA's own checks, then the acknowledgement and the lifecycle that follows. */
  private async acknowledge(flow: StoredFlow, declaredSha: string | undefined, duplicate: boolean) {
    const errors: NonNullable<Ack["details"]> = [];
    const error = (reasonCode: string, reasonMessage: string, item = "file") => errors.push({ level: "Error", item, reasonCode, reasonMessage });
    if (flow.file.length === 0) error("EmptyFlow", "Le fichier est vide");
    if (declaredSha && declaredSha !== flow.sha256) error("ChecksumMismatch", "L'empreinte SHA-256 déclarée ne correspond pas au fichier", "sha256");
    if (duplicate) error("AlreadyExistingFlow", "Un flux avec ce trackingId a déjà été reçu", "trackingId");
    if (errors.length === 0 && flow.flowSyntax === "Factur-X") await this.readFacturX(flow, error);
    if (errors.length === 0 && flow.flowSyntax === "CDAR") {
      const message = parseLifecycleMessage(flow.file.toString("utf8"));
      if (!message) error("InvalidSchema", "Message de cycle de vie illisible");
      else if (message.statusCode === "212") {
        const invoice = [...this.flows.values()].find((f) => f.flowDirection === "Out" && f.invoiceNumber === message.invoiceNumber && f.flowSyntax === "Factur-X");
        if (!invoice) error("InvoiceLCRuleError", `Facture ${message.invoiceNumber} inconnue`);
        else if (message.amountCents === null || message.amountCents <= 0) error("InvoiceLCAmountError", "Montant encaissé absent");
        else this.encaissements.set(message.invoiceNumber, [...(this.encaissements.get(message.invoiceNumber) ?? []), message.amountCents]);
      }
    }
    flow.acknowledgement = errors.length ? { status: "Error", details: errors } : { status: "Ok" };
    flow.updatedAt = this.stamp();
    this.webhook(flow);
    if (errors.length || flow.flowSyntax !== "Factur-X") return;
    // The lifecycle, as the issuing platform and the buyer's would produce it.
    const siren = flow.buyerSiren ?? "";
    this.later(this.rules.stepDelayMs, () => {
      if (this.rules.rejectSirens.includes(siren)) return void this.emitLifecycle(flow, "213", "REJ_SEMAN : le destinataire n'est pas valide pour ce SIREN (règle du double)");
      this.emitLifecycle(flow, "200");
      if (!this.rules.autoApprove) return;
      this.later(this.rules.stepDelayMs, () => {
        if (this.rules.refuseSirens.includes(siren)) this.emitLifecycle(flow, "210", "REF_CT : prestation non conforme à la commande (règle du double)");
        else this.emitLifecycle(flow, "205");
      });
    });
  }

  private async readFacturX(flow: StoredFlow, error: (code: string, message: string, item?: string) => void) {
    if (flow.file.subarray(0, 5).toString() !== "%PDF-") return error("FlowTypeError", "Un Factur-X est un PDF");
    let cii: string | undefined;
    try {
      const files = embeddedFiles(await loadPdf(flow.file));
      if (files.length !== 1) return error("AttachmentTypeError", `Un seul XML attendu dans le PDF (${files.length} trouvé(s))`);
      cii = files.find((f) => f.name === "factur-x.xml")?.content;
    } catch (e) {
      return error("InvalidSchema", `PDF illisible : ${e instanceof Error ? e.message : e}`);
    }
    if (!cii) return error("AttachmentTypeError", "factur-x.xml absent du PDF");
    const doc = xml.parse(cii)?.CrossIndustryInvoice;
    const number = doc?.ExchangedDocument?.ID;
    const buyer = doc?.SupplyChainTradeTransaction?.ApplicableHeaderTradeAgreement?.BuyerTradeParty;
    const siren = typeof buyer?.SpecifiedLegalOrganization?.ID === "string" ? buyer.SpecifiedLegalOrganization.ID : undefined;
    if (!number) return error("InvalidSchema", "BT-1 (numéro de facture) absent");
    if (flow.trackingId && flow.trackingId !== number) return error("InvalidSchema", `trackingId ${flow.trackingId} différent du numéro de la facture ${number}`, "trackingId");
    flow.invoiceNumber = String(number);
    flow.buyerSiren = siren?.replace(/\D/g, "").slice(0, 9);
    flow.typeCode = String(doc?.ExchangedDocument?.TypeCode) === "381" ? "381" : "380";
    const issue = String(doc?.ExchangedDocument?.IssueDateTime?.DateTimeString ?? "");
    flow.issueDate = issue.length === 8 ? `${issue.slice(0, 4)}-${issue.slice(4, 6)}-${issue.slice(6)}` : new Date().toISOString().slice(0, 10);
    if (this.options.officialValidator) {
      const failure = await runOfficialValidator(this.options.officialValidator, flow.file);
      if (failure) error("InvalidSchema", failure);
    }
  }

  private emitLifecycle(invoice: StoredFlow, code: string, reason?: string, occurredAt = new Date(), webhook = this.rules.webhooks) {
    const [reasonCode, ...rest] = (reason ?? "").split(" : ");
    const file = Buffer.from(
      buildLifecycleMessage({
        id: `CDV-${randomBytes(6).toString("hex")}`,
        invoiceNumber: invoice.invoiceNumber!,
        invoiceIssueDate: invoice.issueDate!,
        invoiceTypeCode: invoice.typeCode ?? "380",
        statusCode: code,
        statusLabel: lifecycleLabel(code),
        occurredAt,
        senderSiren: PLATFORM_SIREN,
        recipientSiren: invoice.buyerSiren ?? PLATFORM_SIREN,
        ...(reason ? { reasonCode: rest.length ? reasonCode : undefined, reason: rest.length ? rest.join(" : ") : reason } : {}),
      }),
    );
    const now = this.stamp();
    const flow: StoredFlow = {
      flowId: randomUUID(),
      trackingId: null,
      submittedAt: now,
      updatedAt: now,
      flowType: "CustomerInvoiceLC",
      flowDirection: "In",
      flowSyntax: "CDAR",
      processingRule: "B2B",
      acknowledgement: { status: "Ok" },
      file,
      sha256: sha256(file),
      invoiceNumber: invoice.invoiceNumber,
    };
    this.flows.set(flow.flowId, flow);
    if (webhook) this.webhook(flow);
    return flow.flowId;
  }

  private search(params: { limit?: number; where?: { updatedAfter?: string; updatedBefore?: string; trackingId?: string; ackStatus?: string; flowDirection?: string[] } }) {
    this.counters.searches++;
    const where = params.where ?? {};
    if (Object.keys(where).length === 0) throw new HttpError(400, "MISSING_REQUIRED_FIELD", "at least one criterion is required");
    const limit = Math.min(Math.max(1, params.limit ?? 25), 100);
    const after = where.updatedAfter ? Date.parse(where.updatedAfter) : -Infinity;
    const before = where.updatedBefore ? Date.parse(where.updatedBefore) : Infinity;
    const results = [...this.flows.values()]
      .filter((f) => Date.parse(f.updatedAt) > after && Date.parse(f.updatedAt) < before)
      .filter((f) => !where.trackingId || f.trackingId === where.trackingId)
      .filter((f) => !where.ackStatus || f.acknowledgement.status === where.ackStatus)
      .filter((f) => !where.flowDirection || where.flowDirection.includes(f.flowDirection))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit)
      .map(metadata);
    return { limit, filters: where, results };
  }

  private getFlow(flowId: string, docType: string, res: ServerResponse) {
    this.counters.gets++;
    const flow = this.flows.get(flowId);
    if (!flow) throw new HttpError(404, "MISSING_RESOURCE", "Requested resource is Not Found");
    if (docType === "Metadata") return send(res, 200, metadata(flow));
    if (docType !== "Original") throw new HttpError(404, "MISSING_RESOURCE", `No ${docType} document for this flow`);
    res.writeHead(200, { "content-type": flow.flowSyntax === "CDAR" ? "application/xml" : "application/pdf", "content-disposition": `attachment;filename=${flow.flowId}` });
    res.end(flow.file);
  }

  private directory(params: { filters?: { siren?: { value?: string }; siret?: { value?: string } } }) {
    this.counters.directory++;
    const siren = params.filters?.siren?.value ?? params.filters?.siret?.value?.slice(0, 9);
    if (!siren || !/^\d{9}$/.test(siren)) throw new HttpError(400, "INVALID_FIELD", "siren expected");
    if (this.rules.missingSirens.includes(siren)) return { totalNumberOfResults: 0, results: [] };
    return {
      totalNumberOfResults: 1,
      results: [{ addressingIdentifier: siren, siren, addressingSuffix: null, idInstance: Number(siren.slice(0, 6)), platform: { platformType: "WK", platformStatus: "Enabled" }, routingCode: null }],
    };
  }

  private admin(method: string, url: URL, body: Buffer, res: ServerResponse) {
    if (method === "GET" && url.pathname === "/_double/state") {
      return send(res, 200, {
        rules: this.rules,
        counters: this.counters,
        submissions: Object.fromEntries(this.submissions),
        encaissements: Object.fromEntries(this.encaissements),
        flows: this.flows.size,
      });
    }
    if (method === "POST" && url.pathname === "/_double/rules") {
      this.rules = { ...this.rules, ...pickRules(JSON.parse(body.toString() || "{}")) };
      return send(res, 200, this.rules);
    }
    const m = url.pathname.match(/^\/_double\/invoices\/([^/]+)\/status$/);
    if (method === "POST" && m) {
      const { code, reason } = JSON.parse(body.toString() || "{}") as { code?: string; reason?: string };
      if (!code || !/^2\d\d$/.test(code)) return send(res, 400, { error: "code 2xx expected" });
      return send(res, 200, { flowId: this.pushStatus(decodeURIComponent(m[1]!), code, reason) });
    }
    return send(res, 404, { error: "unknown" });
  }

  // ------------------------------------------------------------------ webhooks out

  private later(ms: number, work: () => unknown) {
    const timer = setTimeout(async () => {
      try {
        await work();
      } finally {
        this.timers.delete(timer);
      }
    }, ms);
    this.timers.add(timer);
  }

  private webhook(flow: StoredFlow) {
    if (!this.rules.webhooks || !this.options.webhookUrl) return;
    void this.sendWebhook(flow);
  }

  /** Signed like the app expects; retried a few times when the app does not answer 2xx. */
  private async sendWebhook(flow: StoredFlow) {
    if (!this.options.webhookUrl) return;
    this.pendingWebhooks++;
    try {
      const body = JSON.stringify({ flowInfo: metadata(flow) });
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const res = await fetch(this.options.webhookUrl, {
            method: "POST",
            headers: { "content-type": "application/json", "x-signature": signWebhook(this.webhookSecret, body) },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          if (res.ok) {
            this.counters.webhooksSent++;
            return;
          }
        } catch {
          // the app is down: try again
        }
        await sleep(200 * 2 ** attempt);
      }
      this.counters.webhooksFailed++;
    } finally {
      this.pendingWebhooks--;
    }
  }
}

function metadata(f: StoredFlow) {
  return {
    flowId: f.flowId,
    trackingId: f.trackingId ?? undefined,
    submittedAt: f.submittedAt,
    updatedAt: f.updatedAt,
    flowType: f.flowType,
    flowDirection: f.flowDirection,
    flowSyntax: f.flowSyntax,
    processingRule: f.processingRule,
    processingRuleSource: "Input",
    acknowledgement: f.acknowledgement,
  };
}

function pickRules(o: Record<string, unknown>): Partial<PaRules> {
  const out: Partial<PaRules> = {};
  for (const key of Object.keys(DEFAULT_RULES) as (keyof PaRules)[]) if (o[key] !== undefined) (out as Record<string, unknown>)[key] = o[key];
  return out;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The official artefacts (validate.mjs), when present: null when the document passes, else the first error. */
async function runOfficialValidator(script: string, pdf: Buffer): Promise<string | null> {
  const dir = await mkdtemp(path.join(tmpdir(), "pa-double-"));
  const file = path.join(dir, "flow.pdf");
  try {
    await writeFile(file, pdf);
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [script, "--json", file], { stdio: ["ignore", "pipe", "ignore"] });
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c));
      child.on("exit", (code) => resolve({ code, stdout }));
    });
    if (out.code === 0) return null;
    const firstError = out.stdout.match(/"(?:message|text)"\s*:\s*"([^"]{1,300})"/)?.[1];
    return `Validation officielle en échec${firstError ? ` : ${firstError}` : ""}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
