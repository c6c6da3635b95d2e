import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { HttpClient } from "../support/http-client.ts";
import { pageText, remixContextJson, shownErrors } from "../support/page-messages.ts";
import { DEMO_ACCOUNTS as ACCOUNTS, type DemoAccount as Who } from "../support/demo-accounts.ts";

// Every form action of the app, sent malformed input over HTTP by a person
// allowed to use it: an empty body, every field missing, wrong types, an
// impossible date, 10,000 characters, HTML, an unknown intent, another
// organisation's ids in hidden fields, no CSRF token. Each gets a 4xx with a
// French message and leaves the database as it was. The page itself is
// rendered for the empty body, HTML, an unknown intent, no token and the
// hostile ids; the other cases ask for the action's answer only (as the
// browser's script does), which keeps the file fast.

type Ids = Record<
  | "sncfOrg"
  | "mjcOrg"
  | "sncfSite"
  | "mjcSite"
  | "sncfRequest"
  | "sncfIntervention"
  | "mjcRequest"
  | "mjcIntervention"
  | "mjcUser"
  | "sncfMember"
  | "prestation"
  | "skill"
  | "participant"
  | "participantAbsence"
  | "otherParticipantAbsence"
  | "supervisor"
  | "myIntervention"
  | "teamParticipant"
  | "strangerParticipant"
  | "otherEncadrantIntervention"
  | "invoice"
  | "dispute"
  | "today"
  | "orderDate"
  | "sncfInvitation"
  | "mjcInvitation",
  string
>;

/** One form of a page: its fields with plausible values; `text` takes any words, `loose` any value at all (checkboxes, opaque keys). */
type Form = { fields: Record<string, string>; text?: string[]; loose?: string[]; allOptional?: true };
/** `visible`: a stale page can send it too (another person acted meanwhile), so the message must be on the page. */
type Hostile = { label: string; body: Record<string, string>; path?: string; visible?: true };
type ActionRoute = {
  who: Who;
  path: (ids: Ids) => string;
  /** By intent ("" for a form without one). */
  forms: (ids: Ids) => Record<string, Form>;
  /** Tables whose content the action writes: hashed before and after each case. */
  tables: string[];
  hostile?: (ids: Ids) => Hostile[];
  /** Not a form (signed machine calls): only its own cases. */
  custom?: true;
  /** The empty body is a valid request (sign-out). */
  noEmptyBody?: true;
};

const HTML = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
const LONG = "x".repeat(10_000);
// "constructor" and "toString" are found on any object: a lookup by intent must not take them for a form.
const UNKNOWN_INTENTS = ["nope", "constructor", "toString"];
const MISSING = "does-not-exist-0123456789";

const partner = (_ids: Ids, name: string): Form => ({
  fields: {
    name,
    kind: "PARTNER",
    siret: "",
    vatNumber: "",
    billingEmail: "factures@robustesse.example",
    billingAddress: "1 rue de Test, 75012 Paris",
    paymentTermsDays: "30",
    requiresValidation: "",
    requiresPurchaseOrder: "",
  },
  text: ["name", "billingAddress"],
  loose: ["requiresValidation", "requiresPurchaseOrder"],
});
const site: Form = {
  fields: { name: "Site de test", address: "1 rue de Test", postalCode: "75012", city: "Paris", accessNotes: "Badge à l'accueil" },
  text: ["name", "address", "city", "accessNotes"],
};
const prestation = (ids: Ids): Form => ({
  fields: {
    category: "Nettoyage",
    name: "Prestation de robustesse",
    description: "Une description de plus de dix caractères.",
    skillId: ids.skill,
    pricingUnit: "PER_PARTICIPANT_HOUR",
    minNoticeDays: "3",
    defaultDurationMinutes: "120",
    defaultTeamSize: "2",
    active: "on",
    vatMode: "rate",
    vatRate: "20",
    vatExemptionMention: "",
  },
  text: ["category", "name", "description", "vatExemptionMention"],
  loose: ["active"],
});
const password: Form = { fields: { password: "un-mot-de-passe-assez-long", confirm: "un-mot-de-passe-assez-long" } };

