import { describe, expect, it } from "vitest";
import { requestHistory, type TimelineFacts } from "./timeline.ts";

const at = (iso: string) => new Date(iso);
const coordination = { name: "Claire Dubois", staff: true };
const partner = { name: "Camille Renaud", staff: false };

// A weekly request of three dates: ordered, quote accepted, validated, planned at once,
// one date moved by coordination, one cancelled, one done, contested, invoiced and paid.
const facts: TimelineFacts = {
  requestId: "r1",
  serviceRequest: {
    createdAt: at("2026-11-02T08:00:00Z"),
    createdBy: partner,
    quoteAcceptedAt: at("2026-11-02T08:05:00Z"),
    acceptedAt: at("2026-11-03T09:30:00Z"),
    acceptedBy: coordination,
    declinedAt: null,
    declineReason: null,
    recurrenceEndedAt: null,
  },
  interventions: [
    {
      id: "i1",
      startsAt: at("2026-11-09T08:00:00Z"),
      status: "PAID",
      confirmedAt: at("2026-11-03T09:31:10Z"),
      cancelledAt: null,
      cancelReason: null,
      unstaffedReason: null,
      updatedAt: at("2026-11-03T09:31:10Z"),
      doneAt: at("2026-11-09T11:05:00Z"),
      supervisor: "Sandrine Lefebvre",
      participantsNeeded: 3,
    },
    {
      id: "i2",
      startsAt: at("2026-11-16T08:00:00Z"),
      status: "SCHEDULED",
      confirmedAt: at("2026-11-03T09:31:20Z"),
      cancelledAt: null,
      cancelReason: null,
      unstaffedReason: null,
      updatedAt: at("2026-11-03T09:31:20Z"),
      doneAt: null,
      supervisor: "Sandrine Lefebvre",
      participantsNeeded: 3,
    },
    {
      id: "i3",
      startsAt: at("2026-11-23T08:00:00Z"),
      status: "CANCELLED",
      confirmedAt: null,
      cancelledAt: at("2026-11-10T15:00:00Z"),
      cancelReason: "Fermeture du site",
      unstaffedReason: null,
      updatedAt: at("2026-11-10T15:00:00Z"),
      doneAt: null,
      supervisor: null,
      participantsNeeded: 3,
    },
    {
      id: "i4",
      startsAt: at("2026-11-30T08:00:00Z"),
      status: "ACCEPTED",
      confirmedAt: null,
      cancelledAt: null,
      cancelReason: null,
      unstaffedReason: "Aucun encadrant disponible (H4) : Rachid Ouali est absent.",
      updatedAt: at("2026-11-12T07:00:00Z"),
      doneAt: null,
      supervisor: null,
      participantsNeeded: 3,
    },
  ],
  audit: [
    { at: at("2026-11-05T10:00:00Z"), action: "intervention.moved", entityId: "i2", actor: coordination, details: { from: "2026-11-16T07:00:00.000Z", to: "2026-11-16T08:00:00.000Z" } },
    { at: at("2026-11-10T15:00:00.200Z"), action: "intervention.cancelled", entityId: "r1", actor: partner, details: {} },
  ],
  invoices: [{ id: "inv1", number: "F2026-00012", statement: false, issuedAt: at("2026-12-01T07:00:00Z"), paidAt: at("2026-12-04T16:20:00Z"), voidedAt: null, interventions: 1 }],
  disputes: [{ id: "d1", interventionId: "i1", openedAt: at("2026-11-10T09:00:00Z"), settledAt: at("2026-11-12T14:00:00Z") }],
  messages: [{ id: "m1", createdAt: at("2026-11-04T13:45:00Z"), authorName: "Camille Renaud", fromConciergerie: false, body: "Le portail sera ouvert\ndès 8 h." }],
};

