// Demo data for La Conciergerie Solidaire. Run on an empty, freshly migrated database
// (`npm run db:reset`); on a database that already holds it, it changes nothing.
// Deterministic: a seeded PRNG and a fixed "today" (the current date in Europe/Paris, or
// SEED_TODAY=YYYY-MM-DD) from which every date is computed, so upcoming work is always ahead.
import { ROLE_LABELS } from "../app/domain/access/roles.ts";
import { addMinutes } from "../app/utils/time.ts";
import { seedInvoicing } from "./seed-invoicing.ts";
import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "../app/generated/prisma/client.ts";
import { InterventionStatus, OrganisationKind, PricingUnit, Recurrence, Role } from "../app/generated/prisma/enums.ts";
import { createOrganisation, createPrestation, createSite, createSkill, createSupervisor, createUser, type Db, type WindowInput } from "../tests/support/factories.ts";
import { seededRandom } from "../app/utils/seeded-random.ts";
import { publicHolidayName } from "../app/domain/calendar/holidays.ts";

const DEMO_PASSWORD = "demo-conciergerie-2026";
const CONCIERGERIE_SLUG = "conciergerie-solidaire";

// ---------------------------------------------------------------------------------------------
// Determinism: PRNG and Paris calendar
// ---------------------------------------------------------------------------------------------

const random = seededRandom(20151001); // the Conciergerie opened in October 2015
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const chance = (p: number) => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const DAY_MS = 86_400_000;
const parisFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Offset of Paris local time from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function parisOffsetMs(instant: number): number {
  const p = Object.fromEntries(parisFormat.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const wallClock = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wallClock - Math.floor(instant / 1000) * 1000;
}

const instants = new Map<number, number>();
/** A day number (days since 1970-01-01) at a Paris wall-clock minute, as a real instant. */
function paris(day: number, minute: number): Date {
  const wallClock = day * DAY_MS + minute * 60_000;
  let instant = instants.get(wallClock);
  if (instant === undefined) {
    instant = wallClock - parisOffsetMs(wallClock);
    instant = wallClock - parisOffsetMs(instant); // second pass settles the days of DST changes
    instants.set(wallClock, instant);
  }
  return new Date(instant);
}

/** A day number as a @db.Date value. */
const dateOnly = (day: number) => new Date(day * DAY_MS);
const isoWeekday = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;
/** A public holiday in France (25 December, Easter Monday...): nobody works, as series leave them out. */
const isHoliday = (day: number) => publicHolidayName(dateOnly(day).toISOString().slice(0, 10)) !== null;
const clock = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
/** Same calendar day `months` later (rolling over like Date.UTC), as a day number. */
function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  return Math.round(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()) / DAY_MS);
}

function parisToday(): number {
  const forced = process.env.SEED_TODAY;
  if (forced) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(forced)) throw new Error("SEED_TODAY attend une date AAAA-MM-JJ.");
    return Math.round(Date.parse(`${forced}T00:00:00Z`) / DAY_MS);
  }
  const now = Date.now();
  return Math.floor((now + parisOffsetMs(now)) / DAY_MS);
}

const TODAY = parisToday();
const MONDAY = TODAY - (isoWeekday(TODAY) - 1); // Monday of the current week
// Four weeks back. When those four weeks hold less than a whole week of last month (a
// Monday after the 22nd), from the Monday two weeks before this month began instead, the
// oldest series too: the demo always has last month's work, and so its open invoices.
const FIRST_OF_MONTH = TODAY - (new Date(TODAY * DAY_MS).getUTCDate() - 1);
const HISTORY_EXTENDED = MONDAY - 28 > FIRST_OF_MONTH - 7;
const WINDOW_START = HISTORY_EXTENDED ? FIRST_OF_MONTH - 14 - (isoWeekday(FIRST_OF_MONTH - 14) - 1) : MONDAY - 28;
const WINDOW_END = MONDAY + 27; // end of the third week ahead

// ---------------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------------

const SKILLS = {
  "espaces-verts": "Espaces verts",
  nettoyage: "Nettoyage",
  dechets: "Gestion et tri des déchets",
  compostage: "Compostage",
  bricolage: "Bricolage",
  "service-salle": "Service en salle",
  cuisine: "Cuisine",
  vestiaire: "Tri du vestiaire solidaire",
  accueil: "Accueil du public",
  courrier: "Distribution du courrier",
} as const;
type SkillCode = keyof typeof SKILLS;

/** Luhn check digit that makes `digits + check` valid. */
function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
/** Fictional company identifiers: a Luhn-valid SIREN, a Luhn-valid SIRET, the FR VAT number. */
function companyIds(siren8: string, nic4: string) {
  const siren = siren8 + luhnCheckDigit(siren8);
  const siret = siren + nic4 + luhnCheckDigit(siren + nic4);
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return { siret, vatNumber: `FR${String(key).padStart(2, "0")}${siren}` };
}

type OrgKey = "conciergerie" | "sncf" | "mjc" | "recho" | "cinq" | "austerlitz" | "bastion" | "chaumes";
type SiteKey = "gare-de-lyon" | "gare-de-bercy" | "mjc" | "recho" | "cinq" | "austerlitz" | "bastion" | "chaumes";

const ORGANISATIONS: Record<OrgKey, Partial<Prisma.OrganisationUncheckedCreateInput>> = {
  conciergerie: {
    kind: OrganisationKind.CONCIERGERIE,
    name: "La Conciergerie Solidaire",
    slug: CONCIERGERIE_SLUG,
    ...companyIds("77568401", "0412"),
    billingEmail: "conciergerie@aurore.example",
    billingAddress: "Association Aurore — La Conciergerie Solidaire, Les Cinq Toits, 51 boulevard Exelmans, 75016 Paris",
  },
  sncf: {
    kind: OrganisationKind.PARTNER,
    name: "SNCF Gares & Connexions",
    slug: "sncf-gares-connexions",
    ...companyIds("90871234", "0231"),
    billingEmail: "compta@sncf.example",
    billingAddress: "SNCF Gares & Connexions — Comptabilité fournisseurs, place Louis-Armand, 75012 Paris",
    paymentTermsDays: 45,
    requiresPurchaseOrder: true,
  },
  mjc: {
    kind: OrganisationKind.PARTNER,
    name: "Mon Jardin Chocolaté",
    slug: "mon-jardin-chocolate",
    ...companyIds("81245673", "0018"),
    billingEmail: "compta@monjardinchocolate.example",
    billingAddress: "Mon Jardin Chocolaté, 21 rue Boulard, 75014 Paris",
  },
  recho: {
    kind: OrganisationKind.PARTNER,
    name: "La Table du RECHO",
    slug: "la-table-du-recho",
    ...companyIds("83461297", "0025"),
    billingEmail: "compta@latabledurecho.example",
    billingAddress: "La Table du RECHO, Les Cinq Toits, 51 boulevard Exelmans, 75016 Paris",
    requiresValidation: true,
  },
  cinq: {
    kind: OrganisationKind.INTERNAL,
    name: "Aurore — Les Cinq Toits",
    slug: "aurore-cinq-toits",
    billingEmail: "cinq-toits@aurore.example",
  },
  austerlitz: {
    kind: OrganisationKind.INTERNAL,
    name: "Aurore — Accueil de jour Austerlitz",
    slug: "aurore-accueil-austerlitz",
    billingEmail: "accueil-austerlitz@aurore.example",
  },
  bastion: {
    kind: OrganisationKind.INTERNAL,
    name: "Aurore — Bastion de Bercy",
    slug: "aurore-bastion-bercy",
    billingEmail: "bastion-bercy@aurore.example",
  },
  chaumes: {
    kind: OrganisationKind.INTERNAL,
    name: "Aurore — Chaumes-en-Brie",
    slug: "aurore-chaumes-en-brie",
    billingEmail: "chaumes@aurore.example",
  },
};