const ROUTES: Record<string, ActionRoute> = {
  "account.tsx": {
    who: "sncfAdmin",
    path: () => "/account",
    forms: () => ({ notifications: { fields: { wanted: "request.received" }, allOptional: true }, "calendar-create": { fields: {} }, "calendar-revoke": { fields: {} } }),
    tables: ["User"],
  },
  "admin._index.tsx": {
    who: "admin",
    path: () => "/admin",
    forms: () => ({ retry: { fields: { queue: "mail", jobId: MISSING } } }),
    tables: [],
  },
  "admin.catalogue.$id.tsx": {
    who: "admin",
    path: (ids) => `/admin/catalogue/${ids.prestation}`,
    forms: (ids) => ({
      update: prestation(ids),
      price: { fields: { price: "12,50", validFrom: addDays(ids.today, 30), organisationId: "" } },
    }),
    tables: ["Prestation", "PrestationPrice"],
    hostile: (ids): Hostile[] => [
      { label: "a price for an organisation that does not exist", body: { intent: "price", price: "12,50", validFrom: addDays(ids.today, 30), organisationId: MISSING } },
      { label: "a prestation that does not exist", path: `/admin/catalogue/${MISSING}`, body: { intent: "update", ...prestation(ids).fields } },
    ],
  },
  "admin.catalogue._index.tsx": {
    who: "admin",
    path: () => "/admin/catalogue",
    forms: (ids) => ({ "": { ...prestation(ids), fields: { ...prestation(ids).fields, price: "24,50" } } }),
    tables: ["Prestation", "PrestationPrice"],
  },
  "admin.partners.$id.tsx": {
    who: "admin",
    path: (ids) => `/admin/partners/${ids.sncfOrg}`,
    forms: (ids) => ({
      update: partner(ids, "SNCF Gares & Connexions"),
      archive: { fields: {} },
      restore: { fields: {} },
      "site-create": site,
      "site-update": { ...site, fields: { siteId: ids.sncfSite, ...site.fields } },
      "site-archive": { fields: { siteId: ids.sncfSite } },
      "site-restore": { fields: { siteId: ids.sncfSite } },
      invite: { fields: { name: "Nouvelle Personne", email: "nouvelle@sncf.example", role: "PARTNER_MEMBER" }, text: ["name"] },
      role: { fields: { userId: ids.sncfMember, role: "PARTNER_ADMIN" } },
      deactivate: { fields: { userId: ids.sncfMember } },
      "cancel-invitation": { fields: { invitationId: ids.sncfInvitation } },
      "resend-invitation": { fields: { invitationId: ids.sncfInvitation } },
    }),
    tables: ["Organisation", "Site", "User", "Invitation", "Membership"],
    hostile: (ids): Hostile[] => [
      { label: "another partner's site, renamed", body: { intent: "site-update", siteId: ids.mjcSite, ...site.fields } },
      { label: "another partner's site, archived", body: { intent: "site-archive", siteId: ids.mjcSite } },
      { label: "another partner's user, promoted", body: { intent: "role", userId: ids.mjcUser, role: "PARTNER_MEMBER" } },
      { label: "another partner's user, deactivated", body: { intent: "deactivate", userId: ids.mjcUser } },
      // The staff admin reaches every organisation's invitations: this page refuses those not of its partner, and says so on the page.
      { label: "another partner's invitation, cancelled", body: { intent: "cancel-invitation", invitationId: ids.mjcInvitation }, visible: true },
      { label: "another partner's invitation, re-sent", body: { intent: "resend-invitation", invitationId: ids.mjcInvitation }, visible: true },
      { label: "a staff role for a partner's person", body: { intent: "invite", name: "Intrus", email: "intrus@sncf.example", role: "ADMIN" } },
      { label: "an organisation that does not exist", path: `/admin/partners/${MISSING}`, body: { intent: "site-create", ...site.fields } },
    ],
  },
  "admin.partners._index.tsx": {
    who: "admin",
    path: () => "/admin/partners",
    forms: (ids) => ({ "": partner(ids, "Partenaire de robustesse") }),
    tables: ["Organisation"],
  },
  "admin.rules.tsx": {
    who: "coordinator",
    path: () => "/admin/rules",
    forms: (ids) => ({
      // Any word is a code ("abc" creates one): its malformed shapes are the hostile cases.
      skill: { fields: { code: "robustesse", label: "Robustesse" }, text: ["label"], loose: ["code"] },
      supervisorLimit: { fields: { supervisorId: ids.supervisor, maxTeamSize: "5" } },
      openingHours: { fields: { from: "08:00", to: "18:00", day1: "on" }, loose: ["day1"] },
      cancellationDeadlineHours: { fields: { value: "48" } },
      lateCancellationFeePercent: { fields: { value: "50" } },
      closureDays: { fields: { value: "2026-12-24" }, allOptional: true },
      weeklyOptimisation: { fields: { day: "5", time: "14:00" } },
      defaultMaxTeamSize: { fields: { value: "6" } },
      scheduleChangeNoticeDays: { fields: { value: "7" } },
      recurrenceHorizonWeeks: { fields: { value: "8" } },
      disputeWindowDays: { fields: { value: "7" } },
      retentionMonths: { fields: { value: "24" } },
      einvoiceRetentionYears: { fields: { value: "10" } },
      vatOnReceipts: { fields: { value: "on" }, allOptional: true },
      teamSize: { fields: { min: "1", max: "6" } },
    }),
    tables: ["ServiceSetting", "Skill", "Supervisor"],
    hostile: (ids): Hostile[] => [
      { label: "a skill code with spaces and accents", body: { intent: "skill", code: "Espaces Verts é", label: "Robustesse" } },
      { label: "a limit for an encadrant that does not exist", body: { intent: "supervisorLimit", supervisorId: MISSING, maxTeamSize: "5" } },
      { label: "a limit of 21 people", body: { intent: "supervisorLimit", supervisorId: ids.supervisor, maxTeamSize: "21" } },
    ],
  },
  "admin.workers._index.tsx": {
    who: "admin",
    path: () => "/admin/workers",
    forms: (ids) => ({ erase: { fields: { participantId: ids.participant, confirm: "on" } } }),
    tables: ["Participant"],
  },
  "finance._index.tsx": {
    who: "finance",
    path: () => "/finance",
    forms: () => ({ prepare: { fields: { month: "2026-10", organisationId: "", runKey: "robustness-run-key" }, loose: ["runKey"] } }),
    tables: ["Invoice", "InvoiceLine"],
    hostile: (): Hostile[] => [
      { label: "an organisation that does not exist", body: { intent: "prepare", month: "2026-10", organisationId: MISSING, runKey: "robustness-run-key-2" } },
      { label: "a run key too short", body: { intent: "prepare", month: "2026-10", organisationId: "", runKey: "x" } },
    ],
  },
  "finance.disputes.tsx": {
    who: "finance",
    path: () => "/finance/disputes",
    forms: (ids) => ({ settle: { fields: { disputeId: ids.dispute, outcome: "CORRECT", correctedHours: "5,5", answer: "Nous corrigeons les heures." }, text: ["answer"] } }),
    tables: ["Dispute", "BillingClaim"],
    hostile: (): Hostile[] => [{ label: "a dispute that does not exist", body: { intent: "settle", disputeId: MISSING, outcome: "KEEP", answer: "Nous gardons les heures." } }],
  },
  "finance.documents.tsx": {
    who: "finance",
    path: () => "/finance/documents",
    forms: () => ({ "": { fields: { month: "2026-10", runKey: "robustness-doc-key" }, loose: ["runKey"] } }),
    tables: ["InvoiceDocument"],
    hostile: (): Hostile[] => [{ label: "a run key too short", body: { month: "2026-10", runKey: "x" } }],
  },
  "finance.invoices.$id.tsx": {
    who: "finance",
    path: (ids) => `/finance/invoices/${ids.invoice}`,
    forms: (ids) => ({
      "credit-note": { fields: { amount: "1,00", reason: "Geste commercial" }, text: ["reason"] },
      void: { fields: { reason: "Doublon de facturation", confirm: "on" }, text: ["reason"] },
      uncollectible: { fields: {} },
      transfer: { fields: { amount: "1,00", reference: "VIR-ROBUSTESSE", receivedAt: ids.today }, text: ["reference"] },
    }),
    tables: ["Invoice", "CreditNote", "Payment"],
    hostile: (ids): Hostile[] => [
      { label: "an invoice that does not exist", path: `/finance/invoices/${MISSING}`, body: { intent: "transfer", amount: "1,00", reference: "VIR", receivedAt: ids.today } },
    ],
  },
  "forgot-password.tsx": {
    who: "anonymous",
    path: () => "/forgot-password",
    forms: () => ({ "": { fields: { email: "agent@sncf.example" } } }),
    tables: ["PasswordReset", "Mail"],
  },
  "invitations.$token.tsx": {
    who: "anonymous",
    path: () => "/invitations/not-a-real-token",
    forms: () => ({ "": password }),
    tables: ["User", "Invitation"],
  },
  "login.tsx": {
    who: "anonymous",
    path: () => "/login",
    // An address without an account: wrong passwords must not lock a demo account for the other tests.
    forms: () => ({ "": { fields: { email: "personne@robustesse.example", password: "pas-le-bon", redirectTo: "/" }, loose: ["password", "redirectTo"] } }),
    tables: ["Session"],
  },
  "logout.tsx": {
    who: "sncfAdmin",
    path: () => "/logout",
    forms: () => ({ "": { fields: {} } }),
    tables: [],
    noEmptyBody: true,
  },
  "my-day.tsx": {
    who: "encadrant",
    path: () => "/my-day",
    forms: () => ({ calendar: { fields: {} } }),
    tables: ["Supervisor"],
  },
  "my-day_.$id.tsx": {
    who: "encadrant",
    path: (ids) => `/my-day/${ids.myIntervention}`,
    forms: (ids) => ({
      "check-in": { fields: { participantId: ids.teamParticipant } },
      "check-out": { fields: { participantId: ids.teamParticipant } },
      absent: { fields: { participantId: ids.teamParticipant } },
      correct: { fields: { participantId: ids.teamParticipant, minutes: "60", reason: "Départ oublié" }, text: ["reason"] },
      report: { fields: { text: "Tout s'est bien passé.", incidents: "" }, text: ["text", "incidents"] },
      agree: { fields: { participantId: ids.teamParticipant } },
      "withdraw-agreement": { fields: { participantId: ids.teamParticipant } },
    }),
    tables: ["TimeEntry", "InterventionReport", "Intervention", "ScheduleChangeAgreement"],
    hostile: (ids): Hostile[] => [
      { label: "a person outside the team, checked in", body: { intent: "check-in", participantId: ids.strangerParticipant } },
      { label: "a person outside the team, minutes", body: { intent: "correct", participantId: ids.strangerParticipant, minutes: "60", reason: "Départ oublié" } },
      { label: "a person outside the team, agreeing", body: { intent: "agree", participantId: ids.strangerParticipant } },
      { label: "another encadrant's intervention", path: `/my-day/${ids.otherEncadrantIntervention}`, body: { intent: "check-in", participantId: ids.teamParticipant } },
    ],
  },
  "people.tsx": {
    who: "coordinator",
    path: () => "/people",
    forms: (ids) => ({
      "supervisor-absence": { fields: { supervisorId: ids.supervisor, firstDay: addDays(ids.today, 60), lastDay: addDays(ids.today, 61) } },
      "remove-supervisor-absence": { fields: { absenceId: MISSING } },
    }),
    tables: ["Absence", "Intervention"],
    hostile: (ids): Hostile[] => [
      { label: "a person in insertion's absence, removed as an encadrant's", body: { intent: "remove-supervisor-absence", absenceId: ids.participantAbsence }, visible: true },
      { label: "an encadrant that does not exist", body: { intent: "supervisor-absence", supervisorId: MISSING, firstDay: addDays(ids.today, 60), lastDay: addDays(ids.today, 61) } },
    ],
  },
  "people_.$id.tsx": {
    who: "coordinator",
    path: (ids) => `/people/${ids.participant}`,
    forms: (ids) => ({
      update: { fields: { weeklyTargetHours: "6", from1: "09:00", to1: "12:00", skill: ids.skill }, loose: ["skill"] },
      absence: { fields: { firstDay: addDays(ids.today, 60), lastDay: addDays(ids.today, 61) } },
      "remove-absence": { fields: { absenceId: MISSING } },
    }),
    tables: ["Participant", "Absence", "Availability", "ParticipantSkill"],
    hostile: (ids): Hostile[] => [
      { label: "another person's absence, removed", body: { intent: "remove-absence", absenceId: ids.otherParticipantAbsence }, visible: true },
      { label: "a person that does not exist", path: `/people/${MISSING}`, body: { intent: "absence", firstDay: addDays(ids.today, 60), lastDay: addDays(ids.today, 61) } },
    ],
  },
  "people_.encadrants.new.tsx": {
    who: "coordinator",
    path: () => "/people/encadrants/new",
    forms: () => ({ "": { fields: { firstName: "Robuste", lastName: "Test", maxTeamSize: "5", weeklyMaxHours: "35", userId: "" }, text: ["firstName", "lastName"] } }),
    tables: ["Supervisor"],
    hostile: (ids): Hostile[] => [
      { label: "a partner's account as the encadrant's", body: { firstName: "Robuste", lastName: "Test", maxTeamSize: "5", weeklyMaxHours: "35", userId: ids.mjcUser } },
      { label: "an account that does not exist", body: { firstName: "Robuste", lastName: "Test", maxTeamSize: "5", weeklyMaxHours: "35", userId: MISSING } },
    ],
  },
  "people_.new.tsx": {
    who: "coordinator",
    path: () => "/people/new",
    forms: (ids) => ({
      "": {
        fields: {
          firstName: "Robuste",
          lastInitial: "T",
          contractStart: ids.today,
          contractEnd: addDays(ids.today, 90),
          weeklyTargetHours: "6",
          weeklyMaxHours: "12",
          referentSupervisorId: ids.supervisor,
          skill: ids.skill,
        },
        text: ["firstName"],
        loose: ["skill"],
      },
    }),
    tables: ["Participant", "ParticipantSkill"],
    hostile: (ids): Hostile[] => [
      {
        label: "a referent that does not exist",
        body: { firstName: "Robuste", lastInitial: "T", contractStart: ids.today, contractEnd: addDays(ids.today, 90), weeklyTargetHours: "6", weeklyMaxHours: "12", referentSupervisorId: MISSING },
      },
    ],
  },
  "planning.tsx": {
    who: "coordinator",
    path: () => "/planning",
    forms: (ids) => ({ optimise: { fields: { week: addDays(ids.today, 14) } } }),
    tables: ["PlanningRun"],
  },
  "planning_.interventions.$id.tsx": {
    who: "coordinator",
    path: (ids) => `/planning/interventions/${ids.sncfIntervention}`,
    forms: (ids) => ({
      save: { fields: { supervisorId: ids.supervisor, supervisorPinned: "on", force: "on", reason: "Une raison assez longue." }, text: ["reason"] },
      // Only checks the team against the rules, writes nothing; a wrong field is still refused.
      check: { fields: { supervisorId: ids.supervisor, supervisorPinned: "on" } },
      agree: { fields: { participantId: ids.teamParticipant } },
      "withdraw-agreement": { fields: { participantId: ids.teamParticipant } },
    }),
    tables: ["Intervention", "Assignment", "ScheduleChangeAgreement"],
    hostile: (ids): Hostile[] => [
      { label: "an encadrant that does not exist", body: { intent: "save", supervisorId: MISSING } },
      { label: "a person that does not exist in the team", body: { intent: "save", supervisorId: ids.supervisor, [`participant:${MISSING}`]: "on" } },
      { label: "an intervention that does not exist", path: `/planning/interventions/${MISSING}`, body: { intent: "save", supervisorId: ids.supervisor } },
    ],
  },
  "requests.$id.tsx": {
    who: "sncfAdmin",
    path: (ids) => `/requests/${ids.sncfRequest}`,
    forms: () => ({
      "accept-quote": { fields: {} },
      validate: { fields: {} },
      decline: { fields: { reason: "Plus besoin." }, text: ["reason"] },
      "stop-series": { fields: { stopReason: "Plus besoin." }, text: ["stopReason"] },
      "series-time": { fields: { startTime: "09:00" } },
      message: { fields: { body: "Bonjour" }, text: ["body"] },
    }),
    tables: ["ServiceRequest", "Intervention", "RequestMessage"],
    hostile: (ids): Hostile[] => [
      { label: "another partner's request, a message", path: `/requests/${ids.mjcRequest}`, body: { intent: "message", body: "Bonjour" } },
      { label: "another partner's request, its quote accepted", path: `/requests/${ids.mjcRequest}`, body: { intent: "accept-quote" } },
      { label: "another partner's request, stopped", path: `/requests/${ids.mjcRequest}`, body: { intent: "stop-series", stopReason: "Plus besoin." } },
    ],
  },
  "requests.$id_.interventions.$interventionId.tsx": {
    who: "sncfAdmin",
    path: (ids) => `/requests/${ids.sncfRequest}/interventions/${ids.sncfIntervention}`,
    forms: (ids) => ({
      move: { fields: { date: ids.orderDate, startTime: "09:00" } },
      cancel: { fields: { scope: "one", reason: "Plus besoin." }, text: ["reason"] },
      contest: { fields: { reason: "L'équipe est partie à 11 h." }, text: ["reason"] },
    }),
    tables: ["Intervention", "Dispute"],
    hostile: (ids): Hostile[] => [
      { label: "another partner's intervention", path: `/requests/${ids.mjcRequest}/interventions/${ids.mjcIntervention}`, body: { intent: "cancel", scope: "one", reason: "Plus besoin." } },
      {
        label: "another partner's intervention under one's own request",
        path: `/requests/${ids.sncfRequest}/interventions/${ids.mjcIntervention}`,
        body: { intent: "move", date: ids.orderDate, startTime: "09:00" },
      },
    ],
  },
  "requests.new.tsx": {
    who: "sncfAdmin",
    path: () => "/requests/new",
    forms: (ids) => ({
      "": {
        fields: {
          submissionKey: "robustness-submission-key",
          siteId: ids.sncfSite,
          prestationId: ids.prestation,
          date: ids.orderDate,
          startTime: "09:00",
          durationMinutes: "120",
          teamSize: "2",
          recurrence: "NONE",
          purchaseOrderNumber: "BC-ROBUSTESSE",
          notes: "Rien à signaler",
        },
        text: ["notes", "purchaseOrderNumber"],
      },
    }),
    tables: ["ServiceRequest", "Intervention", "Site"],
    hostile: (ids): Hostile[] => [
      {
        label: "another partner's site",
        body: {
          submissionKey: "robustness-hostile-key-1",
          siteId: ids.mjcSite,
          prestationId: ids.prestation,
          date: ids.orderDate,
          startTime: "09:00",
          durationMinutes: "120",
          teamSize: "2",
          recurrence: "NONE",
          purchaseOrderNumber: "BC-1",
        },
      },
    ],
  },
  "reset-password.$token.tsx": {
    who: "anonymous",
    path: () => "/reset-password/not-a-real-token",
    forms: () => ({ "": password }),
    tables: ["User", "PasswordReset"],
  },
  "users.tsx": {
    who: "sncfAdmin",
    path: () => "/users",
    forms: (ids) => ({
      invite: { fields: { name: "Nouvelle Personne", email: "nouvelle.robustesse@sncf.example", role: "PARTNER_MEMBER", organisationId: ids.sncfOrg }, text: ["name"] },
      deactivate: { fields: { userId: ids.sncfMember } },
      "cancel-invitation": { fields: { invitationId: ids.sncfInvitation } },
      "resend-invitation": { fields: { invitationId: ids.sncfInvitation } },
    }),
    tables: ["User", "Invitation"],
    hostile: (ids): Hostile[] => [
      { label: "another partner's user, deactivated", body: { intent: "deactivate", userId: ids.mjcUser } },
      // A stale page can send these too (the invitation was cancelled meanwhile): the message is on the page.
      { label: "another partner's invitation, cancelled", body: { intent: "cancel-invitation", invitationId: ids.mjcInvitation }, visible: true },
      { label: "another partner's invitation, re-sent", body: { intent: "resend-invitation", invitationId: ids.mjcInvitation }, visible: true },
      { label: "an invitation into another partner", body: { intent: "invite", name: "Intrus", email: "intrus@monjardinchocolate.example", role: "PARTNER_MEMBER", organisationId: ids.mjcOrg } },
      { label: "an invitation as administrator of the service", body: { intent: "invite", name: "Intrus", email: "intrus2@sncf.example", role: "ADMIN", organisationId: ids.sncfOrg } },
    ],
  },
  // Stripe's signed calls, not a form: refused without a valid signature (its own test below).
  "webhooks.stripe.ts": { who: "anonymous", path: () => "/webhooks/stripe", forms: () => ({}), tables: ["StripeEvent"], custom: true },
  "webhooks.einvoicing.ts": { who: "anonymous", path: () => "/webhooks/einvoicing", forms: () => ({}), tables: ["EInvoiceStatusEvent"], custom: true },
};

