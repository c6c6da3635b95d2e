// A thread of the Factur-X pool (facturx-pool.server.ts): renders documents
// sent by the main thread, which keeps the database work.
import { parentPort } from "node:worker_threads";
import type { EN16931Document } from "../domain/einvoicing/en16931.ts";
import { facturX, plainStatement } from "./facturx.server.ts";

parentPort!.on("message", async (message: { id: number; kind: "facturx" | "statement"; doc: EN16931Document }) => {
  try {
    const bytes = message.kind === "facturx" ? await facturX(message.doc) : await plainStatement(message.doc);
    parentPort!.postMessage({ id: message.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort!.postMessage({ ready: true });