const SITES: Record<SiteKey, { org: OrgKey; name: string; address: string; postalCode: string; city: string; accessNotes?: string }> = {
  "gare-de-lyon": {
    org: "sncf",
    name: "Gare de Lyon",
    address: "Place Louis-Armand",
    postalCode: "75012",
    city: "Paris",
    accessNotes: "Se présenter au poste de sécurité du Hall 1. Gilets haute visibilité fournis par la SNCF.",
  },
  "gare-de-bercy": {
    org: "sncf",
    name: "Gare de Bercy",
    address: "48 bis boulevard de Bercy",
    postalCode: "75012",
    city: "Paris",
    accessNotes: "Entrée du personnel côté rue Corbineau ; demander l'agent d'escale.",
  },
  mjc: {
    org: "mjc",
    name: "Atelier de Mon Jardin Chocolaté",
    address: "21 rue Boulard",
    postalCode: "75014",
    city: "Paris",
    accessNotes: "Sonner à l'atelier. Charlotte et blouse obligatoires en zone de production.",
  },
  recho: {
    org: "recho",
    name: "Restaurant La Table du RECHO",
    address: "Les Cinq Toits, 51 boulevard Exelmans",
    postalCode: "75016",
    city: "Paris",
    accessNotes: "Entrée par la cour, porte de la cuisine. Chaussures de sécurité pour la cuisine.",
  },
  cinq: {
    org: "cinq",
    name: "Les Cinq Toits",
    address: "51 boulevard Exelmans",
    postalCode: "75016",
    city: "Paris",
    accessNotes: "Le local de la Conciergerie est au rez-de-chaussée, bâtiment B.",
  },
  austerlitz: {
    org: "austerlitz",
    name: "Accueil de jour Austerlitz",
    address: "9 quai d'Austerlitz",
    postalCode: "75013",
    city: "Paris",
    accessNotes: "Accueil ouvert au public dès 9 h : arriver 15 minutes avant.",
  },
  bastion: {
    org: "bastion",
    name: "Bastion de Bercy",
    address: "1 boulevard Poniatowski",
    postalCode: "75012",
    city: "Paris",
    accessNotes: "Outils de jardinage dans l'abri au fond du jardin de la biodiversité.",
  },
  chaumes: {
    org: "chaumes",
    name: "Centre d'hébergement de Chaumes-en-Brie",
    address: "2 route de Fontenay",
    postalCode: "77390",
    city: "Chaumes-en-Brie",
    accessNotes: "Départ en minibus depuis Paris ; prévoir la journée.",
  },
};

/** Door-to-door public transport minutes; Chaumes-en-Brie is 75 minutes from anywhere. */
const TRAVEL: [SiteKey, SiteKey, number][] = [
  ["gare-de-lyon", "gare-de-bercy", 10],
  ["gare-de-lyon", "austerlitz", 15],
  ["gare-de-lyon", "bastion", 20],
  ["gare-de-lyon", "mjc", 25],
  ["gare-de-lyon", "cinq", 40],
  ["gare-de-lyon", "recho", 40],
  ["gare-de-bercy", "austerlitz", 15],
  ["gare-de-bercy", "bastion", 15],
  ["gare-de-bercy", "mjc", 30],
  ["gare-de-bercy", "cinq", 45],
  ["gare-de-bercy", "recho", 45],
  ["austerlitz", "bastion", 20],
  ["austerlitz", "mjc", 20],
  ["austerlitz", "cinq", 40],
  ["austerlitz", "recho", 40],
  ["bastion", "mjc", 35],
  ["bastion", "cinq", 50],
  ["bastion", "recho", 50],
  ["mjc", "cinq", 30],
  ["mjc", "recho", 30],
  ["cinq", "recho", 5],
  ...(["gare-de-lyon", "gare-de-bercy", "mjc", "recho", "cinq", "austerlitz", "bastion"] as const).map((site): [SiteKey, SiteKey, number] => [site, "chaumes", 75]),
];

type PrestationCode =
  | "entretien-espaces-verts"
  | "nettoyage-passerelles"
  | "nettoyage-locaux"
  | "tri-dechets"
  | "compostage-biodechets"
  | "petits-travaux"
  | "service-salle"
  | "aide-cuisine"
  | "tri-vestiaire"
  | "accueil-public"
  | "distribution-courrier";

const PRESTATIONS: Record<
  PrestationCode,
  {
    category: string;
    name: string;
    description: string;
    skill: SkillCode;
    pricingUnit: PricingUnit;
    priceCents: number;
    vatRateBasisPoints: number;
    minNoticeDays: number;
    defaultDurationMinutes: number;
    defaultTeamSize: number;
  }
