import { db } from "./db.server.ts";

// Staff only (the route checks "people.view"): workers in insertion and encadrants.
export async function listWorkers(today: Date) {
  const workers = await db().worker.findMany({
    where: { anonymisedAt: null, contractEnd: { gte: today } },
    orderBy: [{ firstName: "asc" }, { lastInitial: "asc" }],
    select: {
      id: true,
      firstName: true,
      lastInitial: true,
      contractStart: true,
      contractEnd: true,
      weeklyTargetMinutes: true,
      skills: { select: { skill: { select: { label: true } } } },
    },
  });
  return workers.map(({ skills, ...w }) => ({ ...w, skills: skills.map((s) => s.skill.label) }));
}

export async function listSupervisors() {
  const supervisors = await db().supervisor.findMany({
    where: { active: true },
    orderBy: { firstName: "asc" },
    select: {
      id: true,
      firstName: true,
      lastName: true,
      maxTeamSize: true,
      skills: { select: { skill: { select: { label: true } } } },
    },
  });
  return supervisors.map(({ skills, ...s }) => ({ ...s, skills: skills.map((k) => k.skill.label) }));
}
