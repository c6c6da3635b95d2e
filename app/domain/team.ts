// The size of one team (people in insertion on one intervention): the bound
// every form (order, catalogue, rules, encadrant's limit) and estimate reads.
// The service's own narrower range (rule `teamSize`) and each encadrant's
// maxTeamSize live inside it.
export const TEAM_MIN = 1;
export const TEAM_MAX = 20;

/** Whether `n` people can make one team at all. */
export const isTeamSize = (n: number) => Number.isInteger(n) && n >= TEAM_MIN && n <= TEAM_MAX;

/** What a form says when a team size is out of the bound. */
export const TEAM_TOO_SMALL = "Une personne au moins.";
export const TEAM_TOO_LARGE = `${TEAM_MAX} personnes au plus.`;