/** `data`: sent as the browser's script sends forms (JSON answer, no page rendered): faster, same action. */
type Case = { label: string; body: Record<string, string>; path?: string; csrf?: null; data?: true; visible?: true };

/** The malformed bodies of one route, built from its forms. */
function casesOf(route: ActionRoute, ids: Ids): Case[] {
  const forms = route.forms(ids);
  const withIntent = (intent: string, fields: Record<string, string>) => (intent ? { intent, ...fields } : { ...fields });
  const cases: Case[] = route.noEmptyBody ? [] : [{ label: "empty body", body: {} }];
  for (const [intent, form] of Object.entries(forms)) {
    const names = Object.keys(form.fields);
    if (names.length === 0) continue; // nothing to break: a bare intent is a valid request
    const free = new Set([...(form.text ?? []), ...(form.loose ?? [])]);
    const typed = names.filter((n) => !free.has(n));
    const name = intent || "form";
    if (!form.allOptional) cases.push({ label: `${name}: every field missing`, body: withIntent(intent, {}), data: true });
    // One field wrong at a time, the others right: the check deep in the data layer is reached too.
    for (const field of typed) {
      for (const bad of ["2026-13-45", "-1"]) cases.push({ label: `${name}: ${field}=${bad}`, body: withIntent(intent, { ...form.fields, [field]: bad }), data: true });
    }
    cases.push({ label: `${name}: 10,000 characters everywhere`, body: withIntent(intent, Object.fromEntries(names.map((n) => [n, LONG]))), data: true });
    for (const field of form.text ?? []) cases.push({ label: `${name}: ${field} of 10,000 characters`, body: withIntent(intent, { ...form.fields, [field]: LONG }), data: true });
    // HTML everywhere: refused for the typed fields (a text-only form would take it as words, shown escaped).
    if (typed.length > 0) cases.push({ label: `${name}: HTML everywhere`, body: withIntent(intent, Object.fromEntries(names.map((n) => [n, HTML]))) });
  }
  const [firstIntent, firstForm] = Object.entries(forms).find(([, f]) => Object.keys(f.fields).length > 0) ?? Object.entries(forms)[0] ?? ["", { fields: {} }];
  if (Object.keys(forms).some((k) => k !== "")) {
    for (const intent of UNKNOWN_INTENTS) cases.push({ label: `unknown intent ${intent}`, body: { ...firstForm.fields, intent }, data: intent === "nope" ? undefined : true });
  }
  cases.push({ label: "no CSRF token", body: withIntent(firstIntent, firstForm.fields), csrf: null });
  for (const hostile of route.hostile?.(ids) ?? []) cases.push({ label: hostile.label, body: hostile.body, path: hostile.path, visible: hostile.visible });
  return cases;
}

