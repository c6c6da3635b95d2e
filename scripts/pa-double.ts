// The local accredited-platform double as a process, for the demo (npm run demo starts it).
//   PA_DOUBLE_PORT (default 12112), PA_DOUBLE_WEBHOOK_URL (signed callbacks to the app),
//   PA_CLIENT_ID / PA_CLIENT_SECRET / PA_WEBHOOK_SECRET (the same as the app's),
//   PA_DOUBLE_REJECT_SIRENS / PA_DOUBLE_REFUSE_SIRENS / PA_DOUBLE_MISSING_SIRENS
//   (comma-separated buyers whose invoices it rejects, whose buyer refuses them,
//   or who are absent from its directory), PA_DOUBLE_STEP_MS (delay between statuses).
// Rules can be changed while it runs: POST /_double/rules {"rejectSirens": [...]};
// POST /_double/invoices/F2026-00001/status {"code": "207", "reason": "..."} pushes a status.
// With PA_DOUBLE_OFFICIAL_VALIDATION=1 and EINVOICING_ARTEFACTS_DIR naming the
// folder of the official validators, every Factur-X also goes through validate.mjs.
import { existsSync } from "node:fs";
import path from "node:path";
import { PaDouble } from "../tests/support/pa-double.ts";

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const validator = process.env.EINVOICING_ARTEFACTS_DIR ? path.join(process.env.EINVOICING_ARTEFACTS_DIR, "validate.mjs") : "";
const official = process.env.PA_DOUBLE_OFFICIAL_VALIDATION === "1" && validator !== "" && existsSync(validator);

const double = new PaDouble({
  clientId: process.env.PA_CLIENT_ID,
  clientSecret: process.env.PA_CLIENT_SECRET,
  webhookSecret: process.env.PA_WEBHOOK_SECRET,
  webhookUrl: process.env.PA_DOUBLE_WEBHOOK_URL,
  rejectSirens: list(process.env.PA_DOUBLE_REJECT_SIRENS),
  refuseSirens: list(process.env.PA_DOUBLE_REFUSE_SIRENS),
  missingSirens: list(process.env.PA_DOUBLE_MISSING_SIRENS),
  stepDelayMs: Number(process.env.PA_DOUBLE_STEP_MS ?? 3000),
  ackDelayMs: Number(process.env.PA_DOUBLE_ACK_MS ?? 500),
  officialValidator: official ? validator : undefined,
});
await double.start(Number(process.env.PA_DOUBLE_PORT ?? 12112));
process.stdout.write(`Accredited platform double listening on ${double.url}${official ? " (official validation on)" : ""}\n`);

const stop = async () => {
  await double.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