> = {
  "entretien-espaces-verts": {
    category: "Espaces verts",
    name: "Entretien des espaces verts",
    description: "L'équipe désherbe, ramasse les feuilles, taille les haies basses, arrose et entretient les jardinières et massifs. Les déchets verts sont évacués ou compostés sur place.",
    skill: "espaces-verts",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 2200,
    vatRateBasisPoints: 2000,
    minNoticeDays: 5,
    defaultDurationMinutes: 180,
    defaultTeamSize: 3,
  },
  "nettoyage-passerelles": {
    category: "Propreté",
    name: "Nettoyage des passerelles de gare",
    description: "L'équipe balaie et lave les passerelles, escaliers et rampes d'accès, ramasse les déchets et les mégots, et signale à l'agent de la gare tout équipement abîmé.",
    skill: "nettoyage",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 2400,
    vatRateBasisPoints: 2000,
    minNoticeDays: 7,
    defaultDurationMinutes: 180,
    defaultTeamSize: 4,
  },
  "nettoyage-locaux": {
    category: "Propreté",
    name: "Nettoyage d'ateliers et de locaux",
    description: "L'équipe dépoussière, lave les sols et les surfaces, vide les poubelles et range les espaces communs, en suivant les consignes d'hygiène du lieu.",
    skill: "nettoyage",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 2000,
    vatRateBasisPoints: 2000,
    minNoticeDays: 3,
    defaultDurationMinutes: 120,
    defaultTeamSize: 2,
  },
  "tri-dechets": {
    category: "Déchets",
    name: "Gestion et tri des déchets",
    description: "L'équipe trie les déchets par filière (cartons, verre, emballages, biodéchets), sort les bacs, met les cartons en balles et explique les consignes de tri aux usagers.",
    skill: "dechets",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 2000,
    vatRateBasisPoints: 2000,
    minNoticeDays: 3,
    defaultDurationMinutes: 120,
    defaultTeamSize: 2,
  },
  "compostage-biodechets": {
    category: "Déchets",
    name: "Compostage des biodéchets",
    description: "L'équipe collecte les biodéchets du site, alimente et retourne les bacs de compost, tamise le compost mûr et tient à jour la fiche de suivi. Prix forfaitaire par passage.",
    skill: "compostage",
    pricingUnit: PricingUnit.FLAT,
    priceCents: 9500,
    vatRateBasisPoints: 2000,
    minNoticeDays: 3,
    defaultDurationMinutes: 120,
    defaultTeamSize: 2,
  },
  "petits-travaux": {
    category: "Bricolage",
    name: "Petits travaux de bricolage",
    description: "L'équipe monte des meubles et des étagères, fixe, rebouche et repeint, répare le petit mobilier. Le matériel est fourni par la Conciergerie, les fournitures par le demandeur.",
    skill: "bricolage",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 2600,
    // 10 %: small maintenance works in dwellings finished more than two years ago (CGI art.
    // 279-0 bis); most of this work is done in Aurore's housing and shelters.
    vatRateBasisPoints: 1000,
    minNoticeDays: 7,
    defaultDurationMinutes: 240,
    defaultTeamSize: 2,
  },
  "service-salle": {
    category: "Restauration",
    name: "Service en salle",
    description: "L'équipe met en place la salle, accueille et sert les convives, débarrasse et remet la salle en ordre après le service.",
    skill: "service-salle",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 1900,
    vatRateBasisPoints: 2000,
    minNoticeDays: 2,
    defaultDurationMinutes: 180,
    defaultTeamSize: 3,
  },
  "aide-cuisine": {
    category: "Restauration",
    name: "Aide en cuisine",
    description: "L'équipe épluche et prépare les légumes, assiste le chef pour la mise en place, fait la plonge et nettoie la cuisine dans le respect des règles d'hygiène.",
    skill: "cuisine",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 1900,
    vatRateBasisPoints: 2000,
    minNoticeDays: 2,
    defaultDurationMinutes: 240,
    defaultTeamSize: 2,
  },
  "tri-vestiaire": {
    category: "Solidarité",
    name: "Tri du vestiaire solidaire",
    description: "L'équipe réceptionne les dons de vêtements, les trie par taille et par saison, écarte ce qui est abîmé et range le vestiaire pour qu'il soit prêt à la distribution.",
    skill: "vestiaire",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 1800,
    vatRateBasisPoints: 2000,
    minNoticeDays: 3,
    defaultDurationMinutes: 180,
    defaultTeamSize: 3,
  },
  "accueil-public": {
    category: "Accueil",
    name: "Accueil du public",
    description: "L'équipe accueille les visiteurs, les informe et les oriente, tient le registre des passages et gère la remise des clés des espaces partagés.",
    skill: "accueil",
    pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
    priceCents: 1800,
    vatRateBasisPoints: 2000,
    minNoticeDays: 5,
    defaultDurationMinutes: 240,
    defaultTeamSize: 2,
  },
  "distribution-courrier": {
    category: "Accueil",
    name: "Distribution du courrier",
    description: "L'équipe relève le courrier et les colis à l'accueil, les trie et les distribue aux occupants du site. Prix forfaitaire par tournée.",
    skill: "courrier",
    pricingUnit: PricingUnit.FLAT,
    priceCents: 6500,
    vatRateBasisPoints: 2000,
    minNoticeDays: 2,
    defaultDurationMinutes: 90,
    defaultTeamSize: 1,
  },
};

type UserKey = "admin" | "coordination" | "finance" | "encadrant" | "sncfAdmin" | "sncfAgent" | "mjc" | "recho";
const USERS: Record<UserKey, { email: string; name: string; role: Role; org: OrgKey }> = {
  admin: { email: "admin@conciergerie.example", name: "Sophie Marchand", role: Role.ADMIN, org: "conciergerie" },
  coordination: {
    email: "coordination@conciergerie.example",
    name: "Élodie Bernard",
    role: Role.COORDINATOR,
    org: "conciergerie",
  },
  finance: { email: "finance@conciergerie.example", name: "Hélène Roux", role: Role.FINANCE, org: "conciergerie" },
  encadrant: {
    email: "encadrant@conciergerie.example",
    name: "Sandrine Lefebvre",
    role: Role.ENCADRANT,
    org: "conciergerie",
  },
  sncfAdmin: { email: "gare-de-lyon@sncf.example", name: "Julien Petit", role: Role.PARTNER_ADMIN, org: "sncf" },
  sncfAgent: { email: "agent@sncf.example", name: "Inès Moreau", role: Role.PARTNER_MEMBER, org: "sncf" },
  mjc: { email: "contact@monjardinchocolate.example", name: "Camille Renaud", role: Role.PARTNER_ADMIN, org: "mjc" },
  recho: { email: "cuisine@latabledurecho.example", name: "Thomas Garnier", role: Role.PARTNER_ADMIN, org: "recho" },
};

const FULL_DAY = { from: clock("08:00"), to: clock("17:00") };
const SUPERVISORS: { firstName: string; lastName: string; skills: SkillCode[]; maxTeamSize: number }[] = [
  // The first one is the encadrant@ demo login.
  { firstName: "Sandrine", lastName: "Lefebvre", skills: ["espaces-verts", "compostage", "dechets", "bricolage"], maxTeamSize: 6 },
  { firstName: "Youssef", lastName: "Amrani", skills: ["nettoyage", "dechets", "courrier", "accueil"], maxTeamSize: 8 },
  { firstName: "Olivier", lastName: "Marchetti", skills: ["bricolage", "espaces-verts", "nettoyage"], maxTeamSize: 4 },
  { firstName: "Fatou", lastName: "Sow", skills: ["service-salle", "cuisine", "accueil", "vestiaire"], maxTeamSize: 5 },
  { firstName: "Nathalie", lastName: "Girard", skills: ["vestiaire", "accueil", "courrier", "nettoyage"], maxTeamSize: 6 },
  {
    firstName: "Rachid",
    lastName: "Ouali",
    skills: ["espaces-verts", "compostage", "cuisine", "service-salle", "dechets"],
    maxTeamSize: 7,
  },
];
/** Supervisor absences, as [supervisor index, first day, last day] relative to this week's Monday. */
const SUPERVISOR_ABSENCES: [number, number, number][] = [
  [2, -4, -3], // Olivier: Thursday and Friday last week
  [4, 7, 9], // Nathalie: Monday to Wednesday next week
];

