import { PDFRawStream, PDFStream } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StripeDouble } from "../support/stripe-double.ts";
import { TEST_BANK_ACCOUNT } from "../support/databases.ts";
import { ABSENT, validateDocuments, validatorPresent, VALIDATION_TIMEOUT_MS } from "../support/official-validation.ts";

// Every kind of document the app issues, generated through the real path
// (drafts from recorded hours, issued to the Stripe double, the document job,
// credit notes asked as finance asks them), then checked by the official
// artefacts (../shared/einvoicing/validate.mjs: CII D16B and Factur-X XSD, the
// EN 16931 schematron, Factur-X and French BR-FR rules) in one run: 0 errors,
// 0 warnings. The artefacts are not part of the repository: where they are
// absent, the test fails and says how to get them (never a silent pass).
const double = await new StripeDouble().start();
process.env.EINVOICE_THREADS = "0";
Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_einvoicing", STRIPE_WEBHOOK_SECRET: "whsec_test_einvoicing_0123456789", STRIPE_MAX_REQUESTS_PER_SECOND: "5000", ...double.env });

const { db } = await import("~/data/db.server.ts");
const { requestCreditNote } = await import("~/data/invoicing.server.ts");
const { monthDocuments } = await import("~/data/einvoicing.server.ts");
const processors = await import("../../workers/processors/invoicing.ts");
const einvoicing = await import("../../workers/processors/einvoicing.ts");
const { monthOf } = await import("~/domain/invoicing/period.ts");
const { createOrganisation, createPrestation, createServiceRequest, createSite, createSkill, createUser, createParticipant } = await import("../support/factories.ts");
const { embeddedFiles, loadPdf, pageText, parseXml, xmpMetadata, PDFName } = await import("../support/pdf-read.ts");

const MONTH = "2026-09";
const at = (day: number) => new Date(`2026-09-${String(day).padStart(2, "0")}T07:00:00Z`);

type Kind =
  | "one site, mixed rates, one PO"
  | "several sites, several POs"
  | "site = billing address, no PO"
  | "exempt lines only (VATEX)"
  | "internal statement"
  | "partial credit note"
  | "full credit note";
const orgs = {} as Record<Exclude<Kind, "partial credit note" | "full credit note">, string>;
let actor: { userId: string; organisationId: string; role: "FINANCE" };
const documents = new Map<Kind, { number: string; bytes: Uint8Array }>();

async function done(organisationId: string, siteId: string, prestationId: string, day: number, minutes: number[], purchaseOrderNumber?: string) {
  const participants = await Promise.all(minutes.map(() => createParticipant(db())));
  const serviceRequest = await createServiceRequest(db(), {
    organisationId,
    siteId,
    prestationId,
    teamSize: minutes.length,
    durationMinutes: 180,
    ...(purchaseOrderNumber ? { purchaseOrderNumber } : {}),
    quoteAcceptedAt: at(1),
    acceptedAt: at(1),
    interventions: [{ startsAt: at(day), status: "DONE", participantIds: participants.map((w) => w.id) }],
  });
  await db().timeEntry.createMany({ data: participants.map((w, i) => ({ interventionId: serviceRequest.interventions[0]!.id, participantId: w.id, minutesWorked: minutes[i]!, absent: false })) });
}

