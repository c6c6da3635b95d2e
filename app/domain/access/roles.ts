// Who may do what. Pure: used by the auth helpers, the navigation and the tests.
export const ROLES = ["PARTNER_MEMBER", "PARTNER_ADMIN", "COORDINATOR", "ENCADRANT", "FINANCE", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  PARTNER_MEMBER: "Partenaire",
  PARTNER_ADMIN: "Partenaire (administrateur)",
  COORDINATOR: "Coordination",
  ENCADRANT: "Encadrant technique",
  FINANCE: "Finance",
  ADMIN: "Administration",
};

export const PARTNER_ROLES: readonly Role[] = ["PARTNER_MEMBER", "PARTNER_ADMIN"];
export const STAFF_ROLES: readonly Role[] = ["COORDINATOR", "ENCADRANT", "FINANCE", "ADMIN"];

export const isPartnerRole = (role: Role) => PARTNER_ROLES.includes(role);
export const isStaffRole = (role: Role) => STAFF_ROLES.includes(role);

/** The acting user, as every data function receives it. */
export type Actor = {
  userId: string;
  organisationId: string;
  role: Role;
};

export type Capability =
  | "requests.view" // own organisation's requests (staff: every partner's)
  | "requests.viewAll"
  | "requests.order" // order prestations, accept quotes, move or cancel interventions (own organisation)
  | "requests.decide" // validate or decline any partner's request, answer messages
  | "catalogue.view"
  | "finance.view" // invoices, dashboard, exports of every partner
  | "finance.manage" // run, send and correct invoices
  | "invoices.view" // a partner's own invoices
  | "team.manage" // invite and remove colleagues of one's own organisation
  | "users.manage" // every organisation's users
  | "audit.view"
  | "people.view" // participants in insertion and encadrants (an encadrant: the people of their own interventions only)
  | "people.viewAll" // every person in insertion, not only those one leads
  | "people.manage" // skills, availability, absences of people in insertion; payroll and DPH exports
  | "planning.view" // the planning board of every encadrant
  | "planning.manage" // optimise a week, steer an intervention (encadrant, team, pins)
  | "myday" // an encadrant's own interventions: check-in, hours, report, ICS feed
  | "mailbox.view"
  | "backoffice.dashboard" // the admin dashboard: counts, failed jobs, health
  | "backoffice.partners" // create, edit, archive partners; their users
  | "backoffice.sites" // partners' list and sites (coordination adds and edits sites)
  | "backoffice.catalogue" // prestations and price versions
  | "backoffice.rules" // service rules, skills, encadrants' team limits
  | "backoffice.personalData"; // export or erase a person in insertion (GDPR)

const CAPABILITIES: Record<Role, readonly Capability[]> = {
  PARTNER_MEMBER: ["invoices.view", "requests.view", "catalogue.view", "requests.order"],
  PARTNER_ADMIN: ["invoices.view", "requests.view", "catalogue.view", "team.manage", "requests.order"],
  COORDINATOR: [
    "requests.view",
    "requests.viewAll",
    "catalogue.view",
    "people.view",
    "backoffice.sites",
    "backoffice.rules",
    "requests.decide",
    "planning.view",
    "planning.manage",
    "people.manage",
    "people.viewAll",
  ],
  ENCADRANT: ["people.view", "catalogue.view", "myday"],
  FINANCE: ["finance.view", "finance.manage", "requests.view", "requests.viewAll", "catalogue.view"],
  ADMIN: [
    "finance.view",
    "finance.manage",
    "requests.view",
    "requests.viewAll",
    "catalogue.view",
    "team.manage",
    "users.manage",
    "audit.view",
    "people.view",
    "backoffice.dashboard",
    "backoffice.partners",
    "backoffice.sites",
    "backoffice.catalogue",
    "backoffice.rules",
    "backoffice.personalData",
    "requests.decide",
    "planning.view",
    "planning.manage",
    "people.manage",
    "people.viewAll",
  ],
};

export function can(role: Role, capability: Capability): boolean {
  return CAPABILITIES[role].includes(capability);
}

/** Roles an inviter may hand out: a partner admin invites partner roles for its own organisation only. */
export function invitableRoles(inviter: Role, targetIsConciergerie: boolean): Role[] {
  if (inviter === "ADMIN") return targetIsConciergerie ? [...STAFF_ROLES] : [...PARTNER_ROLES];
  if (inviter === "PARTNER_ADMIN" && !targetIsConciergerie) return [...PARTNER_ROLES];
  return [];
}

export type NavItem = { to: string; label: string };

export function navigationFor(role: Role): NavItem[] {
  const items: NavItem[] = [{ to: "/", label: "Accueil" }];
  if (can(role, "requests.view")) {
    items.push({ to: "/requests", label: can(role, "requests.viewAll") ? "Demandes" : "Mes demandes" });
  }
  // Coordination's inbox: partners' messages to answer, contested hours to follow.
  if (can(role, "requests.decide")) items.push({ to: "/inbox", label: "À traiter" });
  if (can(role, "requests.order")) items.push({ to: "/requests/new", label: "Commander" });
  if (can(role, "catalogue.view")) items.push({ to: "/catalogue", label: "Catalogue" });
  if (can(role, "finance.view")) items.push({ to: "/finance", label: "Facturation" });
  if (can(role, "invoices.view")) items.push({ to: "/invoices", label: "Mes factures" });
  if (can(role, "planning.view")) items.push({ to: "/planning", label: "Planning" });
  if (can(role, "myday")) items.push({ to: "/my-day", label: "Ma journée" });
  if (can(role, "people.view")) items.push({ to: "/people", label: "Équipes" });
  if (can(role, "team.manage")) items.push({ to: "/users", label: can(role, "users.manage") ? "Utilisateurs" : "Mon équipe" });
  if (can(role, "backoffice.dashboard")) items.push({ to: "/admin", label: "Administration" });
  else if (can(role, "backoffice.sites")) items.push({ to: "/admin/partners", label: "Partenaires" });
  if (can(role, "backoffice.rules") && !can(role, "backoffice.dashboard")) items.push({ to: "/admin/rules", label: "Règles" });
  if (can(role, "audit.view")) items.push({ to: "/admin/audit", label: "Journal" });
  return items;
}