const PARTICIPANT_FIRST_NAMES = [
  "Mamadou",
  "Abdoulaye",
  "Moussa",
  "Ibrahima",
  "Ousmane",
  "Seydou",
  "Boubacar",
  "Adama",
  "Lamine",
  "Sékou",
  "Mohamed",
  "Ahmed",
  "Karim",
  "Rachid",
  "Samir",
  "Youcef",
  "Bilal",
  "Hamid",
  "Omar",
  "Nabil",
  "Ahmad",
  "Zaher",
  "Mustafa",
  "Nasrullah",
  "Wahid",
  "Sayed",
  "Habib",
  "Tesfaye",
  "Dawit",
  "Yonas",
  "Mehari",
  "Kidane",
  "Abdallah",
  "Issa",
  "Jean-Pierre",
  "Patrick",
  "Thierry",
  "Didier",
  "Gérard",
  "Michel",
  "Pascal",
  "Bruno",
  "Vasile",
  "Ion",
  "Dmitri",
  "Andrzej",
  "Kévin",
  "Fatoumata",
  "Aminata",
  "Mariam",
  "Awa",
  "Khadija",
  "Nadia",
  "Sylvie",
  "Brigitte",
];
/** How many workers to draw each skill for: the work the partners order most needs most hands. */
const SKILL_WEIGHTS: Record<SkillCode, number> = {
  "espaces-verts": 18,
  nettoyage: 16,
  "service-salle": 14,
  cuisine: 9,
  dechets: 9,
  vestiaire: 9,
  accueil: 11,
  compostage: 7,
  bricolage: 8,
  courrier: 5,
};
const WINDOWS = {
  full: { fromMinute: clock("08:00"), toMinute: clock("17:00") },
  morning: { fromMinute: clock("08:00"), toMinute: clock("13:00") },
  afternoon: { fromMinute: clock("13:00"), toMinute: clock("17:00") },
  midday: { fromMinute: clock("10:00"), toMinute: clock("15:00") }, // around the lunch service
};
type WindowKind = keyof typeof WINDOWS;

// Recurring requests: a weekday and a start time (Paris), weeks relative to this one (0 = this
// week); each is expanded into its dated interventions from the first week to the last.
type Recurring = {
  site: SiteKey;
  prestation: PrestationCode;
  isoDay: number;
  start: string;
  duration: number;
  team: number;
  fromWeek: number;
  toWeek: number;
  recurrence?: Recurrence;
  notes?: string;
};
const RECURRING: Recurring[] = [
  {
    site: "gare-de-lyon",
    prestation: "nettoyage-passerelles",
    isoDay: 2,
    start: "08:00",
    duration: 180,
    team: 4,
    fromWeek: -4,
    toWeek: 3,
    notes: "Passerelles des halls 1 et 2, escaliers d'accès aux voies.",
  },
  { site: "gare-de-lyon", prestation: "entretien-espaces-verts", isoDay: 4, start: "09:00", duration: 180, team: 3, fromWeek: -4, toWeek: 3, notes: "Jardinières du parvis et bacs du Hall 3." },
  { site: "gare-de-bercy", prestation: "nettoyage-passerelles", isoDay: 3, start: "08:30", duration: 150, team: 3, fromWeek: -4, toWeek: 3 },
  { site: "gare-de-bercy", prestation: "entretien-espaces-verts", isoDay: 5, start: "13:30", duration: 180, team: 3, fromWeek: -2, toWeek: 3, notes: "Talus et massifs le long du parking." },
  { site: "recho", prestation: "service-salle", isoDay: 2, start: "11:30", duration: 180, team: 3, fromWeek: -4, toWeek: 3 },
  { site: "recho", prestation: "service-salle", isoDay: 4, start: "11:30", duration: 180, team: 3, fromWeek: -4, toWeek: 3 },
  { site: "recho", prestation: "aide-cuisine", isoDay: 3, start: "08:30", duration: 240, team: 2, fromWeek: -4, toWeek: 3 },
  { site: "mjc", prestation: "nettoyage-locaux", isoDay: 1, start: "14:00", duration: 120, team: 2, fromWeek: -3, toWeek: 3, notes: "Atelier et vestiaire du personnel, après la production." },
  { site: "mjc", prestation: "tri-dechets", isoDay: 5, start: "14:00", duration: 120, team: 2, fromWeek: -4, toWeek: -1, notes: "Cartons d'emballage de la saison de Noël." },
  { site: "cinq", prestation: "entretien-espaces-verts", isoDay: 1, start: "09:00", duration: 180, team: 3, fromWeek: -4, toWeek: 3, notes: "Cour, potager et poulailler." },
  { site: "cinq", prestation: "compostage-biodechets", isoDay: 3, start: "14:00", duration: 120, team: 2, fromWeek: -4, toWeek: 3 },
  { site: "cinq", prestation: "tri-dechets", isoDay: 5, start: "09:00", duration: 120, team: 2, fromWeek: -4, toWeek: 3 },
  { site: "cinq", prestation: "distribution-courrier", isoDay: 4, start: "10:00", duration: 90, team: 1, fromWeek: -4, toWeek: 3 },
  { site: "cinq", prestation: "accueil-public", isoDay: 5, start: "13:30", duration: 180, team: 2, fromWeek: -1, toWeek: 3 },
  { site: "austerlitz", prestation: "tri-vestiaire", isoDay: 4, start: "09:00", duration: 180, team: 3, fromWeek: -4, toWeek: 3 },
  { site: "austerlitz", prestation: "accueil-public", isoDay: 3, start: "09:00", duration: 240, team: 2, fromWeek: -4, toWeek: 3 },
  {
    site: "bastion",
    prestation: "entretien-espaces-verts",
    isoDay: 2,
    start: "13:30",
    duration: 180,
    team: 3,
    fromWeek: -4,
    toWeek: 3,
    notes: "Jardin de la biodiversité : désherbage manuel, paillage, entretien de la mare.",
  },
  {
    site: "chaumes",
    prestation: "entretien-espaces-verts",
    isoDay: 4,
    start: "09:30",
    duration: 300,
    team: 4,
    fromWeek: -4,
    toWeek: 3,
    recurrence: Recurrence.BIWEEKLY,
    notes: "Parc du centre d'hébergement, puis voirie de la commune.",
  },
];

