import { json } from "@remix-run/node";
import { isDatabaseUnavailable } from "./errors.ts";
import { BODY_TOO_LARGE_MESSAGE, MAX_BODY_BYTES } from "./limits.ts";

export const serviceUnavailable = () =>
  json({ message: "La base de données ne répond pas. Vos données sont en sécurité ; réessayez dans quelques minutes." }, { status: 503, headers: { "Retry-After": "30" } });

/** Runs a database step; when the database is down, throws a clear 503 instead of a 500. */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw serviceUnavailable();
    throw error;
  }
}

/**
 * The request's body, refused with a 413 and a French message past `limit`
 * bytes: checked on Content-Length first, then counted while read (a chunked
 * body announces no length).
 */
export async function readBodyLimited(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => json({ message: BODY_TOO_LARGE_MESSAGE }, { status: 413 });
  if (Number(request.headers.get("Content-Length") ?? 0) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