describe("a request's dated history", () => {
  it("tells coordination what happened, oldest first, in French and Paris time, with who acted", () => {
    const events = requestHistory(facts, "staff", { invoice: (id) => `/finance/invoices/${id}` });
    expect(events.map((e) => e.kind)).toEqual(["ordered", "quote", "accepted", "planned", "message", "moved", "done", "disputed", "cancelled", "unstaffed", "settled", "invoiced", "paid"]);
    expect(events.map((e) => e.at.getTime())).toEqual([...events.map((e) => e.at.getTime())].sort((a, b) => a - b));
    const byKind = Object.fromEntries(events.map((e) => [e.kind, e]));
    expect(byKind.ordered).toMatchObject({ title: "Demande envoyée", by: "Camille Renaud (partenaire)" });
    expect(byKind.accepted).toMatchObject({ title: "Demande validée par la coordination", by: "Claire Dubois" });
    // Two dates planned in the same minute: one line naming both, with the team.
    expect(byKind.planned!.title).toBe("Équipe composée : 2 dates");
    expect(byKind.planned!.detail).toBe("lun. 9 nov., lun. 16 nov. · Encadrant : Sandrine Lefebvre, 3 personnes en insertion");
    // Paris time: 07:00 UTC is 08:00 in November.
    expect(byKind.moved).toMatchObject({ title: "Intervention du 16 novembre 2026 à 08:00 déplacée au 16 novembre 2026 à 09:00", by: "Claire Dubois" });
    expect(byKind.cancelled).toMatchObject({ title: "Intervention annulée : 23 novembre 2026 à 09:00", detail: "Fermeture du site", by: "Camille Renaud (partenaire)" });
    expect(byKind.unstaffed!.detail).toContain("Rachid Ouali");
    expect(byKind.invoiced).toMatchObject({ title: "Facturée : facture F2026-00012", detail: "1 intervention de cette demande", href: "/finance/invoices/inv1" });
    expect(byKind.paid!.title).toBe("Payée : facture F2026-00012");
    expect(byKind.message).toMatchObject({ title: "Message de Camille Renaud", detail: "Le portail sera ouvert dès 8 h.", href: "#message-m1" });
    expect(byKind.disputed).toMatchObject({ title: "Heures de l'intervention du 9 novembre 2026 à 09:00 contestées", href: "/requests/r1/interventions/i1" });
  });

  it("never tells a partner coordination's internals nor the names of the Conciergerie's staff", () => {
    const events = requestHistory(facts, "partner", { invoice: () => "/invoices" });
    expect(events.map((e) => e.kind)).not.toContain("unstaffed");
    const text = JSON.stringify(events);
    expect(text).not.toContain("Rachid");
    expect(text).not.toContain("H4");
    expect(text).not.toContain("Claire Dubois");
    const moved = events.find((e) => e.kind === "moved")!;
    expect(moved.by).toBe("la Conciergerie");
    // Its own acts: no name needed.
    expect(events.find((e) => e.kind === "ordered")!.by).toBeNull();
    expect(events.find((e) => e.kind === "accepted")!.by).toBeNull();
    expect(events.find((e) => e.kind === "invoiced")!.href).toBe("/invoices");
    // What it already sees: the encadrant of its intervention, the messages' authors.
    expect(events.find((e) => e.kind === "planned")!.detail).toContain("Sandrine Lefebvre");
  });

  it("tells accepting the quote once when it accepts the request, and a refusal with its reason", () => {
    const quick: TimelineFacts = {
      ...facts,
      serviceRequest: { ...facts.serviceRequest, acceptedAt: facts.serviceRequest.quoteAcceptedAt, acceptedBy: partner },
      interventions: [],
      audit: [],
      invoices: [],
      disputes: [],
      messages: [],
    };
    expect(requestHistory(quick, "partner").map((e) => e.title)).toEqual(["Demande envoyée", "Devis accepté : la demande part en planification"]);
    const declined: TimelineFacts = {
      ...quick,
      serviceRequest: { ...quick.serviceRequest, quoteAcceptedAt: null, acceptedAt: null, declinedAt: at("2026-11-03T10:00:00Z"), declineReason: "Pas le samedi" },
    };
    expect(requestHistory(declined, "partner").at(-1)).toMatchObject({ kind: "declined", title: "Demande refusée", detail: "Pas le samedi" });
  });
});