/** One-off requests: where, what, and what the partner wrote. */
const ONE_OFFS: { site: SiteKey; prestation: PrestationCode; notes: string }[] = [
  { site: "gare-de-lyon", prestation: "petits-travaux", notes: "Réparer deux jardinières abîmées sur le parvis." },
  { site: "gare-de-lyon", prestation: "tri-dechets", notes: "Tri des déchets après le marché de créateurs du Hall 1." },
  { site: "gare-de-lyon", prestation: "nettoyage-passerelles", notes: "Nettoyage renforcé avant les grands départs." },
  { site: "gare-de-bercy", prestation: "entretien-espaces-verts", notes: "Taille des haies le long du parking." },
  { site: "gare-de-bercy", prestation: "tri-dechets", notes: "Remise en ordre du local poubelles." },
  { site: "mjc", prestation: "tri-dechets", notes: "Tri et mise en balles des cartons d'emballage." },
  { site: "mjc", prestation: "petits-travaux", notes: "Monter trois étagères dans la réserve." },
  { site: "mjc", prestation: "nettoyage-locaux", notes: "Grand nettoyage de l'atelier avant la saison de Noël." },
  { site: "recho", prestation: "service-salle", notes: "Déjeuner de groupe de 60 couverts." },
  { site: "recho", prestation: "aide-cuisine", notes: "Préparation d'un buffet pour un séminaire." },
  { site: "cinq", prestation: "petits-travaux", notes: "Salle commune : reboucher les trous et repeindre un mur." },
  { site: "cinq", prestation: "tri-vestiaire", notes: "Tri des dons de vêtements d'hiver." },
  { site: "cinq", prestation: "nettoyage-locaux", notes: "Nettoyage de la salle polyvalente après un événement." },
  { site: "austerlitz", prestation: "tri-vestiaire", notes: "Grand tri saisonnier du vestiaire." },
  { site: "austerlitz", prestation: "petits-travaux", notes: "Fixer des patères et un tableau d'affichage." },
  { site: "bastion", prestation: "compostage-biodechets", notes: "Retourner et tamiser le compost." },
  { site: "bastion", prestation: "petits-travaux", notes: "Construire un hôtel à insectes pour le jardin." },
  { site: "chaumes", prestation: "entretien-espaces-verts", notes: "Ramassage des feuilles dans le parc." },
  { site: "chaumes", prestation: "petits-travaux", notes: "Réparer les bancs du parc." },
];
const START_TIMES = ["08:00", "08:30", "09:00", "09:30", "10:00", "13:30", "14:00"];
const CANCEL_REASONS = [
  "Annulée par le partenaire : site fermé ce jour-là.",
  "Annulée : alerte météo (vent fort), travaux extérieurs reportés.",
  "Annulée par le partenaire : accès impossible pendant des travaux.",
  "Annulée : grève des transports, l'équipe ne pouvait pas se rendre sur place.",
];
const ACCESS_INSTRUCTIONS: Partial<Record<SiteKey, string>> = {
  "gare-de-lyon": "Rendez-vous avec l'agent SNCF au poste de sécurité du Hall 1.",
  "gare-de-bercy": "Demander l'agent d'escale à l'accueil.",
  mjc: "Sonner à l'atelier.",
};

// ---------------------------------------------------------------------------------------------
// Planning: who works where and when, computed in memory before anything is written
// ---------------------------------------------------------------------------------------------

type Booking = { start: number; end: number; site: SiteKey };
type Person = {
  id: string;
  skills: Set<SkillCode>;
  windows: Map<number, { fromMinute: number; toMinute: number }[]>; // ISO day -> windows
  absences: { start: number; end: number }[]; // instants, ms
  contract?: { start: number; end: number }; // day numbers, inclusive
  targetMinutes: number;
  maxMinutes: number;
  maxTeamSize?: number;
  bookings: Map<number, Booking[]>; // day -> bookings (instants, ms)
  weekMinutes: Map<number, number>; // Monday day number -> minutes
};

const travelMinutes = new Map<string, number>();
for (const [a, b, minutes] of TRAVEL) {
  travelMinutes.set(`${a}|${b}`, minutes);
  travelMinutes.set(`${b}|${a}`, minutes);
}
const travel = (a: SiteKey, b: SiteKey) => (a === b ? 0 : (travelMinutes.get(`${a}|${b}`) ?? 60));

type Slot = { day: number; startMinute: number; duration: number; site: SiteKey; skill: SkillCode; team: number };

function canWork(person: Person, slot: Slot, limitMinutes: number): boolean {
  const { day, startMinute, duration, site } = slot;
  if (!person.skills.has(slot.skill)) return false;
  if (person.contract && (day < person.contract.start || day > person.contract.end)) return false;
  if (!(person.windows.get(isoWeekday(day)) ?? []).some((w) => w.fromMinute <= startMinute && startMinute + duration <= w.toMinute)) {
    return false;
  }
  const start = paris(day, startMinute).getTime();
  const end = start + duration * 60_000;
  if (person.absences.some((a) => a.start < end && start < a.end)) return false;
  const gap = (b: Booking) => travel(b.site, site) * 60_000;
  if ((person.bookings.get(day) ?? []).some((b) => start < b.end + gap(b) && b.start < end + gap(b))) return false;
  const week = day - (isoWeekday(day) - 1);
  return (person.weekMinutes.get(week) ?? 0) + duration <= limitMinutes;
}

function book(person: Person, slot: Slot) {
  const start = paris(slot.day, slot.startMinute).getTime();
  const bookings = person.bookings.get(slot.day) ?? [];
  bookings.push({ start, end: start + slot.duration * 60_000, site: slot.site });
  person.bookings.set(slot.day, bookings);
  const week = slot.day - (isoWeekday(slot.day) - 1);
  person.weekMinutes.set(week, (person.weekMinutes.get(week) ?? 0) + slot.duration);
}

const load = (person: Person, day: number) => (person.weekMinutes.get(day - (isoWeekday(day) - 1)) ?? 0) / person.targetMinutes;

/**
 * One encadrant and up to `team` workers free for the slot: skill, contract, weekly window,
 * absences, travel between sites, weekly hours (workers stay within their target when they can,
 * never above their maximum). The least loaded come first. Nothing is booked on failure.
 */
function staff(slot: Slot, supervisors: Person[], participants: Person[], requireFullTeam: boolean) {
  const supervisor = supervisors.filter((s) => (s.maxTeamSize ?? 0) >= slot.team && canWork(s, slot, s.maxMinutes)).sort((a, b) => load(a, slot.day) - load(b, slot.day))[0];
  if (!supervisor) return null;
  const withinTarget = participants.filter((w) => canWork(w, slot, w.targetMinutes));
  const chosen = withinTarget.sort((a, b) => load(a, slot.day) - load(b, slot.day)).slice(0, slot.team);
  if (chosen.length < slot.team) {
    const extra = participants.filter((w) => !chosen.includes(w) && canWork(w, slot, w.maxMinutes)).sort((a, b) => load(a, slot.day) - load(b, slot.day));
    chosen.push(...extra.slice(0, slot.team - chosen.length));
  }
  if (chosen.length === 0 || (requireFullTeam && chosen.length < slot.team)) return null;
  book(supervisor, slot);
  for (const w of chosen) book(w, slot);
  return { supervisorId: supervisor.id, participantIds: chosen.map((w) => w.id) };
}

// ---------------------------------------------------------------------------------------------
// The seed
// ---------------------------------------------------------------------------------------------

