// A local HTTP double of the parts of Stripe's API this app uses: customers,
// tax rates, invoice items, invoices (create, retrieve, list, update, finalize,
// send, pay, void, mark_uncollectible, delete), credit notes and events. The
// app talks to it through the official `stripe` SDK (host/port/protocol), so
// the SDK's own encoding, errors and retries run for real.
//
// Faithful where the app depends on it: form-encoded bodies with bracket
// notation, Stripe's error shape ({ error: { type, code, message, param } }),
// the invoice state machine (draft → open → paid | void | uncollectible),
// Idempotency-Key (same key + same parameters replays the first answer; other
// parameters are a 400 idempotency_error), an optional rate limit (429
// rate_limit, as Stripe answers), and signed webhooks (the header the SDK's
// constructEvent verifies). Extra endpoints under /_double drive it from tests
// and the demo (a hosted page whose button pays the invoice).
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

type Obj = Record<string, any>;
type Params = Obj;

export type StripeDoubleOptions = {
  /** Requests per second before a 429 (token bucket of that size); undefined = no limit. */
  rateLimitPerSecond?: number;
  /** Where to post signed events, and the endpoint secret to sign them with. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Milliseconds of latency added to every API answer. */
  latencyMs?: number;
};

class ApiError extends Error {
  constructor(
    public status: number,
    public type: string,
    message: string,
    public code?: string,
    public param?: string,
  ) {
    super(message);
  }
}

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/** Parses Stripe's form encoding: a[b][0][c]=1 -> { a: { b: [ { c: "1" } ] } }. */
export function parseStripeForm(body: string): Params {
  const root: Obj = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.replace(/\]/g, "").split("[");
    let node: Obj = root;
    for (let i = 0; i < path.length - 1; i++) node = node[path[i]!] ??= {};
    node[path[path.length - 1]!] = value;
  }
  const arrays = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const o = v as Obj;
    const keys = Object.keys(o);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => arrays(o[k]));
    return Object.fromEntries(keys.map((k) => [k, arrays(o[k])]));
  };
  return arrays(root) as Params;
}