// --- what the person sees -------------------------------------------------

const ENGLISH =
  /Invalid (input|option|string|email|date|enum|type|literal|discriminator)|Too (small|big)|expected (string|number|one of|array|object)|Unrecognized key|Unexpected Server Error|Internal Server Error|TypeError|Cannot read|is not a function|\bat [\w.<>]+ \(.*:\d+:\d+\)|Prisma|Invalid Date|(?<![\w-])NaN(?![\w-])/; // NaN alone, not inside a random token
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|un|une|des|du|de|est|pas|ce|cette|votre|vous|au|plus|entre|inconnue?|indiquez|choisissez|dites|heures?)\b/i;

/** The messages the action answered (the page's action data or error), not the values sent back into the form. */
function answeredMessages(body: string, isJson: boolean): string[] {
  const json = isJson ? body : remixContextJson(body);
  if (!json) return [];
  let context: { state?: { actionData?: unknown; errors?: unknown } };
  try {
    context = isJson ? { state: { actionData: JSON.parse(json) } } : JSON.parse(json);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (value: unknown, key = ""): void => {
    if (key === "values" || key === "violations") return;
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(context.state?.actionData);
  walk(context.state?.errors);
  return out.filter((m) => FRENCH.test(m));
}

// --- the database, before and after ----------------------------------------

let db: pg.Client;
let allTables: string[] = [];
// Written on purpose by refused requests (the audit of refusals) or by sign-in.
const NOT_COUNTED = new Set(["AuditLog", "Session", "LoginThrottle", "_prisma_migrations"]);

async function snapshot(tables: string[]) {
  const counts = (await db.query(`SELECT ${allTables.map((t) => `(SELECT count(*) FROM "${t}")::int AS "${t}"`).join(", ")}`)).rows[0] as Record<string, number>;
  const hashes: Record<string, string> = {};
  for (const t of tables) {
    const [row] = (await db.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`)).rows as { h: string }[];
    hashes[t] = row!.h;
  }
  return { counts, hashes };
}

// --- sessions and ids ----------------------------------------------------------

const clients = {} as Record<Who, HttpClient>;
const tokens = {} as Record<Who, string>;
let ids: Ids;

async function one<T = string>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query(sql, params);
  const value = rows[0] ? (Object.values(rows[0])[0] as T) : undefined;
  return (value ?? MISSING) as T;
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: inject("appDatabaseUrl") });
  await db.connect();
  allTables = (await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)).rows
    .map((r) => r.t)
    .filter((t) => !NOT_COUNTED.has(t));
  for (const [who, email] of Object.entries(ACCOUNTS) as [Who, string | null][]) {
    clients[who] = email ? await new HttpClient().login(email) : new HttpClient();
    tokens[who] = await clients[who].csrfFrom(email ? "/" : "/login");
  }
  const rules = resolveServiceRules({});
  const today = parisParts(new Date()).date;
  const org = (slug: string) => one(`SELECT id FROM "Organisation" WHERE slug = $1`, [slug]);
  const sncfOrg = await org("sncf-gares-connexions");
  const mjcOrg = await org("mon-jardin-chocolate");
  const requestOf = (orgId: string) =>
    one(`SELECT r.id FROM "ServiceRequest" r WHERE r."organisationId" = $1 AND EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id) ORDER BY r.reference LIMIT 1`, [orgId]);
  const sncfRequest = await requestOf(sncfOrg);
  const mjcRequest = await requestOf(mjcOrg);
  const interventionOf = (requestId: string) => one(`SELECT id FROM "Intervention" WHERE "requestId" = $1 ORDER BY "startsAt" DESC LIMIT 1`, [requestId]);
  const myIntervention = await one(
    `SELECT i.id FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId"
     WHERE u.email = 'encadrant@conciergerie.example' AND EXISTS (SELECT 1 FROM "Assignment" a WHERE a."interventionId" = i.id) ORDER BY i."startsAt" DESC LIMIT 1`,
  );
  const participant = await one(`SELECT id FROM "Participant" WHERE "anonymisedAt" IS NULL ORDER BY "createdAt" LIMIT 1`);
  // The seed has no pending invitation: each partner admin invites someone, as on their team page.
  const invitationOf = async (who: Who, organisationId: string, email: string) => {
    const body = { intent: "invite", name: "Personne Invitée", email, role: "PARTNER_MEMBER", organisationId };
    const response = await clients[who].post("/users", body, { csrf: tokens[who] });
    await response.text();
    return one(`SELECT id FROM "Invitation" WHERE email = $1 AND "revokedAt" IS NULL AND "acceptedAt" IS NULL`, [email]);
  };
  const sncfInvitation = await invitationOf("sncfAdmin", sncfOrg, "invitee.robustesse@sncf.example");
  const mjcInvitation = await invitationOf("otherPartner", mjcOrg, "invitee.robustesse@monjardinchocolate.example");
  ids = {
    sncfInvitation,
    mjcInvitation,
    sncfOrg,
    mjcOrg,
    sncfSite: await one(`SELECT id FROM "Site" WHERE "organisationId" = $1 ORDER BY name LIMIT 1`, [sncfOrg]),
    mjcSite: await one(`SELECT id FROM "Site" WHERE "organisationId" = $1 ORDER BY name LIMIT 1`, [mjcOrg]),
    sncfRequest,
    sncfIntervention: await interventionOf(sncfRequest),
    mjcRequest,
    mjcIntervention: await interventionOf(mjcRequest),
    mjcUser: await one(`SELECT id FROM "User" WHERE email = 'contact@monjardinchocolate.example'`),
    sncfMember: await one(`SELECT id FROM "User" WHERE email = 'agent@sncf.example'`),
    prestation: await one(`SELECT id FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`),
    skill: await one(`SELECT id FROM "Skill" ORDER BY code LIMIT 1`),
    participant,
    participantAbsence: await one(`SELECT id FROM "Absence" WHERE "participantId" IS NOT NULL ORDER BY "startsAt" DESC LIMIT 1`),
    otherParticipantAbsence: await one(`SELECT id FROM "Absence" WHERE "participantId" IS NOT NULL AND "participantId" <> $1 ORDER BY "startsAt" DESC LIMIT 1`, [participant]),
    supervisor: await one(`SELECT id FROM "Supervisor" ORDER BY "createdAt" LIMIT 1`),
    myIntervention,
    teamParticipant: await one(`SELECT "participantId" FROM "Assignment" WHERE "interventionId" = $1 LIMIT 1`, [myIntervention]),
    strangerParticipant: await one(`SELECT id FROM "Participant" w WHERE NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."participantId" = w.id AND a."interventionId" = $1) LIMIT 1`, [
      myIntervention,
    ]),
    otherEncadrantIntervention: await one(
      `SELECT i.id FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" LEFT JOIN "User" u ON u.id = s."userId"
       WHERE u.email IS DISTINCT FROM 'encadrant@conciergerie.example' LIMIT 1`,
    ),
    invoice: await one(`SELECT id FROM "Invoice" WHERE status = 'OPEN' ORDER BY "createdAt" LIMIT 1`),
    dispute: await one(`SELECT id FROM "Dispute" WHERE outcome IS NULL LIMIT 1`),
    today,
    orderDate: nextOpenDay(addDays(today, 30), rules),
  };
});

afterAll(async () => {
  await db?.end();
});

function changesBetween(before: Awaited<ReturnType<typeof snapshot>>, after: Awaited<ReturnType<typeof snapshot>>) {
  return [
    ...Object.keys(after.counts)
      .filter((t) => after.counts[t] !== before.counts[t])
      .map((t) => `${t} ${before.counts[t]}→${after.counts[t]}`),
    ...Object.keys(after.hashes)
      .filter((t) => after.hashes[t] !== before.hashes[t])
      .map((t) => `${t} rows changed`),
  ];
}

/** What is wrong with the answer to one case ("" when nothing). */
async function judge(route: ActionRoute, c: Case, file: string): Promise<string> {
  const response = await send(route, c, file);
  const html = await response.text();
  const isJson = (response.headers.get("content-type") ?? "").includes("json");
  const messages = [...(isJson ? [] : shownErrors(html)), ...answeredMessages(html, isJson)];
  const match = ENGLISH.exec(html);
  const english = match ? `${match[0]} in «${pageText(html.slice(Math.max(0, match.index - 80), match.index + 40))}»` : null;
  const wrong = [
    response.status < 400 || response.status >= 500 ? `status ${response.status}` : null,
    messages.length === 0 ? "no message" : null,
    c.visible && shownErrors(html).length === 0 ? "message not shown on the page" : null,
    messages.length > 0 && !messages.some((m) => FRENCH.test(m)) ? `not French: ${messages.join(" / ").slice(0, 120)}` : null,
    english ? `raw or English error: ${english}` : null,
    html.includes(`<script>alert("x")`) ? "HTML sent back unescaped" : null,
  ].filter(Boolean);
  return wrong.length ? `${c.label} → ${wrong.join("; ")}` : "";
}

async function send(route: ActionRoute, c: Case, file: string) {
  const client = clients[route.who];
  const target = c.path ?? route.path(ids);
  const url = c.data ? `${target}?_data=${encodeURIComponent(`routes/${file.replace(/\.tsx?$/, "")}`)}` : target;
  return client.post(url, c.body, { csrf: c.csrf === null ? null : tokens[route.who] });
}

describe("form actions refuse bad input clearly and change nothing", () => {
  it("covers every route file with an action", () => {
    const dir = path.resolve(import.meta.dirname, "../../app/routes");
    const withAction = readdirSync(dir).filter((f) => !f.includes(".test.") && /export (async function|const|function) action\b/.test(readFileSync(path.join(dir, f), "utf8")));
    expect(withAction.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [file, route] of Object.entries(ROUTES)) {
    if (route.custom) continue;
    it(`${file}: every malformed body gets a French message and changes nothing`, async () => {
      const cases = casesOf(route, ids);
      const before = await snapshot(route.tables);
      // A few at a time: the server's answers are what is slow, the database is checked around the lot.
      const verdicts: string[] = [];
      for (let i = 0; i < cases.length; i += 4) verdicts.push(...(await Promise.all(cases.slice(i, i + 4).map((c) => judge(route, c, file)))));
      const changed = changesBetween(before, await snapshot(route.tables));
      const problems = verdicts.filter(Boolean);
      if (changed.length) {
        // Something was written: send the cases again one by one to name the culprit.
        for (const c of cases) {
          const one = await snapshot(route.tables);
          await (await send(route, c, file)).text();
          const diff = changesBetween(one, await snapshot(route.tables));
          if (diff.length) problems.push(`${c.label} → data changed: ${diff.join(", ")}`);
        }
        if (problems.length === verdicts.filter(Boolean).length) problems.push(`data changed: ${changed.join(", ")}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it("webhooks.stripe.ts: an unsigned or badly signed call is refused and stores nothing", async () => {
    const before = await snapshot(["StripeEvent"]);
    for (const headers of [{}, { "stripe-signature": "t=1,v1=abc" }, { "stripe-signature": HTML }] as Record<string, string>[]) {
      for (const body of ["", "{", JSON.stringify({ id: "evt_robustness", type: "invoice.paid", data: { object: {} } }), LONG]) {
        const response = await fetch(`${inject("appUrl")}/webhooks/stripe`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
        expect(response.status).toBe(400);
        expect(await response.text()).not.toMatch(ENGLISH);
      }
    }
    expect(await snapshot(["StripeEvent"])).toEqual(before);
  });

  it("webhooks.einvoicing.ts: an unsigned or badly signed platform callback is refused and stores nothing", async () => {
    const tables = ["EInvoiceStatusEvent"];
    const before = await snapshot(tables);
    for (const headers of [{}, { "x-signature": "sha256=abc" }, { "x-signature": HTML }] as Record<string, string>[]) {
      for (const body of ["", "{", JSON.stringify({ flowInfo: { flowId: "robustness", updatedAt: "2026-12-07T10:00:00Z" } }), LONG]) {
        const response = await fetch(`${inject("appUrl")}/webhooks/einvoicing`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
        expect([400, 401]).toContain(response.status);
      }
    }
    expect(await snapshot(tables)).toEqual(before);
    expect((await db.query(`SELECT 1 FROM "OutboxEvent" WHERE "businessKey" LIKE 'pa-flow:robustness%'`)).rows).toEqual([]);
  });

  it("finds the ids it sends: every case reaches a real object", () => {
    // A missing fixture would turn the hostile cases into made-up ids and hide a leak.
    const missing = Object.entries(ids).filter(([k, v]) => v === MISSING && k !== "dispute");
    expect(missing).toEqual([]);
  });
});