async function seed(db: Db, passwordHashing: Promise<string>) {
  // The association's bank account, printed and written (BT-84..86) on every e-invoice: a valid test IBAN (FR76, mod-97 key right).
  const bankAccount = { iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" };
  await db.serviceSetting.upsert({ where: { key: "sellerBankAccount" }, create: { key: "sellerBankAccount", value: bankAccount }, update: { value: bankAccount } });
  // How partners reach coordination (a number of the range ARCEP keeps for fiction, 01 99 00 xx xx).
  const serviceContact = { phone: "01 99 00 42 17", email: "coordination@conciergerie.example" };
  await db.serviceSetting.upsert({ where: { key: "serviceContact" }, create: { key: "serviceContact", value: serviceContact }, update: { value: serviceContact } });
  const skillIds = {} as Record<SkillCode, string>;
  for (const [code, label] of Object.entries(SKILLS) as [SkillCode, string][]) {
    skillIds[code] = (await createSkill(db, { code, label })).id;
  }

  const orgs = {} as Record<OrgKey, { id: string; kind: OrganisationKind; paymentTermsDays: number }>;
  for (const [key, data] of Object.entries(ORGANISATIONS) as [OrgKey, (typeof ORGANISATIONS)[OrgKey]][]) {
    orgs[key] = await createOrganisation(db, data);
  }
  const sites = {} as Record<SiteKey, string>;
  for (const [key, { org, ...data }] of Object.entries(SITES) as [SiteKey, (typeof SITES)[SiteKey]][]) {
    sites[key] = (await createSite(db, { ...data, organisationId: orgs[org].id })).id;
  }
  await db.siteTravel.createMany({
    data: TRAVEL.map(([a, b, minutes]) => {
      const [fromSiteId, toSiteId] = [sites[a], sites[b]].sort();
      return { fromSiteId, toSiteId, minutes };
    }),
  });

  const prestations = {} as Record<PrestationCode, { id: string; priceCents: number; vatRateBasisPoints: number; minNoticeDays: number; skill: SkillCode }>;
  for (const [code, { skill, ...data }] of Object.entries(PRESTATIONS) as [PrestationCode, (typeof PRESTATIONS)[PrestationCode]][]) {
    const row = await createPrestation(db, { ...data, code, skillId: skillIds[skill] });
    prestations[code] = { ...row, skill };
  }

  const users = {} as Record<UserKey, string>;
  const passwordHash = await passwordHashing;
  for (const [key, { org, ...data }] of Object.entries(USERS) as [UserKey, (typeof USERS)[UserKey]][]) {
    users[key] = (await createUser(db, { ...data, passwordHash, organisationId: orgs[org].id })).id;
  }

  // Encadrants: Monday to Friday, 08:00–17:00.
  const supervisors: Person[] = [];
  for (const [index, s] of SUPERVISORS.entries()) {
    const absences = SUPERVISOR_ABSENCES.filter(([i]) => i === index).map(([, first, last]) => ({
      startsAt: paris(MONDAY + first, 0),
      endsAt: paris(MONDAY + last + 1, 0),
    }));
    const availability: WindowInput[] = [1, 2, 3, 4, 5].map((isoDay) => ({ isoDay, fromMinute: FULL_DAY.from, toMinute: FULL_DAY.to }));
    const row = await createSupervisor(db, {
      firstName: s.firstName,
      lastName: s.lastName,
      maxTeamSize: s.maxTeamSize,
      userId: index === 0 ? users.encadrant : undefined,
      skillIds: s.skills.map((code) => skillIds[code]),
      availability,
      absences,
    });
    supervisors.push(person(row.id, s.skills, availability, absences, 2100, 2100, undefined, s.maxTeamSize));
  }

  // Salariés en insertion.
  const skillPool = (Object.entries(SKILL_WEIGHTS) as [SkillCode, number][]).flatMap(([code, weight]) => Array<SkillCode>(weight).fill(code));
  const participantPlans = PARTICIPANT_FIRST_NAMES.map((firstName, index) => {
    const skills = new Set<SkillCode>([skillPool[(index * 7) % skillPool.length]]);
    const wanted = pick([1, 2, 2, 2, 3, 3]);
    while (skills.size < wanted) skills.add(pick(skillPool));

    const endingSoon = index % 11 === 4; // five contracts end within the month
    const start = endingSoon ? TODAY - int(300, 334) : TODAY - int(7, 334);
    const fullEnd = addMonths(start, 12) - 1;
    const end = endingSoon ? Math.min(fullEnd, TODAY + int(6, 28)) : fullEnd;
    const months = (TODAY - start) / 30.4;
    const target = Math.min(960, Math.max(180, Math.round((180 + months * 70 + int(-60, 60)) / 15) * 15));
    const max = index % 6 === 5 ? Math.max(target, pick([600, 720, 840])) : 960;

    const dayCount = int(2, 5);
    const days = shuffle([1, 2, 3, 4, 5])
      .slice(0, dayCount)
      .sort((a, b) => a - b);
    // People who serve lunch keep the middle of the day free; kitchen help starts early.
    const kinds: WindowKind[] = skills.has("service-salle") ? ["full", "midday", "midday"] : skills.has("cuisine") ? ["full", "morning"] : ["full", "full", "full", "morning", "afternoon"];
    const base = pick(kinds);
    const availability: WindowInput[] = days.map((isoDay) => ({
      isoDay,
      ...WINDOWS[chance(0.25) ? pick(kinds) : base],
    }));
    const absences =
      index % 9 === 2
        ? [
            (() => {
              const first = MONDAY + int(-20, 18);
              return { startsAt: paris(first, 0), endsAt: paris(first + int(1, 5), 0) };
            })(),
          ]
        : [];
    return {
      firstName,
      lastInitial: String.fromCharCode(65 + int(0, 25)),
      contractStart: dateOnly(start),
      contractEnd: dateOnly(end),
      weeklyTargetMinutes: target,
      weeklyMaxMinutes: max,
      skills: [...skills],
      availability,
      absences,
      contract: { start, end },
    };
  });
  // The bulk of the rows goes in with createMany (a handful of statements instead of hundreds);
  // the factories above cover the reference data and the tests.
  const participants: Person[] = [];
  const rows = {
    participant: [] as Prisma.ParticipantCreateManyInput[],
    skill: [] as Prisma.ParticipantSkillCreateManyInput[],
    availability: [] as Prisma.AvailabilityCreateManyInput[],
    absence: [] as Prisma.AbsenceCreateManyInput[],
  };
  for (const { skills, contract, availability, absences, ...participant } of participantPlans) {
    const id = newId();
    rows.participant.push({ id, ...participant });
    rows.skill.push(...skills.map((code) => ({ participantId: id, skillId: skillIds[code] })));
    rows.availability.push(...availability.map((w) => ({ participantId: id, ...w })));
    rows.absence.push(...absences.map((a) => ({ participantId: id, ...a })));
    participants.push(person(id, skills, availability, absences, participant.weeklyTargetMinutes, participant.weeklyMaxMinutes, contract));
  }
  await db.participant.createMany({ data: rows.participant });
  await db.participantSkill.createMany({ data: rows.skill });
  await db.availability.createMany({ data: rows.availability });
  await db.absence.createMany({ data: rows.absence });

  // Requests, planned in memory, then staffed, then written.
  type State = "recurring" | "done" | "cancelled" | "submitted" | "accepted" | "scheduled" | "declined";
  type Occurrence = { day: number; startMinute: number; latestStartMinute?: number };
  type Planned = {
    site: SiteKey;
    prestation: PrestationCode;
    recurrence: Recurrence;
    duration: number;
    team: number;
    /** Days between the request and its first occurrence, beyond the prestation's notice. */
    lead: number;
    notes?: string;
    occurrences: Occurrence[];
    state: State;
    /** Another day and time for a one-off, as the coordinator would propose when no team is free. */
    redraw?: () => Occurrence;
  };
  const planned: Planned[] = [];

  for (const r of RECURRING) {
    const step = r.recurrence === Recurrence.BIWEEKLY ? 14 : 7;
    const occurrences: Occurrence[] = [];
    const firstWeek = HISTORY_EXTENDED && r.fromWeek === -4 ? WINDOW_START : MONDAY + r.fromWeek * 7;
    for (let day = firstWeek + r.isoDay - 1; day <= MONDAY + r.toWeek * 7 + 6; day += step) {
      if (!isHoliday(day)) occurrences.push({ day, startMinute: clock(r.start) });
    }
    planned.push({
      site: r.site,
      prestation: r.prestation,
      recurrence: r.recurrence ?? Recurrence.WEEKLY,
      duration: r.duration,
      team: r.team,
      lead: int(3, 10),
      notes: r.notes,
      occurrences,
      state: "recurring",
    });
  }

  const weekday = (from: number, to: number) => {
    for (let tries = 0; tries < 50; tries++) {
      const day = int(from, to);
      if (isoWeekday(day) <= 5 && !isHoliday(day)) return day;
    }
    throw new Error("Aucun jour ouvré dans l'intervalle.");
  };
  const oneOffStates: State[] = [
    ...Array<State>(20).fill("done"),
    "cancelled",
    "cancelled",
    ...Array<State>(8).fill("scheduled"),
    ...Array<State>(5).fill("accepted"),
    ...Array<State>(6).fill("submitted"),
  ];
  const pool = shuffle(ONE_OFFS);
  for (const [index, state] of oneOffStates.entries()) {
    const { site, prestation, notes } = pool[index % pool.length];
    const p = PRESTATIONS[prestation];
    const duration = Math.max(60, p.defaultDurationMinutes + pick([-60, 0, 0, 0, 60]));
    const team = Math.max(1, Math.min(5, p.defaultTeamSize + pick([-1, 0, 0, 1])));
    const starts = prestation === "service-salle" ? ["11:30"] : START_TIMES.filter((t) => clock(t) + duration <= FULL_DAY.to);
    const upcoming = state !== "done" && state !== "cancelled";
    const flexible = (state === "submitted" || state === "accepted") && chance(0.4);
    const redraw = (): Occurrence => {
      const startMinute = clock(pick(starts));
      const day = upcoming ? weekday(Math.max(TODAY + 1, TODAY + p.minNoticeDays), WINDOW_END - 2) : weekday(WINDOW_START, TODAY - 1);
      const latest = flexible && startMinute + 60 + duration <= FULL_DAY.to ? startMinute + 60 : undefined;
      return { day, startMinute, latestStartMinute: latest };
    };
    planned.push({
      site,
      prestation,
      recurrence: Recurrence.NONE,
      duration,
      team,
      lead: int(1, 6),
      notes,
      occurrences: [redraw()],
      state,
      redraw,
    });
  }
  // A request for a Saturday: the teams do not work at weekends.
  planned.push({
    site: "recho",
    prestation: "service-salle",
    recurrence: Recurrence.NONE,
    duration: 240,
    team: 4,
    lead: 0,
    notes: "Repas de quartier du samedi midi, environ 80 couverts.",
    occurrences: [{ day: MONDAY + 12, startMinute: clock("11:00") }],
    state: "declined",
  });

  // Statuses and staffing: the recurring occurrences in time order, then the one-offs, each
  // moved to another day or time (up to a dozen tries) when nobody is free.
  type Outcome = Omit<Prisma.InterventionCreateManyInput, "requestId" | "organisationId" | "siteId" | "endsAt"> & {
    participantIds?: string[];
  };
  const outcomes = new Map<Planned, Outcome[]>(planned.map((p) => [p, []]));
  const pastStatus = (p: Planned, day: number) => {
    const org = orgs[SITES[p.site].org];
    if (org.kind === OrganisationKind.INTERNAL) return InterventionStatus.DONE; // internal statements
    const age = TODAY - day;
    if (age > 21) return org.paymentTermsDays > 30 ? InterventionStatus.INVOICED : InterventionStatus.PAID;
    if (age > 9) return InterventionStatus.INVOICED;
    return InterventionStatus.DONE;
  };
  let cancelIndex = 0;
  const cancelReason = (p: Planned) => {
    const outdoor = ["entretien-espaces-verts", "nettoyage-passerelles"].includes(p.prestation);
    const reasons = outdoor ? CANCEL_REASONS : CANCEL_REASONS.filter((r) => !r.includes("météo"));
    return reasons[cancelIndex++ % reasons.length];
  };
  const slotOf = (p: Planned, o: Occurrence): Slot => ({
    day: o.day,
    startMinute: o.startMinute,
    duration: p.duration,
    site: p.site,
    skill: PRESTATIONS[p.prestation].skill,
    team: p.team,
  });
  const record = (p: Planned, o: Occurrence, fields: Partial<Outcome>) => {
    outcomes.get(p)!.push({
      startsAt: paris(o.day, o.startMinute),
      latestStartAt: o.latestStartMinute === undefined ? null : paris(o.day, o.latestStartMinute),
      durationMinutes: p.duration,
      participantsNeeded: p.team,
      ...fields,
    });
  };
  const cancelled = (_p: Planned, o: Occurrence, reason: string): Partial<Outcome> => ({
    status: InterventionStatus.CANCELLED,
    cancelReason: reason,
    cancelledAt: paris(o.day - 1, clock("17:30")),
  });

  const recurring = planned
    .filter((p) => p.state === "recurring")
    .flatMap((p) => p.occurrences.map((o, i) => ({ p, o, i })))
    .sort((a, b) => a.o.day - b.o.day || a.o.startMinute - b.o.startMinute);
  for (const { p, o, i } of recurring) {
    if (o.day < TODAY) {
      const team = i % 5 === 3 && chance(0.3) ? null : staff(slotOf(p, o), supervisors, participants, false);
      record(p, o, team ? { ...team, status: pastStatus(p, o.day) } : cancelled(p, o, cancelReason(p)));
    } else {
      // Planned up to two weeks ahead; the third week waits for the scheduler.
      const team = o.day - MONDAY < 21 ? staff(slotOf(p, o), supervisors, participants, true) : null;
      record(p, o, team ? { ...team, status: InterventionStatus.SCHEDULED } : { status: InterventionStatus.ACCEPTED });
    }
  }
  for (const p of planned.filter((p) => p.state !== "recurring")) {
    let o = p.occurrences[0];
    if (p.state === "done" || p.state === "scheduled") {
      let team: ReturnType<typeof staff> = null;
      for (let attempt = 0; attempt < 12 && !team; attempt++) {
        if (attempt > 0) o = p.redraw!();
        team = staff(slotOf(p, o), supervisors, participants, p.state === "scheduled" || attempt < 8);
      }
      p.occurrences = [o];
      if (p.state === "done") {
        record(p, o, team ? { ...team, status: pastStatus(p, o.day) } : cancelled(p, o, "Annulée : pas d'équipe disponible ce jour-là."));
      } else {
        record(p, o, team ? { ...team, status: InterventionStatus.SCHEDULED } : { status: InterventionStatus.ACCEPTED });
      }
    } else {
      const fixed: Partial<Record<State, InterventionStatus>> = {
        cancelled: InterventionStatus.CANCELLED,
        submitted: InterventionStatus.SUBMITTED,
        accepted: InterventionStatus.ACCEPTED,
        declined: InterventionStatus.DECLINED,
      };
      const status = fixed[p.state]!;
      record(p, o, status === InterventionStatus.CANCELLED ? cancelled(p, o, cancelReason(p)) : { status });
    }
  }
  const createdDayOf = (p: Planned) => {
    const first = p.occurrences[0].day;
    const notice = PRESTATIONS[p.prestation].minNoticeDays;
    if (first < TODAY) return first - notice - p.lead;
    return Math.min(first - notice - (p.state === "recurring" ? p.lead : 0), TODAY - 1 - (p.lead % 4));
  };

  // References in order of creation: DEM-<year>-00001, ...
  const byCreation = planned.map((p) => ({ p, createdDay: createdDayOf(p) })).sort((a, b) => a.createdDay - b.createdDay || a.p.occurrences[0].day - b.p.occurrences[0].day);
  const perYear = new Map<number, number>();
  const partnerUsers: Partial<Record<OrgKey, UserKey[]>> = { sncf: ["sncfAdmin", "sncfAgent"], mjc: ["mjc"], recho: ["recho"] };
  let purchaseOrder = 4500012340;
  const requestRows: Prisma.ServiceRequestCreateManyInput[] = [];
  const interventionRows: Prisma.InterventionCreateManyInput[] = [];
  const assignmentRows: Prisma.AssignmentCreateManyInput[] = [];
  for (const { p, createdDay } of byCreation) {
    const org = SITES[p.site].org;
    const prestation = prestations[p.prestation];
    const createdAt = paris(createdDay, clock("09:00") + int(0, 120));
    const year = new Date(createdDay * DAY_MS).getUTCFullYear();
    const seq = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, seq);
    const decidedAt = new Date(createdAt.getTime() + int(2, 6) * 3_600_000);
    const last = p.occurrences[p.occurrences.length - 1].day;
    const authors = partnerUsers[org];
    const requestId = newId();
    for (const { participantIds = [], ...intervention } of outcomes.get(p)!) {
      const interventionId = newId();
      const startsAt = new Date(intervention.startsAt);
      const endsAt = addMinutes(startsAt, intervention.durationMinutes);
      interventionRows.push({
        ...intervention,
        endsAt,
        id: interventionId,
        requestId,
        organisationId: orgs[org].id,
        siteId: sites[p.site],
        createdAt,
        // Staffed is confirmed (as the scheduler does): the notice period then protects it.
        confirmedAt: participantIds.length > 0 ? decidedAt : null,
      });
      assignmentRows.push(...participantIds.map((participantId) => ({ interventionId, participantId, startsAt, endsAt, createdAt: decidedAt })));
    }
    requestRows.push({
      id: requestId,
      reference: `DEM-${year}-${String(seq).padStart(5, "0")}`,
      organisationId: orgs[org].id,
      siteId: sites[p.site],
      prestationId: prestation.id,
      createdById: users[authors ? pick(authors) : "coordination"], // Aurore's sites order through coordination
      durationMinutes: p.duration,
      teamSize: p.team,
      recurrence: p.recurrence,
      recurrenceUntil: p.recurrence === Recurrence.NONE ? null : dateOnly(last),
      purchaseOrderNumber: ORGANISATIONS[org].requiresPurchaseOrder ? String(purchaseOrder++) : null,
      accessInstructions: ACCESS_INSTRUCTIONS[p.site] ?? null,
      notes: p.notes ?? null,
      unitPriceCents: prestation.priceCents,
      vatRateBasisPoints: prestation.vatRateBasisPoints,
      acceptedAt: p.state === "submitted" || p.state === "declined" ? null : decidedAt,
      declinedAt: p.state === "declined" ? decidedAt : null,
      declineReason: p.state === "declined" ? "Nos équipes ne travaillent pas le samedi. Pouvez-vous nous proposer un jour de semaine ? Nous pouvons venir le vendredi midi." : null,
      createdAt,
    });
  }
  await db.serviceRequest.createMany({ data: requestRows });
  await db.intervention.createMany({ data: interventionRows });
  await db.assignment.createMany({ data: assignmentRows });
  // Hours recorded for past work and the invoices of past months (invoicing screens).
  await seedInvoicing(db, new Date(TODAY * DAY_MS + 12 * 3_600_000));
}