const int = (v: unknown, param: string, required = false): number | undefined => {
  if (v === undefined || v === "") {
    if (required) throw new ApiError(400, "invalid_request_error", `Missing required param: ${param}.`, "parameter_missing", param);
    return undefined;
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ApiError(400, "invalid_request_error", `Invalid integer: ${String(v)}`, "parameter_invalid_integer", param);
  return n;
};
const bool = (v: unknown) => (v === undefined ? undefined : v === "true" || v === true);
const metadataOf = (v: unknown, previous: Obj = {}) => {
  if (v === undefined) return previous;
  if (v === "") return {};
  const next = { ...previous };
  for (const [k, val] of Object.entries(v as Obj)) {
    if (val === "") delete next[k];
    else next[k] = String(val);
  }
  return next;
};
const notFound = (kind: string, id: string, param = "id") => new ApiError(404, "invalid_request_error", `No such ${kind}: '${id}'`, "resource_missing", param);

/** Half up (away from zero) to the cent, as Stripe rounds each line's tax. */
const roundHalfUp = (a: number, b: number) => Math.sign(a) * Math.floor((2 * Math.abs(a) + b) / (2 * b));

export class StripeDouble {
  readonly customers = new Map<string, Obj>();
  readonly taxRates = new Map<string, Obj>();
  readonly invoiceItems = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  readonly creditNotes = new Map<string, Obj>();
  readonly events: Obj[] = [];
  /** Every signed delivery, as sent: tests replay them. */
  readonly deliveries: { payload: string; header: string; status: number | null }[] = [];
  readonly stats = { requests: 0, accepted: 0, rateLimited: 0, idempotentReplays: 0, firstAt: 0, lastAt: 0 };
  private numbers = new Set<string>();
  private itemsByInvoice = new Map<string, Set<string>>();
  private idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  private server: Server | undefined;
  private tokens: number;
  private lastRefill = Date.now();
  private deliveryChain: Promise<void> = Promise.resolve();
  private numberSeq = 0;
  port = 0;

  constructor(public options: StripeDoubleOptions = {}) {
    this.tokens = options.rateLimitPerSecond ?? Infinity;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The SDK options the app reads from STRIPE_API_HOST/PORT/PROTOCOL. */
  get env() {
    return { STRIPE_API_HOST: "127.0.0.1", STRIPE_API_PORT: String(this.port), STRIPE_API_PROTOCOL: "http" };
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop() {
    await this.deliveryChain.catch(() => {});
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** Waits until every webhook queued so far has been delivered (or given up). */
  async flushWebhooks() {
    await this.deliveryChain;
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://double");
    const method = req.method ?? "GET";
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = typeof payload === "string" ? payload : JSON.stringify(payload);
      res.writeHead(status, { "Content-Type": headers["Content-Type"] ?? "application/json", "Request-Id": newId("req"), ...headers });
      res.end(text);
    };
    if (url.pathname.startsWith("/_double/")) {
      try {
        return this.control(method, url, body, send);
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError(500, "api_error", String(error));
        return send(e.status, { error: { type: e.type, code: e.code, message: e.message } });
      }
    }
    this.stats.requests++;
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));

    if (!/^Bearer sk_(test|live)_\w+/.test(req.headers.authorization ?? "")) {
      return send(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
    }
    if (!this.takeToken()) {
      this.stats.rateLimited++;
      return send(429, {
        error: {
          type: "invalid_request_error",
          code: "rate_limit",
          message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
        },
      });
    }
    const params = method === "GET" || method === "DELETE" ? parseStripeForm(url.search.slice(1)) : parseStripeForm(body);
    const key = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) : undefined;
    const fingerprint = createHash("sha256").update(`${method} ${url.pathname}\n${body}`).digest("hex");
    if (key) {
      const seen = this.idempotency.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          return send(400, {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          });
        }
        this.stats.idempotentReplays++;
        this.countAccepted();
        return send(seen.status, seen.body, { "Idempotent-Replayed": "true", "Original-Request": "replayed" });
      }
    }
    let status = 200;
    let payload: unknown;
    try {
      payload = this.route(method, url.pathname, params);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(500, "api_error", error instanceof Error ? error.message : String(error));
      status = e.status;
      payload = { error: { type: e.type, ...(e.code ? { code: e.code } : {}), message: e.message, ...(e.param ? { param: e.param } : {}) } };
    }
    const text = JSON.stringify(payload);
    // Stripe stores the answer under the key, errors included (except rate limits and 500s).
    if (key && status < 500) this.idempotency.set(key, { fingerprint, status, body: text });
    this.countAccepted();
    send(status, text, key ? { "Idempotency-Key": key } : {});
  }

  private countAccepted() {
    const t = Date.now();
    this.stats.accepted++;
    this.stats.firstAt ||= t;
    this.stats.lastAt = t;
  }

  private takeToken(): boolean {
    const limit = this.options.rateLimitPerSecond;
    if (!limit) return true;
    const t = Date.now();
    this.tokens = Math.min(limit, this.tokens + ((t - this.lastRefill) / 1000) * limit);
    this.lastRefill = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private route(method: string, path: string, p: Params): unknown {
    const parts = path.split("/").filter(Boolean); // ["v1", "invoices", id, action]
    if (parts[0] !== "v1") throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
    const [, resource, id, action] = parts;
    const m = `${method} ${resource}${id ? "/:id" : ""}${action ? `/${action}` : ""}`;
    switch (m) {
      case "POST customers":
        return this.createCustomer(p);
      case "GET customers/:id":
        return this.get(this.customers, "customer", id!);
      case "POST customers/:id":
        return this.updateCustomer(id!, p);
      case "GET customers":
        return this.list([...this.customers.values()], p, path);
      case "POST tax_rates":
        return this.createTaxRate(p);
      case "GET tax_rates":
        return this.list(
          [...this.taxRates.values()].filter((t) => p.active === undefined || t.active === bool(p.active)),
          p,
          path,
        );
      case "POST invoiceitems":
        return this.createInvoiceItem(p);
      case "GET invoiceitems/:id":
        return this.get(this.invoiceItems, "invoiceitem", id!);
      case "POST invoices":
        return this.createInvoice(p);
      case "GET invoices/:id":
        return this.view(this.get(this.invoices, "invoice", id!));
      case "GET invoices":
        return this.list(
          [...this.invoices.values()].filter((i) => (!p.customer || i.customer === p.customer) && (!p.status || i.status === p.status) && this.createdMatches(i, p)).map((i) => this.view(i)),
          p,
          path,
        );
      case "POST invoices/:id":
        return this.updateInvoice(id!, p);
      case "DELETE invoices/:id":
        return this.deleteInvoice(id!);
      case "POST invoices/:id/finalize":
        return this.finalize(id!, p);
      case "POST invoices/:id/send":
        return this.sendInvoice(id!);
      case "POST invoices/:id/pay":
        return this.pay(id!, p);
      case "POST invoices/:id/void":
        return this.transition(id!, ["open", "uncollectible"], "void", "invoice.voided", "You can only void open or uncollectible invoices.");
      case "POST invoices/:id/mark_uncollectible":
        return this.transition(id!, ["open"], "uncollectible", "invoice.marked_uncollectible", "You can only mark open invoices as uncollectible.");
      case "POST credit_notes":
        return this.createCreditNote(p);
      case "GET credit_notes/:id":
        return this.get(this.creditNotes, "credit_note", id!);
      case "GET credit_notes":
        return this.list(
          [...this.creditNotes.values()].filter((c) => !p.invoice || c.invoice === p.invoice),
          p,
          path,
        );
      case "GET events/:id":
        return (
          this.events.find((e) => e.id === id) ??
          (() => {
            throw notFound("event", id!);
          })()
        );
      case "GET events":
        return this.list(
          [...this.events].reverse().filter((e) => (!p.type || e.type === p.type) && (!p.types || (p.types as string[]).includes(e.type)) && this.createdMatches(e, p)),
          p,
          path,
        );
      default:
        throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
    }
  }

  private createdMatches(o: Obj, p: Params) {
    const c = p.created as Obj | undefined;
    if (!c || typeof c !== "object") return true;
    return (
      (c.gte === undefined || o.created >= Number(c.gte)) &&
      (c.gt === undefined || o.created > Number(c.gt)) &&
      (c.lt === undefined || o.created < Number(c.lt)) &&
      (c.lte === undefined || o.created <= Number(c.lte))
    );
  }

  private list(items: Obj[], p: Params, path: string) {
    const limit = Math.min(100, Math.max(1, int(p.limit, "limit") ?? 10));
    let start = 0;
    if (p.starting_after) start = items.findIndex((i) => i.id === p.starting_after) + 1;
    const page = items.slice(start, start + limit);
    return { object: "list", url: path, has_more: start + limit < items.length, data: page };
  }

  private get(map: Map<string, Obj>, kind: string, id: string) {
    const found = map.get(id);
    if (!found || found.deleted) throw notFound(kind, id);
    return found;
  }

  private event(type: string, object: Obj) {
    const event = {
      id: newId("evt"),
      object: "event",
      api_version: "2025-10-29.clover",
      created: now(),
      livemode: false,
      pending_webhooks: this.options.webhookUrl ? 1 : 0,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: structuredClone(object) },
    };
    this.events.push(event);
    this.deliver(event);
  }

  /** Posts one event, signed, in order after the previous ones; retries a few times like Stripe (sooner). */
  private deliver(event: Obj) {
    const { webhookUrl, webhookSecret } = this.options;
    if (!webhookUrl || !webhookSecret) return;
    const payload = JSON.stringify(event, null, 2);
    this.deliveryChain = this.deliveryChain.then(async () => {
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
      const record = { payload, header, status: null as number | null };
      this.deliveries.push(record);
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const res = await fetch(webhookUrl, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
          record.status = res.status;
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // the app is not listening (yet): try again shortly
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    });
  }

  // ------------------------------------------------------------ resources

  private createCustomer(p: Params) {
    const customer = {
      id: newId("cus"),
      object: "customer",
      created: now(),
      livemode: false,
      name: p.name ?? null,
      email: p.email ?? null,
      address: p.address ?? null,
      preferred_locales: p.preferred_locales ?? [],
      metadata: metadataOf(p.metadata),
      invoice_settings: { footer: p.invoice_settings?.footer ?? null, custom_fields: null },
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  private updateCustomer(id: string, p: Params) {
    const customer = this.get(this.customers, "customer", id);
    for (const field of ["name", "email", "address", "preferred_locales"]) if (p[field] !== undefined) customer[field] = p[field] === "" ? null : p[field];
    customer.metadata = metadataOf(p.metadata, customer.metadata);
    this.event("customer.updated", customer);
    return customer;
  }

  private createTaxRate(p: Params) {
    if (p.percentage === undefined) throw new ApiError(400, "invalid_request_error", "Missing required param: percentage.", "parameter_missing", "percentage");
    const rate = {
      id: newId("txr"),
      object: "tax_rate",
      created: now(),
      active: bool(p.active) ?? true,
      display_name: p.display_name ?? "TVA",
      inclusive: bool(p.inclusive) ?? false,
      percentage: Number(p.percentage),
      country: p.country ?? null,
      metadata: metadataOf(p.metadata),
    };
    this.taxRates.set(rate.id, rate);
    return rate;
  }

  private createInvoiceItem(p: Params) {
    const customer = p.customer as string | undefined;
    if (!customer) throw new ApiError(400, "invalid_request_error", "Missing required param: customer.", "parameter_missing", "customer");
    this.get(this.customers, "customer", customer);
    const amount = int(p.amount, "amount", true)!;
    if (p.invoice) {
      const invoice = this.get(this.invoices, "invoice", p.invoice);
      if (invoice.status !== "draft") {
        throw new ApiError(400, "invalid_request_error", `You can only add invoice items to draft invoices. Invoice ${invoice.id} has status ${invoice.status}.`, "invoice_not_editable", "invoice");
      }
      if (invoice.customer !== customer) throw new ApiError(400, "invalid_request_error", "The invoice belongs to another customer.", undefined, "invoice");
    }
    const taxRates = ((p.tax_rates as string[] | undefined) ?? []).map((t) => this.get(this.taxRates, "tax_rate", t));
    const item = {
      id: newId("ii"),
      object: "invoiceitem",
      customer,
      amount,
      currency: (p.currency ?? "eur").toLowerCase(),
      description: p.description ?? null,
      invoice: p.invoice ?? null,
      date: now(),
      tax_rates: taxRates,
      metadata: metadataOf(p.metadata),
    };
    this.invoiceItems.set(item.id, item);
    if (item.invoice) this.attach(item.id, item.invoice);
    return item;
  }

  private createInvoice(p: Params) {
    const customer = p.customer as string | undefined;
    if (!customer) throw new ApiError(400, "invalid_request_error", "Missing required param: customer.", "parameter_missing", "customer");
    this.get(this.customers, "customer", customer);
    const collection = p.collection_method ?? "charge_automatically";
    const daysUntilDue = int(p.days_until_due, "days_until_due");
    if (collection === "send_invoice" && daysUntilDue === undefined && p.due_date === undefined) {
      throw new ApiError(400, "invalid_request_error", "Missing required param: days_until_due or due_date when collection_method is send_invoice.", "parameter_missing", "days_until_due");
    }
    if (p.number && this.numbers.has(p.number)) {
      throw new ApiError(400, "invalid_request_error", `Invoice number ${p.number} is already used by another invoice.`, "invoice_number_taken", "number");
    }
    const invoice: Obj = {
      id: newId("in"),
      object: "invoice",
      created: now(),
      livemode: false,
      customer,
      status: "draft",
      collection_method: collection,
      days_until_due: daysUntilDue ?? null,
      due_date: int(p.due_date, "due_date") ?? null,
      number: p.number ?? null,
      currency: (p.currency ?? "eur").toLowerCase(),
      description: p.description ?? null,
      footer: p.footer ?? null,
      custom_fields: p.custom_fields ?? null,
      metadata: metadataOf(p.metadata),
      auto_advance: bool(p.auto_advance) ?? false,
      hosted_invoice_url: null,
      invoice_pdf: null,
      amount_paid: 0,
      paid_out_of_band: false,
      pre_payment_credit_notes_amount: 0,
      status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
      sent: false,
    };
    if ((p.pending_invoice_items_behavior ?? "exclude") === "include") {
      for (const item of this.invoiceItems.values()) {
        if (item.customer === customer && !item.invoice) {
          item.invoice = invoice.id;
          this.attach(item.id, invoice.id);
        }
      }
    }
    this.invoices.set(invoice.id, invoice);
    if (invoice.number) this.numbers.add(invoice.number);
    return this.view(invoice);
  }

  private attach(itemId: string, invoiceId: string) {
    const set = this.itemsByInvoice.get(invoiceId) ?? new Set<string>();
    set.add(itemId);
    this.itemsByInvoice.set(invoiceId, set);
  }

  /** The invoice as the API shows it: lines and amounts computed from its items. */
  private itemsOf(invoiceId: string): Obj[] {
    const items: Obj[] = [];
    for (const id of this.itemsByInvoice.get(invoiceId) ?? []) {
      const item = this.invoiceItems.get(id);
      if (item?.invoice === invoiceId) items.push(item);
    }
    return items;
  }

  private view(invoice: Obj): Obj {
    const items = this.itemsOf(invoice.id);
    const lines = items.map((i) => {
      const taxes = i.tax_rates.map((t: Obj) => ({ amount: roundHalfUp(i.amount * Math.round(t.percentage * 100), 10_000), tax_rate: t.id, inclusive: false }));
      return { id: `il_${i.id.slice(3)}`, object: "line_item", amount: i.amount, description: i.description, invoice_item: i.id, metadata: i.metadata, tax_amounts: taxes };
    });
    const subtotal = lines.reduce((s, l) => s + l.amount, 0);
    const tax = lines.reduce((s, l) => s + l.tax_amounts.reduce((t: number, x: Obj) => t + x.amount, 0), 0);
    const total = subtotal + tax;
    const due = total - invoice.pre_payment_credit_notes_amount;
    return {
      ...invoice,
      subtotal,
      tax,
      total_taxes: lines.length ? [{ amount: tax }] : [],
      total,
      amount_due: due,
      amount_remaining: invoice.status === "paid" || invoice.status === "void" ? 0 : due - invoice.amount_paid,
      lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${invoice.id}/lines` },
    };
  }

  private updateInvoice(id: string, p: Params) {
    const invoice = this.get(this.invoices, "invoice", id);
    const editable = ["number", "footer", "custom_fields", "days_until_due", "due_date", "description", "collection_method", "auto_advance"];
    const touched = editable.filter((f) => p[f] !== undefined);
    if (invoice.status !== "draft" && touched.some((f) => f !== "auto_advance" && f !== "footer" && f !== "description")) {
      throw new ApiError(400, "invalid_request_error", `Finalized invoices can't be updated in this way (${touched.join(", ")}).`, "invoice_not_editable");
    }
    for (const f of touched) invoice[f] = f === "days_until_due" || f === "due_date" ? int(p[f], f) : f === "auto_advance" ? bool(p[f]) : p[f];
    invoice.metadata = metadataOf(p.metadata, invoice.metadata);
    return this.view(invoice);
  }

  private deleteInvoice(id: string) {
    const invoice = this.get(this.invoices, "invoice", id);
    if (invoice.status !== "draft") throw new ApiError(400, "invalid_request_error", "You can only delete draft invoices.", "invoice_not_editable");
    invoice.deleted = true;
    return { id, object: "invoice", deleted: true };
  }

  private finalize(id: string, p: Params) {
    const invoice = this.get(this.invoices, "invoice", id);
    if (invoice.status !== "draft") {
      throw new ApiError(400, "invalid_request_error", `This invoice is already finalized, you can't re-finalize a non-draft invoice.`, "invoice_not_editable");
    }
    invoice.status = "open";
    invoice.number ??= `DBL-${String(++this.numberSeq).padStart(4, "0")}`;
    invoice.status_transitions.finalized_at = now();
    if (invoice.collection_method === "send_invoice" && invoice.due_date === null) invoice.due_date = now() + (invoice.days_until_due ?? 30) * 86_400;
    invoice.hosted_invoice_url = `${this.url}/_double/hosted/${invoice.id}`;
    invoice.invoice_pdf = `${this.url}/_double/hosted/${invoice.id}/pdf`;
    if (p.auto_advance !== undefined) invoice.auto_advance = bool(p.auto_advance);
    this.event("invoice.finalized", this.view(invoice));
    if (this.view(invoice).amount_due === 0) this.markPaid(invoice, true);
    return this.view(invoice);
  }

  private sendInvoice(id: string) {
    const invoice = this.get(this.invoices, "invoice", id);
    if (invoice.status === "draft" || invoice.status === "void") {
      throw new ApiError(400, "invalid_request_error", `You can only send open, paid or uncollectible invoices; this one is ${invoice.status}.`, "invoice_not_editable");
    }
    if (invoice.collection_method !== "send_invoice") throw new ApiError(400, "invalid_request_error", "Only send_invoice invoices can be sent.");
    invoice.sent = true;
    this.event("invoice.sent", this.view(invoice));
    return this.view(invoice);
  }

  private pay(id: string, p: Params) {
    const invoice = this.get(this.invoices, "invoice", id);
    if (invoice.status === "paid") throw new ApiError(400, "invalid_request_error", "Invoice is already paid.", "invoice_already_paid");
    if (invoice.status !== "open" && invoice.status !== "uncollectible") {
      throw new ApiError(400, "invalid_request_error", `You can only pay open or uncollectible invoices; this one is ${invoice.status}.`, "invoice_not_editable");
    }
    this.markPaid(invoice, bool(p.paid_out_of_band) ?? false);
    return this.view(invoice);
  }

  private markPaid(invoice: Obj, outOfBand: boolean) {
    const view = this.view(invoice);
    invoice.amount_paid = view.amount_due;
    invoice.status = "paid";
    invoice.paid_out_of_band = outOfBand;
    invoice.status_transitions.paid_at = now();
    this.event("invoice.paid", this.view(invoice));
  }

  private transition(id: string, from: string[], to: string, eventType: string, message: string) {
    const invoice = this.get(this.invoices, "invoice", id);
    if (!from.includes(invoice.status)) throw new ApiError(400, "invalid_request_error", `${message} This invoice is ${invoice.status}.`, "invoice_not_editable");
    invoice.status = to;
    invoice.status_transitions[to === "void" ? "voided_at" : "marked_uncollectible_at"] = now();
    this.event(eventType, this.view(invoice));
    return this.view(invoice);
  }

  private createCreditNote(p: Params) {
    const invoiceId = p.invoice as string | undefined;
    if (!invoiceId) throw new ApiError(400, "invalid_request_error", "Missing required param: invoice.", "parameter_missing", "invoice");
    const invoice = this.get(this.invoices, "invoice", invoiceId);
    if (invoice.status !== "open" && invoice.status !== "paid") {
      throw new ApiError(400, "invalid_request_error", `You can only create credit notes on open or paid invoices; this one is ${invoice.status}.`, "invoice_not_editable", "invoice");
    }
    const amount = int(p.amount, "amount", true)!;
    const view = this.view(invoice);
    const room = invoice.status === "open" ? view.amount_remaining : view.total;
    if (amount <= 0 || amount > room) {
      throw new ApiError(400, "invalid_request_error", `The credit note amount (${amount}) must be positive and at most ${room}.`, "parameter_invalid_integer", "amount");
    }
    const note = {
      id: newId("cn"),
      object: "credit_note",
      created: now(),
      invoice: invoice.id,
      customer: invoice.customer,
      amount,
      currency: invoice.currency,
      memo: p.memo ?? null,
      reason: p.reason ?? null,
      metadata: metadataOf(p.metadata),
      type: invoice.status === "open" ? "pre_payment" : "post_payment",
      status: "issued",
      number: `${invoice.number}-CN-${[...this.creditNotes.values()].filter((c) => c.invoice === invoice.id).length + 1}`,
      out_of_band_amount: invoice.status === "paid" ? amount : null,
    };
    this.creditNotes.set(note.id, note);
    if (invoice.status === "open") invoice.pre_payment_credit_notes_amount += amount;
    this.event("credit_note.created", note);
    if (invoice.status === "open" && this.view(invoice).amount_remaining === 0) this.markPaid(invoice, true);
    return note;
  }

  // ------------------------------------------------------- test controls

  private control(method: string, url: URL, body: string, send: (status: number, payload: unknown, headers?: Record<string, string>) => void) {
    const hosted = url.pathname.match(/^\/_double\/hosted\/(in_\w+)$/);
    if (hosted && method === "GET") {
      const invoice = this.view(this.get(this.invoices, "invoice", hosted[1]!));
      const amount = (invoice.amount_remaining / 100).toFixed(2).replace(".", ",");
      const payable = invoice.status === "open" || invoice.status === "uncollectible";
      return send(
        200,
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Facture ${invoice.number ?? ""}</title></head><body>
<main><h1>Facture ${invoice.number ?? invoice.id}</h1><p>Statut : ${invoice.status}. Reste à payer : ${amount} €</p>
<p>Page de paiement simulée (double local de Stripe).</p>
${payable ? `<form method="post" action="/_double/invoices/${invoice.id}/pay"><button type="submit">Payer ${amount} €</button></form>` : ""}
</main></body></html>`,
        { "Content-Type": "text/html; charset=utf-8" },
      );
    }
    const pay = url.pathname.match(/^\/_double\/invoices\/(in_\w+)\/pay$/);
    if (pay && method === "POST") {
      const invoice = this.get(this.invoices, "invoice", pay[1]!);
      if (invoice.status === "open" || invoice.status === "uncollectible") this.markPaid(invoice, false);
      return send(303, "", { Location: `/_double/hosted/${invoice.id}` });
    }
    if (url.pathname === "/_double/webhook" && method === "POST") {
      const p = JSON.parse(body || "{}") as { url?: string; secret?: string };
      this.options.webhookUrl = p.url;
      this.options.webhookSecret = p.secret;
      return send(200, { ok: true });
    }
    if (url.pathname === "/_double/stats" && method === "GET") return send(200, { ...this.stats, invoices: this.invoices.size, events: this.events.length });
    throw new ApiError(404, "invalid_request_error", "Unknown control endpoint");
  }

  /** Everything the double holds, as JSON (the demo keeps it across restarts). */
  snapshot(): string {
    return JSON.stringify({
      customers: [...this.customers.entries()],
      taxRates: [...this.taxRates.entries()],
      invoiceItems: [...this.invoiceItems.entries()],
      invoices: [...this.invoices.entries()],
      creditNotes: [...this.creditNotes.entries()],
      events: this.events,
      idempotency: [...this.idempotency.entries()],
      numberSeq: this.numberSeq,
    });
  }

  restore(json: string) {
    const state = JSON.parse(json) as Record<string, any>;
    for (const [name, map] of [
      ["customers", this.customers],
      ["taxRates", this.taxRates],
      ["invoiceItems", this.invoiceItems],
      ["invoices", this.invoices],
      ["creditNotes", this.creditNotes],
    ] as const) {
      for (const [k, v] of state[name] ?? []) map.set(k, v);
    }
    this.events.push(...(state.events ?? []));
    for (const [k, v] of state.idempotency ?? []) this.idempotency.set(k, v);
    this.numberSeq = state.numberSeq ?? 0;
    for (const item of this.invoiceItems.values()) if (item.invoice) this.attach(item.id, item.invoice);
  }

  /** Simulates the customer paying on the hosted page (card or transfer through Stripe). */
  payAsCustomer(invoiceId: string) {
    const invoice = this.get(this.invoices, "invoice", invoiceId);
    this.markPaid(invoice, false);
  }

  /** Invoices of a customer, as the API would list them (tests count them). */
  invoicesOf(customerId: string) {
    return [...this.invoices.values()].filter((i) => i.customer === customerId && !i.deleted).map((i) => this.view(i));
  }
}
