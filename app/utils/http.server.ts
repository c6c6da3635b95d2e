import { json } from "@remix-run/node";
import { isDatabaseUnavailable } from "./errors.ts";

export const serviceUnavailable = () =>
  json(
    { message: "La base de données ne répond pas. Vos données sont en sécurité ; réessayez dans quelques minutes." },
    { status: 503, headers: { "Retry-After": "30" } },
  );

/** Runs a database step; when the database is down, throws a clear 503 instead of a 500. */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw serviceUnavailable();
    throw error;
  }
}
