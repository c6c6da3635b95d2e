import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random URL-safe secret (invitation links, reset links, session ids). */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");

/** Tokens are stored hashed: a leaked table gives no working link or session. */
export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
