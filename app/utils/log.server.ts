import pino from "pino";

// Structured logs: one JSON line per event on stderr (`event` names what
// happened; ids, never names, emails or form data). LOG_LEVEL=debug|info|warn|error.
export const log = pino({ level: process.env.LOG_LEVEL ?? "info", base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));

type Fields = Record<string, string | number | boolean | null | undefined>;

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const scrub = (text: string) => text.replace(EMAIL, "[email]").slice(0, 1000);

/** What a log keeps of an error: its kind, code and message (e-mail addresses removed), and where it came from. */
export function errorFields(error: unknown) {
  if (!(error instanceof Error)) return { message: scrub(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name === "Error" ? error.constructor.name : error.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: scrub(error.message),
    stack: error.stack ? scrub(error.stack.split("\n").slice(1, 8).join("\n")) : undefined,
  };
}

export function logError(event: string, error: unknown, fields: Fields = {}) {
  log.error({ event, ...fields, error: errorFields(error) }, event);
}

const lastLogged = new Map<string, number>();
const firstInAWhile = (key: string, everyMs: number) => {
  const now = Date.now();
  if (now - (lastLogged.get(key) ?? -Infinity) < everyMs) return false;
  lastLogged.set(key, now);
  return true;
};

/**
 * For errors that repeat while a service is away (Redis or PostgreSQL
 * reconnecting): the first of each kind is logged, then at most one a minute.
 */
export function logRepeatedError(event: string, error: unknown, fields: Fields = {}, everyMs = 60_000) {
  if (firstInAWhile(`${event} ${JSON.stringify(fields)}`, everyMs)) logError(event, error, fields);
}

/** A warning read on every request (a stored rule refused): once in a while, not per request. */
export function logRepeatedWarning(event: string, fields: Fields = {}, everyMs = 60_000) {
  if (firstInAWhile(`${event} ${JSON.stringify(fields)}`, everyMs)) log.warn({ event, ...fields }, event);
}
