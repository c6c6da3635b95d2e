import { json, type ActionFunctionArgs } from "@remix-run/node";
import { recordStripeEvent } from "~/data/invoicing.server.ts";
import { STRIPE_EVENT_TYPES } from "~/integrations/billing.server.ts";
import { constructStripeEvent, stripeConfigured } from "~/integrations/stripe.server.ts";
import { readBodyLimited } from "~/utils/http.server.ts";

// Stripe's webhooks. Not a form: no session and no CSRF token; the signature
// on the raw body is the proof. The event is stored once (its id is the key)
// with its job in one transaction, and the answer is immediate: a worker
// applies it (webhook events may come twice and in any order).
const ALLOWED = new Set(STRIPE_EVENT_TYPES);

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ error: "POST only" }, { status: 405 });
  if (!stripeConfigured()) return json({ error: "Stripe is not configured" }, { status: 404 });
  const raw = new TextDecoder().decode(await readBodyLimited(request));
  let event: ReturnType<typeof constructStripeEvent>;
  try {
    event = constructStripeEvent(raw, request.headers.get("stripe-signature"));
  } catch {
    return json({ error: "Invalid signature" }, { status: 400 });
  }
  // A signed body that is not an event (`null`, a number): refused, not a crash on event.type.
  if (!event || typeof event !== "object" || typeof event.type !== "string" || typeof event.id !== "string") {
    return json({ error: "Ce corps signé n’est pas un événement Stripe." }, { status: 400 });
  }
  if (!ALLOWED.has(event.type)) return json({ received: true, ignored: event.type });
  const outcome = await recordStripeEvent({ id: event.id, type: event.type, payload: JSON.parse(raw) });
  return json({ received: true, duplicate: outcome === "duplicate" });
}

export async function loader() {
  return json({ error: "POST only" }, { status: 405 });
}
