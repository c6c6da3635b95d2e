import { createHash } from "node:crypto";
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { recordPlatformWebhook } from "~/data/einvoicing-transmission.server.ts";
import { platformConfig, verifyWebhook, WEBHOOK_SIGNATURE_HEADER, webhookBodySchema } from "~/integrations/einvoicing-platform.server.ts";
import { readBodyLimited } from "~/utils/http.server.ts";

// The accredited platform's callbacks (AFNOR Flow Service WebhookCallbackContent:
// { flowInfo }). Not a form: no session, no CSRF token; the signature on the raw
// body is the proof. The body only says which flow changed: a job reads that
// flow from the platform itself, so a replayed or late callback changes nothing
// and the statuses end the same whatever the order.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ errorCode: "METHOD_NOT_ALLOWED" }, { status: 405 });
  const config = platformConfig();
  if (!config) return json({ errorCode: "NOT_CONFIGURED" }, { status: 404 });
  const raw = new TextDecoder().decode(await readBodyLimited(request, 100_000));
  if (!verifyWebhook(config.webhookSecret, raw, request.headers.get(WEBHOOK_SIGNATURE_HEADER))) return json({ errorCode: "INVALID_SIGNATURE" }, { status: 401 });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return json({ errorCode: "INVALID_JSON" }, { status: 400 });
  }
  const parsed = webhookBodySchema.safeParse(body);
  if (!parsed.success) return json({ errorCode: "INVALID_BODY" }, { status: 400 });
  const flow = parsed.data.flowInfo;
  await recordPlatformWebhook(flow.flowId, flow.updatedAt, createHash("sha256").update(raw).digest("hex").slice(0, 16));
  return json({ received: true });
}

export async function loader() {
  return json({ errorCode: "METHOD_NOT_ALLOWED" }, { status: 405 });
}
