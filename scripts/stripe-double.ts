// The local Stripe double as a process, for the demo (npm run demo starts it).
//   STRIPE_DOUBLE_PORT (default 12111), STRIPE_DOUBLE_WEBHOOK_URL and STRIPE_WEBHOOK_SECRET
//   (signed events to the app), STRIPE_DOUBLE_STATE (a JSON file kept across restarts),
//   STRIPE_DOUBLE_RATE_LIMIT (requests per second, none by default).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { StripeDouble } from "../tests/support/stripe-double.ts";

const stateFile = process.env.STRIPE_DOUBLE_STATE;
const double = new StripeDouble({
  webhookUrl: process.env.STRIPE_DOUBLE_WEBHOOK_URL,
  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
  rateLimitPerSecond: process.env.STRIPE_DOUBLE_RATE_LIMIT ? Number(process.env.STRIPE_DOUBLE_RATE_LIMIT) : undefined,
});
if (stateFile && existsSync(stateFile)) double.restore(readFileSync(stateFile, "utf8"));
await double.start(Number(process.env.STRIPE_DOUBLE_PORT ?? 12111));
process.stdout.write(`Stripe double listening on ${double.url}\n`);

let saved = "";
const save = () => {
  if (!stateFile) return;
  const state = double.snapshot();
  if (state !== saved) writeFileSync(stateFile, state);
  saved = state;
};
const timer = setInterval(save, 1000);
const stop = async () => {
  clearInterval(timer);
  save();
  await double.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