beforeAll(async () => {
  const skill = await createSkill(db());
  const hourly = await createPrestation(db(), { skillId: skill.id, name: "Nettoyage (validation)", priceCents: 2400, vatRateBasisPoints: 2000, pricingUnit: "PER_PARTICIPANT_HOUR" });
  const flat = await createPrestation(db(), { skillId: skill.id, name: "Compostage (validation)", priceCents: 12345, vatRateBasisPoints: 550, pricingUnit: "FLAT" });
  const exempt = await createPrestation(db(), {
    skillId: skill.id,
    name: "Tri solidaire (validation)",
    priceCents: 5000,
    vatRateBasisPoints: 0,
    pricingUnit: "FLAT",
    vatExemptionMention: "TVA non applicable, art. 261-7-1° du CGI",
  });
  const partner = (name: string, siret: string, billingAddress: string) =>
    createOrganisation(db(), { name, siret, vatNumber: null, billingAddress, billingEmail: "compta@example.org", paymentTermsDays: 30 });

  const one = await partner("SNCF Gares & Connexions (validation)", "90871234202310", "Comptabilité fournisseurs, place Louis-Armand, 75012 Paris");
  const bercy = await createSite(db(), { organisationId: one.id, name: "Gare de Bercy", address: "48 bis boulevard de Bercy", postalCode: "75012", city: "Paris" });
  await done(one.id, bercy.id, hourly.id, 3, [150, 165], "BC-2026-77");
  await done(one.id, bercy.id, flat.id, 12, [120], "BC-2026-77");
  await done(one.id, bercy.id, exempt.id, 17, [90], "BC-2026-77");

  const several = await partner("Mon Jardin Chocolaté (validation)", "44306184100047", "12 rue des Archives, 75004 Paris");
  const s1 = await createSite(db(), { organisationId: several.id, name: "Boutique Marais", address: "3 rue Vieille-du-Temple", postalCode: "75004", city: "Paris" });
  const s2 = await createSite(db(), { organisationId: several.id, name: "Atelier Montreuil", address: "7 rue de Paris", postalCode: "93100", city: "Montreuil" });
  await done(several.id, s1.id, hourly.id, 8, [120], "PO-A");
  await done(several.id, s2.id, hourly.id, 22, [60, 60], "PO-B");

  const same = await partner("La Table du RECHO (validation)", "83240979000025", "La Table du RECHO, 8 rue Lobineau, 75006 Paris");
  const home = await createSite(db(), { organisationId: same.id, name: "Cuisine", address: "8 rue Lobineau", postalCode: "75006", city: "Paris" });
  await done(same.id, home.id, hourly.id, 15, [180]);

  const exemptOnly = await partner("Association Voisine (validation)", "78467169500087", "5 rue Oberkampf, 75011 Paris");
  const hall = await createSite(db(), { organisationId: exemptOnly.id, name: "Salle Oberkampf", address: "9 rue Oberkampf", postalCode: "75011", city: "Paris" });
  await done(exemptOnly.id, hall.id, exempt.id, 9, [60]);

  const internal = await createOrganisation(db(), { kind: "INTERNAL", name: "Centre d'hébergement Aurore (validation)", billingAddress: "34 boulevard de Sébastopol, 75004 Paris" });
  const centre = await createSite(db(), { organisationId: internal.id, name: "Centre Sébastopol", address: "34 boulevard de Sébastopol", postalCode: "75004", city: "Paris" });
  await done(internal.id, centre.id, hourly.id, 11, [60]);

  Object.assign(orgs, {
    "one site, mixed rates, one PO": one.id,
    "several sites, several POs": several.id,
    "site = billing address, no PO": same.id,
    "exempt lines only (VATEX)": exemptOnly.id,
    "internal statement": internal.id,
  });
  const finance = await createUser(db(), { role: "FINANCE" });
  actor = { userId: finance.id, organisationId: finance.membership!.organisationId, role: "FINANCE" };
});
afterAll(async () => double.stop());

describe("issuing without the seller's bank account", () => {
  it("is refused before any number is taken, naming what is missing and where to enter it", async () => {
    await db().serviceSetting.delete({ where: { key: "sellerBankAccount" } });
    await processors.prepareRun({ month: MONTH });
    const refused = await processors.issueRun({ month: MONTH });
    expect(refused.issued).toBe(1); // the internal statement, outside the reform
    expect(refused.blocked).toHaveLength(4); // the four partners' invoices
    for (const b of refused.blocked) expect(b.problems).toContain("Émetteur Association Aurore : compte bancaire (IBAN, BIC, titulaire) manquant, à saisir dans Règles du service");
    expect(await db().invoice.count({ where: { number: { not: null }, kind: "INVOICE" } })).toBe(0);
    await db().serviceSetting.create({ data: { key: "sellerBankAccount", value: TEST_BANK_ACCOUNT } });
  });
});

