// The official Stripe SDK, configured once. HOST/PORT/PROTOCOL point it at the
// local Stripe double (demo, tests); otherwise it talks to api.stripe.com.
// Every call goes through `stripeCall`: a token bucket keeps the process under
// the account's rate limit, and a 429 that still happens waits and retries
// (a POST retried with the same Idempotency-Key is safe: Stripe never stored a 429).
import Stripe from "stripe";
import { env } from "~/utils/env.server.ts";

let client: Stripe | undefined;

export function stripeConfigured(): boolean {
  const e = env();
  return !!e.STRIPE_SECRET_KEY && !!e.STRIPE_WEBHOOK_SECRET;
}

export function stripe(): Stripe {
  if (client) return client;
  const e = env();
  if (!e.STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set");
  client = new Stripe(e.STRIPE_SECRET_KEY, {
    ...(e.STRIPE_API_HOST ? { host: e.STRIPE_API_HOST } : {}),
    ...(e.STRIPE_API_PORT ? { port: e.STRIPE_API_PORT } : {}),
    ...(e.STRIPE_API_PROTOCOL ? { protocol: e.STRIPE_API_PROTOCOL } : {}),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: "conciergerie", version: "0.1.0" },
  });
  return client;
}

/** Verifies a webhook on its raw body; throws on a bad or stale signature (tolerance 300 s). */
export function constructStripeEvent(rawBody: string, signature: string | null): Stripe.Event {
  if (!signature) throw new Error("No Stripe-Signature header");
  return stripe().webhooks.constructEvent(rawBody, signature, env().STRIPE_WEBHOOK_SECRET!, 300);
}

// ------------------------------------------------------------ rate limit

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  // One second of burst, as Stripe's own limiter allows: time lost while the app was busy is made up.
  constructor(
    private perSecond: number,
    private capacity = Math.max(1, Math.floor(perSecond)),
  ) {
    this.tokens = capacity;
  }
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
  }
  /** After a 429: the server's bucket is empty, so is ours. */
  empty() {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }
  private refill() {
    const t = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }
  private drain() {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()!();
    }
    if (this.queue.length > 0 && !this.timer) {
      const wait = Math.max(1, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }
}

let bucket: TokenBucket | undefined;
export const rateLimitStats = { calls: 0, rateLimited: 0 };

const isRateLimit = (error: unknown) => error instanceof Stripe.errors.StripeRateLimitError || (error as { statusCode?: number })?.statusCode === 429;

/** One Stripe call under the process's rate limit, with patient retries on 429. */
export async function stripeCall<T>(call: (s: Stripe) => Promise<T>): Promise<T> {
  bucket ??= new TokenBucket(env().STRIPE_MAX_REQUESTS_PER_SECOND);
  for (let attempt = 0; ; attempt++) {
    await bucket.take();
    rateLimitStats.calls++;
    try {
      return await call(stripe());
    } catch (error) {
      if (!isRateLimit(error) || attempt >= 12) throw error;
      rateLimitStats.rateLimited++;
      bucket.empty();
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));
    }
  }
}

export type StripeInvoice = Stripe.Invoice;
export type StripeEvent = Stripe.Event;
export { Stripe };
