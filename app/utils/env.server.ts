import { z } from "zod";

// The environment, checked once. A missing or malformed variable stops the
// process at start with a message naming it, rather than failing later.
const unsetWhenEmpty = (value: unknown) => (value === "" ? undefined : value);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url(),
  DATABASE_REPLICA_URL: z.preprocess(unsetWhenEmpty, z.string().url().optional()),
  // Seconds of replication lag the lag-tolerant reads accept before reading the primary instead.
  REPLICA_MAX_LAG_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  // One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES: host:port of some of its nodes, comma-separated): exactly one.
  REDIS_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .url()
      .refine((v) => /^rediss?:\/\//.test(v), "REDIS_URL commence par redis:// ou rediss://")
      .optional(),
  ),
  REDIS_CLUSTER_NODES: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^\s*[\w.-]+:\d{1,5}\s*(,\s*[\w.-]+:\d{1,5}\s*)*$/, "REDIS_CLUSTER_NODES est une liste hôte:port séparée par des virgules (10.0.0.1:7000,10.0.0.2:7000)")
      .optional(),
  ),
  SESSION_SECRET: z.string().min(32, "SESSION_SECRET doit faire au moins 32 caractères"),
  APP_URL: z.string().url().default("http://localhost:3000"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // Loopback by default: a reverse proxy on the same machine forwards to it; 0.0.0.0 opens it to the network.
  HOST: z
    .string()
    .regex(/^[\w.:-]+$/, "HOST est une adresse ou un nom d'hôte (127.0.0.1, 0.0.0.0)")
    .default("127.0.0.1"),
  // Behind a reverse proxy: Express's "trust proxy" (true, a number of hops, loopback, or addresses/CIDRs separated by commas).
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, "TRUST_PROXY vaut true, un nombre de proxys, loopback ou des adresses séparées par des virgules")
    .optional(),
  // Web processes sharing the port (node:cluster).
  WEB_CONCURRENCY: z.coerce.number().int("WEB_CONCURRENCY est un nombre entier").min(1).max(64).default(1),
  // Opens the /mailbox (mail kept in the database) in production mode: the demo only.
  DEMO: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  // Worker threads that build Factur-X documents (0: in the calling thread).
  EINVOICE_THREADS: z.coerce.number().int().min(0).max(4).default(0),
  // "mailbox" keeps mail in the database, readable at /mailbox (demo, tests);
  // "smtp" sends it through SMTP_URL.
  MAIL_TRANSPORT: z.enum(["mailbox", "smtp"]).default("mailbox"),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("La Conciergerie Solidaire <conciergerie@conciergerie.example>"),
  // Invoicing through Stripe when both are set; otherwise the local provider
  // (same numbering, payments recorded by hand). HOST/PORT/PROTOCOL point the
  // official SDK at another address (the local Stripe double of the demo and tests).
  STRIPE_SECRET_KEY: z.string().startsWith("sk_", "STRIPE_SECRET_KEY commence par sk_").optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith("whsec_", "STRIPE_WEBHOOK_SECRET commence par whsec_").optional(),
  STRIPE_API_HOST: z.string().optional(),
  STRIPE_API_PORT: z.coerce.number().int().positive().optional(),
  STRIPE_API_PROTOCOL: z.enum(["http", "https"]).optional(),
  // Requests per second the app allows itself towards Stripe (live mode allows 100).
  STRIPE_MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().default(95),
  // The accredited platform (plateforme agréée) over the AFNOR XP Z12-013 Flow
  // and Directory Service APIs: all of the first six, or none (documents then
  // stay "to transmit" and finance hands over the month's ZIP).
  PA_FLOW_URL: z.string().url().optional(),
  PA_DIRECTORY_URL: z.string().url().optional(),
  PA_TOKEN_URL: z.string().url().optional(),
  PA_CLIENT_ID: z.string().min(1).optional(),
  PA_CLIENT_SECRET: z.string().min(8, "PA_CLIENT_SECRET doit faire au moins 8 caractères").optional(),
  PA_WEBHOOK_SECRET: z.string().min(16, "PA_WEBHOOK_SECRET doit faire au moins 16 caractères").optional(),
  PA_NAME: z.string().min(1).default("Plateforme agréée"),
  PA_OAUTH_SCOPE: z.string().optional(),
  // Fallback polling of POST /v1/flows/search, in minutes; first retry delay of a submission, in ms.
  PA_POLL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  PA_RETRY_DELAY_MS: z.coerce.number().int().min(10).default(2000),
  // BullMQ key prefix: two apps sharing one Redis (test runs side by side) keep their jobs apart.
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/)
    .optional(),
  // Production sets this when TLS terminates in front of the app.
  SECURE_COOKIES: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true")),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  if (!parsed.data.REDIS_URL === !parsed.data.REDIS_CLUSTER_NODES) {
    throw new Error("Invalid environment:\n  REDIS_URL, REDIS_CLUSTER_NODES: set exactly one (one Redis, or the nodes of a Redis Cluster)");
  }
  if (parsed.data.MAIL_TRANSPORT === "smtp" && !parsed.data.SMTP_URL) {
    throw new Error("Invalid environment:\n  SMTP_URL: required when MAIL_TRANSPORT=smtp");
  }
  const pa = ["PA_FLOW_URL", "PA_DIRECTORY_URL", "PA_TOKEN_URL", "PA_CLIENT_ID", "PA_CLIENT_SECRET", "PA_WEBHOOK_SECRET"] as const;
  const missing = pa.filter((k) => !parsed.data[k]);
  if (missing.length > 0 && missing.length < pa.length) {
    throw new Error(`Invalid environment:\n${missing.map((k) => `  ${k}: required when another PA_* variable is set`).join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** For a process's start: a bad environment stops it with the variables named, not a stack trace. */
export function envOrExit(processName: string): Env {
  try {
    return env();
  } catch (error) {
    process.stderr.write(`${processName} not started. ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

export const isProduction = () => env().NODE_ENV === "production";
export const secureCookies = () => env().SECURE_COOKIES ?? isProduction();