describe("every kind of document, generated through the app", () => {
  beforeAll(async () => {
    const issued = await processors.issueRun({ month: MONTH });
    expect(issued).toMatchObject({ issued: 4, blocked: [] });
    const invoiceOf = (org: string) => db().invoice.findFirstOrThrow({ where: { organisationId: org }, select: { id: true, totalInclVatCents: true, issuedAt: true } });
    const partial = await invoiceOf(orgs["one site, mixed rates, one PO"]);
    const full = await invoiceOf(orgs["site = billing address, no PO"]);
    expect(await requestCreditNote(actor, partial.id, 1234, "Heures contestées")).toMatchObject({ ok: true });
    expect(await requestCreditNote(actor, full.id, full.totalInclVatCents, "Intervention annulée")).toMatchObject({ ok: true });
    await einvoicing.documentsRun({ month: monthOf(partial.issuedAt!) });
    for (const [kind, org] of Object.entries(orgs) as [Kind, string][]) {
      const row = await db().invoiceDocument.findFirstOrThrow({ where: { invoice: { organisationId: org } } });
      documents.set(kind, { number: row.number, bytes: new Uint8Array(row.bytes) });
    }
    for (const [kind, invoiceId] of [
      ["partial credit note", partial.id],
      ["full credit note", full.id],
    ] as const) {
      const row = await db().invoiceDocument.findFirstOrThrow({ where: { creditNote: { invoiceId } } });
      documents.set(kind, { number: row.number, bytes: new Uint8Array(row.bytes) });
    }
  });

  it("issues the internal statement as a plain PDF, outside the reform (no Factur-X to validate)", async () => {
    const statement = await loadPdf(documents.get("internal statement")!.bytes);
    expect(embeddedFiles(statement)).toEqual([]);
    expect(pageText(statement)).toContain("Relevé interne");
  });

  it(
    validatorPresent ? "passes the official validation (XSD, EN 16931, Factur-X, BR-FR): 0 errors, 0 warnings on every Factur-X document" : ABSENT,
    async () => {
      expect(validatorPresent, ABSENT).toBe(true);
      const files = new Map<string, Uint8Array>();
      const kinds = new Map<string, Kind>();
      for (const [kind, doc] of documents) {
        if (kind === "internal statement") continue;
        files.set(`${doc.number}.pdf`, doc.bytes);
        kinds.set(`${doc.number}.pdf`, kind);
      }
      expect(files.size).toBe(6);
      const findings = (await validateDocuments(files)).map((f) => ({ kind: kinds.get(f.name) ?? f.name, errors: f.errors, warnings: f.warnings }));
      expect(findings.map((f) => f.kind).sort()).toEqual([...kinds.values()].sort());
      // Warnings that stay are listed in the README (E-invoicing) with why; today there are none.
      expect(findings.filter((f) => f.errors.length || f.warnings.length)).toEqual([]);
    },
    VALIDATION_TIMEOUT_MS,
  );

  it("carries one XML stream only, French metadata the same in the Info dictionary and the XMP", async () => {
    for (const [kind, doc] of documents) {
      if (kind === "internal statement") continue;
      const pdf = await loadPdf(doc.bytes);
      const embedded = [...pdf.context.enumerateIndirectObjects()].filter(([, o]) => o instanceof PDFStream && o.dict.get(PDFName.of("Type")) === PDFName.of("EmbeddedFile"));
      expect(embedded, kind).toHaveLength(1);
      expect(embeddedFiles(pdf).map((f) => f.name)).toEqual(["factur-x.xml"]);
      const title = `${kind.includes("credit note") ? "Avoir" : "Facture"} ${doc.number}`;
      expect(pdf.getTitle()).toBe(title);
      const xmp = xmpMetadata(pdf);
      expect(xmp).toContain(`<rdf:li xml:lang="x-default">${title}</rdf:li>`);
      expect(xmp).not.toMatch(/Invoice [AF]\d/);
      expect(pdf.getCreator()).toBe(/<xmp:CreatorTool>([^<]*)</.exec(xmp)![1]);
      expect(pdf.getSubject()).toContain(title);
    }
    const metadata = (await loadPdf(documents.get("partial credit note")!.bytes)).catalog.lookup(PDFName.of("Metadata"));
    expect(metadata).toBeInstanceOf(PDFRawStream);
  });

  it("writes the bank account, the delivery with its date, the purchase order in BT-13 and both SIRETs under scheme 0009", async () => {
    const xmlOf = async (kind: Kind) => parseXml(embeddedFiles(await loadPdf(documents.get(kind)!.bytes))[0]!.content).CrossIndustryInvoice.SupplyChainTradeTransaction;
    const one = await xmlOf("one site, mixed rates, one PO");
    expect(one.ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument.IssuerAssignedID).toBe("BC-2026-77");
    expect(one.ApplicableHeaderTradeAgreement.SellerTradeParty.GlobalID).toEqual({ "#text": "77566343800034", "@schemeID": "0009" });
    expect(one.ApplicableHeaderTradeAgreement.BuyerTradeParty.GlobalID).toEqual({ "#text": "90871234202310", "@schemeID": "0009" });
    expect(one.ApplicableHeaderTradeDelivery.ShipToTradeParty.Name).toBe("Gare de Bercy");
    expect(one.ApplicableHeaderTradeDelivery.ActualDeliverySupplyChainEvent.OccurrenceDateTime.DateTimeString["#text"]).toBe("20260917");
    const means = one.ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementPaymentMeans;
    expect(means.TypeCode).toBe("58");
    expect(means.PayeePartyCreditorFinancialAccount).toEqual({ IBANID: TEST_BANK_ACCOUNT.iban, AccountName: TEST_BANK_ACCOUNT.accountName });
    expect(means.PayeeSpecifiedCreditorFinancialInstitution.BICID).toBe(TEST_BANK_ACCOUNT.bic);
    expect(pageText(await loadPdf(documents.get("one site, mixed rates, one PO")!.bytes))).toContain("IBAN FR76 3000 6000 0112 3456 7890 189");
    // Several orders: no BT-13 (CII holds one), each order on its line.
    const several = await xmlOf("several sites, several POs");
    expect(several.ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument).toBeUndefined();
    // The site is the billing address: the delivery element is there all the same, with its date.
    const same = await xmlOf("site = billing address, no PO");
    expect(same.ApplicableHeaderTradeDelivery.ShipToTradeParty).toBeUndefined();
    expect(same.ApplicableHeaderTradeDelivery.ActualDeliverySupplyChainEvent.OccurrenceDateTime.DateTimeString["#text"]).toBe("20260915");
  });

  it("lists each document in the month's manifest with the buyer it was issued to, even after the partner is renamed", async () => {
    const org = orgs["one site, mixed rates, one PO"];
    await db().organisation.update({ where: { id: org }, data: { name: "SNCF (renommée)", siret: "55204944776279" } });
    const rows = [];
    for await (const page of monthDocuments(monthOf((await db().invoiceDocument.findFirstOrThrow({ where: { number: documents.get("one site, mixed rates, one PO")!.number } })).issueDate)))
      rows.push(...page);
    const row = rows.find((r) => r.number === documents.get("one site, mixed rates, one PO")!.number)!;
    expect([row.buyerName, row.buyerSiren]).toEqual(["SNCF Gares & Connexions (validation)", "908712342"]);
  });

  it("refuses a credit note while the seller's bank account is missing, before a number is taken", async () => {
    const invoice = await db().invoice.findFirstOrThrow({ where: { organisationId: orgs["several sites, several POs"] }, select: { id: true } });
    await db().serviceSetting.delete({ where: { key: "sellerBankAccount" } });
    try {
      const refused = await requestCreditNote(actor, invoice.id, 500, "Geste commercial");
      expect(refused).toEqual({ ok: false, message: "Avoir non émis : Émetteur Association Aurore : compte bancaire (IBAN, BIC, titulaire) manquant, à saisir dans Règles du service" });
      expect(await db().creditNote.count({ where: { invoiceId: invoice.id } })).toBe(0);
    } finally {
      await db().serviceSetting.create({ data: { key: "sellerBankAccount", value: TEST_BANK_ACCOUNT } });
    }
  });

  it("refuses emptying the archive with TRUNCATE", async () => {
    await expect(db().$executeRawUnsafe('TRUNCATE "InvoiceDocument" CASCADE')).rejects.toThrow(/TRUNCATE is refused/);
    expect(await db().invoiceDocument.count()).toBe(documents.size);
  });
});