let idCounter = 0;
/** A cuid-like id for rows written with createMany that other rows must point to. */
function newId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const count = (idCounter++ % 36 ** 4).toString(36).padStart(4, "0");
  const noise = BigInt(`0x${randomBytes(8).toString("hex")}`)
    .toString(36)
    .padStart(13, "0")
    .slice(0, 11);
  return `c${time}${count}${noise}`;
}

function person(
  id: string,
  skills: SkillCode[],
  availability: WindowInput[],
  absences: { startsAt: Date; endsAt: Date }[],
  targetMinutes: number,
  maxMinutes: number,
  contract?: { start: number; end: number },
  maxTeamSize?: number,
): Person {
  const windows = new Map<number, { fromMinute: number; toMinute: number }[]>();
  for (const w of availability) windows.set(w.isoDay, [...(windows.get(w.isoDay) ?? []), w]);
  return {
    id,
    skills: new Set(skills),
    windows,
    absences: absences.map((a) => ({ start: a.startsAt.getTime(), end: a.endsAt.getTime() })),
    contract,
    targetMinutes,
    maxMinutes,
    maxTeamSize,
    bookings: new Map(),
    weekMinutes: new Map(),
  };
}

function printLogins() {
  const rows = Object.values(USERS).map((u) => [u.email, ROLE_LABELS[u.role], ORGANISATIONS[u.org].name!]);
  const header = ["Identifiant", "Rôle", "Organisation"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log("\nComptes de démonstration :\n");
  console.log(line(header).trimEnd());
  console.log(widths.map((w) => "─".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r).trimEnd());
  console.log(`\nMot de passe (tous les comptes) : ${DEMO_PASSWORD}\n`);
}

async function main() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL n'est pas défini.");
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
  const started = performance.now();
  try {
    if (await prisma.organisation.findUnique({ where: { slug: CONCIERGERIE_SLUG } })) {
      console.log("Données de démonstration déjà présentes : rien à faire (npm run db:reset pour repartir de zéro).");
    } else {
      // Hashed once, for every demo login (argon2 is slow on purpose), while the first rows go in.
      const passwordHashing = hash(DEMO_PASSWORD);
      await prisma.$transaction((tx) => seed(tx, passwordHashing), { timeout: 120_000, maxWait: 10_000 });
      const [requests, interventions, scheduled, assignments, participants] = await Promise.all([
        prisma.serviceRequest.count(),
        prisma.intervention.count(),
        prisma.intervention.count({ where: { status: InterventionStatus.SCHEDULED } }),
        prisma.assignment.count(),
        prisma.participant.count(),
      ]);
      const monday = new Date(MONDAY * DAY_MS).toISOString().slice(0, 10);
      console.log(
        `Données de démonstration créées en ${((performance.now() - started) / 1000).toFixed(1)} s ` +
          `(semaine du ${monday}) : ${participants} salariés, ${requests} demandes, ${interventions} interventions ` +
          `dont ${scheduled} planifiées, ${assignments} affectations.`,
      );
    }
    printLogins();
  } finally {
    await prisma.$disconnect();
  }
}

await main();
