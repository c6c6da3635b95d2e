import { db } from "./db.server.ts";

/** The catalogue is the same for every partner (negotiated prices come with the back office). */
export async function listCatalogue() {
  return db().prestation.findMany({
    where: { active: true },
    orderBy: [{ category: "asc" }, { name: "asc" }],
    select: {
      id: true,
      category: true,
      name: true,
      description: true,
      pricingUnit: true,
      priceCents: true,
      vatRateBasisPoints: true,
      minNoticeDays: true,
      defaultDurationMinutes: true,
      defaultTeamSize: true,
      skill: { select: { label: true } },
    },
  });
}
