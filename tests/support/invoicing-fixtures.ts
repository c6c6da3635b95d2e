import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../app/generated/prisma/client.ts";
import { monthBounds } from "../../app/domain/invoicing/period.ts";
import { createPrestation, createSkill } from "./factories.ts";

// Many partners with completed interventions and recorded hours, written in
// bulk. Prices are chosen so the expected amounts are exact: 24 € an hour is
// 40 cents a minute, and its 20 % VAT 8 cents a minute, so a partner's invoice
// is 48 cents per minute worked, to the cent.
export const PRICE_PER_HOUR_CENTS = 2400;
export const INCL_VAT_CENTS_PER_MINUTE = 48;

export type SeededPartner = { organisationId: string; minutes: number; expectedInclVatCents: number; interventionIds: string[] };

export async function seedInvoicingPartners(db: PrismaClient, options: { count: number; month: string; interventionsEach?: number; tag?: string }) {
  const { count, month, interventionsEach = 2 } = options;
  const tag = options.tag ?? randomUUID().slice(0, 8);
  const skill = await createSkill(db);
  const prestation = await createPrestation(db, { skillId: skill.id, priceCents: PRICE_PER_HOUR_CENTS, vatRateBasisPoints: 2000, pricingUnit: "PER_PARTICIPANT_HOUR" });
  const participants = Array.from({ length: 4 }, (_, i) => ({
    id: randomUUID(),
    firstName: `Test${i}`,
    lastInitial: "T",
    contractStart: new Date("2026-01-01"),
    contractEnd: new Date("2027-01-01"),
    weeklyTargetMinutes: 600,
  }));
  await db.participant.createMany({ data: participants });
  const { from } = monthBounds(month);
  const orgs: { id: string; kind: "PARTNER"; name: string; slug: string; billingEmail: string; siret: string; billingAddress: string; paymentTermsDays: number }[] = [];
  const sites: { id: string; organisationId: string; name: string; address: string; postalCode: string; city: string }[] = [];
  const requests: Record<string, unknown>[] = [];
  const interventions: Record<string, unknown>[] = [];
  const entries: Record<string, unknown>[] = [];
  const partners: SeededPartner[] = [];
  for (let p = 0; p < count; p++) {
    const organisationId = randomUUID();
    const siteId = randomUUID();
    orgs.push({
      id: organisationId,
      kind: "PARTNER",
      name: `Partenaire ${tag} ${String(p).padStart(4, "0")}`,
      slug: `partenaire-${tag}-${p}`,
      billingEmail: `compta-${p}@partenaire.example`,
      siret: "12345678200010",
      billingAddress: `Comptabilité, ${p} avenue du Test, 75011 Paris`,
      paymentTermsDays: p % 3 === 0 ? 45 : 30,
    });
    sites.push({ id: siteId, organisationId, name: `Site ${p}`, address: `${p} rue du Test`, postalCode: "75012", city: "Paris" });
    const partner: SeededPartner = { organisationId, minutes: 0, expectedInclVatCents: 0, interventionIds: [] };
    for (let k = 0; k < interventionsEach; k++) {
      const requestId = randomUUID();
      const interventionId = randomUUID();
      const startsAt = new Date(from.getTime() + ((p + k * 7) % 27) * 86_400_000 + 9 * 3_600_000);
      const team = 1 + ((p + k) % 3);
      requests.push({
        id: requestId,
        reference: `DEM-${tag}-${p}-${k}`,
        organisationId,
        siteId,
        prestationId: prestation.id,
        durationMinutes: 180,
        teamSize: team,
        unitPriceCents: PRICE_PER_HOUR_CENTS,
        vatRateBasisPoints: 2000,
        purchaseOrderNumber: k === 0 ? `BC-${p}` : null,
      });
      interventions.push({
        id: interventionId,
        requestId,
        organisationId,
        siteId,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 180 * 60_000),
        durationMinutes: 180,
        participantsNeeded: team,
        status: "DONE",
      });
      for (let w = 0; w < team; w++) {
        const minutes = 180 - ((p + w) % 4) * 15; // mostly the planned time, some shorter
        entries.push({ id: randomUUID(), interventionId, participantId: participants[w]!.id, minutesWorked: minutes, absent: false });
        partner.minutes += minutes;
      }
      partner.interventionIds.push(interventionId);
    }
    partner.expectedInclVatCents = partner.minutes * INCL_VAT_CENTS_PER_MINUTE;
    partners.push(partner);
  }
  await db.organisation.createMany({ data: orgs });
  await db.site.createMany({ data: sites });
  await db.serviceRequest.createMany({ data: requests as never });
  await db.intervention.createMany({ data: interventions as never });
  await db.timeEntry.createMany({ data: entries as never });
  return partners;
}
