import { createHash } from "node:crypto";
import type { PDFArray as PDFArrayT, PDFDict as PDFDictT } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingMail } from "~/integrations/mail.server.ts";
import { StripeDouble } from "../support/stripe-double.ts";

// Factur-X after a real run: drafts from recorded hours, issued through the
// official SDK to the Stripe double, then the document job. Each document is
// read back: the CII XML out of the PDF's embedded files, the PDF/A parts, the
// printed text; amounts must agree with the database and Stripe to the cent.
const double = await new StripeDouble().start();
// Rendered in this thread (the pool's threads start in seconds; the bench and the app use them).
process.env.EINVOICE_THREADS = "0";
Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_einvoicing", STRIPE_WEBHOOK_SECRET: "whsec_test_einvoicing_0123456789", STRIPE_MAX_REQUESTS_PER_SECOND: "5000", ...double.env });

const { db } = await import("~/data/db.server.ts");
const { requestCreditNote } = await import("~/data/invoicing.server.ts");
const processors = await import("../../workers/processors/invoicing.ts");
const einvoicing = await import("../../workers/processors/einvoicing.ts");
const { sendMail } = await import("../../workers/processors/mail.ts");
const { monthOf } = await import("~/domain/invoicing/period.ts");
const { formatEuros } = await import("~/utils/format.ts");
const { createOrganisation, createPrestation, createServiceRequest, createSite, createSkill, createUser, createParticipant } = await import("../support/factories.ts");
const { embeddedFiles, fonts, loadPdf, pageText, parseXml, xmpMetadata, PDFName } = await import("../support/pdf-read.ts");

const MONTH = "2026-09";
const at = (day: number) => new Date(`2026-09-${String(day).padStart(2, "0")}T07:00:00Z`);
const cents = (decimal: string) => {
  expect(decimal).toMatch(/^-?\d+\.\d{2}$/); // rounded to the cent, two decimals
  return Math.round(Number(decimal) * 100);
};

let partnerA: { id: string; name: string };
let blockedNoSiret: { id: string; name: string };
let blockedSite: { name: string; orgId: string };
let actor: { userId: string; organisationId: string; role: "FINANCE" };
const NEGOTIATED = 2150; // SNCF-like negotiated hourly price (catalogue: 24,00 €)

async function doneIntervention(organisationId: string, siteId: string, prestationId: string, day: number, minutes: number[], unitPriceCents?: number, purchaseOrderNumber?: string) {
  const participants = await Promise.all(minutes.map(() => createParticipant(db())));
  const serviceRequest = await createServiceRequest(db(), {
    organisationId,
    siteId,
    prestationId,
    teamSize: minutes.length,
    durationMinutes: 180,
    ...(unitPriceCents ? { unitPriceCents } : {}),
    ...(purchaseOrderNumber ? { purchaseOrderNumber } : {}),
    quoteAcceptedAt: at(1),
    acceptedAt: at(1),
    interventions: [{ startsAt: at(day), status: "DONE", participantIds: participants.map((w) => w.id) }],
  });
  const intervention = serviceRequest.interventions[0]!;
  await db().timeEntry.createMany({ data: participants.map((w, i) => ({ interventionId: intervention.id, participantId: w.id, minutesWorked: minutes[i]!, absent: false })) });
}

beforeAll(async () => {
  const skill = await createSkill(db());
  const hourly = await createPrestation(db(), { skillId: skill.id, name: "Nettoyage des passerelles (test)", priceCents: 2400, vatRateBasisPoints: 2000, pricingUnit: "PER_PARTICIPANT_HOUR" });
  const flat = await createPrestation(db(), { skillId: skill.id, name: "Compostage (test)", priceCents: 12345, vatRateBasisPoints: 550, pricingUnit: "FLAT" });
  const exempt = await createPrestation(db(), {
    skillId: skill.id,
    name: "Tri du vestiaire solidaire (test)",
    priceCents: 5000,
    vatRateBasisPoints: 0,
    pricingUnit: "FLAT",
    vatExemptionMention: "TVA non applicable, art. 261-7-1° du CGI",
  });

  const a = await createOrganisation(db(), {
    name: "SNCF Gares & Connexions (test)",
    siret: "90871234202310",
    vatNumber: "FR53908712342",
    billingAddress: "SNCF Gares & Connexions — Comptabilité fournisseurs, place Louis-Armand, 75012 Paris",
    billingEmail: "compta-test@sncf.example",
    paymentTermsDays: 45,
  });
  partnerA = { id: a.id, name: a.name };
  await db().prestationPrice.create({ data: { prestationId: hourly.id, organisationId: a.id, priceCents: NEGOTIATED, validFrom: new Date("2026-01-01T00:00:00Z") } });
  const bercy = await createSite(db(), { organisationId: a.id, name: "Gare de Bercy", address: "48 bis boulevard de Bercy", postalCode: "75012", city: "Paris" });
  await doneIntervention(a.id, bercy.id, hourly.id, 3, [150, 165, 180], NEGOTIATED, "BC-2026-77");
  await doneIntervention(a.id, bercy.id, hourly.id, 10, [37, 180], NEGOTIATED, "BC-2026-77");
  await doneIntervention(a.id, bercy.id, flat.id, 12, [120], undefined, "BC-2026-77");
  await doneIntervention(a.id, bercy.id, exempt.id, 17, [90, 90], undefined, "BC-2026-77");

  const b = await createOrganisation(db(), { name: "Partenaire sans SIRET", billingAddress: "1 rue de la Paix, 75002 Paris" });
  blockedNoSiret = { id: b.id, name: b.name };
  const bSite = await createSite(db(), { organisationId: b.id, name: "Atelier B" });
  await doneIntervention(b.id, bSite.id, hourly.id, 5, [60]);

  const c = await createOrganisation(db(), { name: "Partenaire au site sans adresse", siret: "12345678200010", billingAddress: "2 rue de la Paix, 75002 Paris" });
  const cSite = await createSite(db(), { organisationId: c.id, name: "Entrepôt C", address: "" });
  blockedSite = { name: cSite.name, orgId: c.id };
  await doneIntervention(c.id, cSite.id, hourly.id, 6, [60]);

  const finance = await createUser(db(), { role: "FINANCE" });
  actor = { userId: finance.id, organisationId: finance.membership!.organisationId, role: "FINANCE" };
});
afterAll(async () => double.stop());

let issueResult: Awaited<ReturnType<typeof processors.issueRun>>;
let invoiceA: NonNullable<Awaited<ReturnType<typeof loadInvoiceA>>>;
const loadInvoiceA = () => db().invoice.findFirst({ where: { organisationId: partnerA.id }, include: { lines: true } });

describe("a month's run with e-invoicing", () => {
  it("issues complete invoices and keeps the others as drafts, naming the missing field and its record", async () => {
    await processors.prepareRun({ month: MONTH });
    issueResult = await processors.issueRun({ month: MONTH });
    invoiceA = (await loadInvoiceA())!;
    expect(invoiceA.status).toBe("OPEN");
    expect(invoiceA.number).toMatch(/^F\d{4}-\d{5}$/);
    const messages = issueResult.blocked.flatMap((b) => b.problems);
    expect(messages).toContain(`Partenaire ${blockedNoSiret.name} : SIRET manquant`);
    expect(messages).toContain(`Site ${blockedSite.name} : adresse manquante`);
    for (const orgId of [blockedNoSiret.id, blockedSite.orgId]) {
      const draft = await db().invoice.findFirstOrThrow({ where: { organisationId: orgId } });
      expect(draft).toMatchObject({ status: "DRAFT", number: null, stripeInvoiceId: null });
    }
    // Issuing one blocked draft on its own is refused too, before any number is taken.
    const draftB = await db().invoice.findFirstOrThrow({ where: { organisationId: blockedNoSiret.id } });
    await expect(processors.issueInvoice(draftB.id)).rejects.toThrow(/SIRET manquant/);
    expect((await db().invoice.findUniqueOrThrow({ where: { id: draftB.id } })).number).toBeNull();
    // The issued invoice asked for its document in the same transaction.
    expect(await db().outboxEvent.count({ where: { businessKey: `einvoice:invoice:${invoiceA.id}` } })).toBe(1);
  });

  it("generates the month's documents as a job with progress, once", async () => {
    const progress: number[] = [];
    const job = { updateProgress: async (p: number) => void progress.push(p) };
    const result = await einvoicing.documentsRun({ month: monthOf(invoiceA.issuedAt!) }, job as never);
    expect(result).toMatchObject({ generated: 1, total: 1 });
    expect(progress.at(-1)).toBe(100);
    const again = await einvoicing.generateInvoiceDocument(invoiceA.id);
    expect(again).toMatchObject({ created: false, number: invoiceA.number });
    expect(await db().invoiceDocument.count({ where: { invoiceId: invoiceA.id } })).toBe(1);
  });

  it("stores the file with its SHA-256, kept 10 years, never rewritten nor deleted", async () => {
    const doc = await db().invoiceDocument.findFirstOrThrow({ where: { invoiceId: invoiceA.id } });
    expect(createHash("sha256").update(doc.bytes).digest("hex")).toBe(doc.sha256);
    expect(doc.retainUntil.getUTCFullYear() - doc.issueDate.getUTCFullYear()).toBe(10);
    expect(doc.transmissionStatus).toBe("pending"); // no platform: never a fake "transmitted"
    await expect(db().invoiceDocument.update({ where: { id: doc.id }, data: { bytes: Buffer.from("autre contenu") } })).rejects.toThrow(/immutable/);
    await expect(db().invoiceDocument.delete({ where: { id: doc.id } })).rejects.toThrow(/kept until/);
    // A courtesy copy by email, the very document attached, and the portal linked.
    const mail = await db().mail.findFirstOrThrow({ where: { dedupeKey: `einvoice-courtesy:${doc.id}` } });
    expect(mail.to).toBe("compta-test@sncf.example");
    expect(mail.subject).toContain(invoiceA.number!);
    expect(mail.text).toContain("/invoices");
    const sent: OutgoingMail[] = [];
    await sendMail({ mailId: mail.id }, { send: async (m) => void sent.push(m) });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.attachments?.map((a) => [a.filename, a.contentType])).toEqual([[`facture-${invoiceA.number}.pdf`, "application/pdf"]]);
    expect(createHash("sha256").update(sent[0]!.attachments![0]!.content).digest("hex")).toBe(doc.sha256);
  });
});

describe("the invoice's Factur-X, read back", () => {
  let xml: Record<string, any>;
  let pdf: Awaited<ReturnType<typeof loadPdf>>;

  beforeAll(async () => {
    const doc = await db().invoiceDocument.findFirstOrThrow({ where: { invoiceId: invoiceA.id } });
    pdf = await loadPdf(new Uint8Array(doc.bytes));
    const files = embeddedFiles(pdf);
    expect(files.map((f) => f.name)).toEqual(["factur-x.xml"]);
    // The embedded file's checksum is the MD5 of its bytes (a hex string: raw bytes once broke the PDF).
    expect(files[0]!.checkSumHex).toBe(createHash("md5").update(files[0]!.content).digest("hex"));
    xml = parseXml(files[0]!.content).CrossIndustryInvoice;
  });

  it("is an EN 16931 invoice (380) with its number, dates and parties", () => {
    expect(xml.ExchangedDocumentContext.GuidelineSpecifiedDocumentContextParameter.ID).toBe("urn:cen.eu:en16931:2017");
    expect(xml.ExchangedDocumentContext.BusinessProcessSpecifiedDocumentContextParameter.ID).toBe("S1");
    expect(xml.ExchangedDocument.ID).toBe(invoiceA.number);
    expect(xml.ExchangedDocument.TypeCode).toBe("380");
    const paris = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(d).replace(/-/g, "");
    expect(xml.ExchangedDocument.IssueDateTime.DateTimeString["#text"]).toBe(paris(invoiceA.issuedAt!));
    const agreement = xml.SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement;
    expect(agreement.SellerTradeParty.SpecifiedLegalOrganization.ID).toMatchObject({ "#text": "775663438", "@schemeID": "0002" });
    expect(agreement.BuyerTradeParty.Name).toBe(partnerA.name);
    expect(agreement.BuyerTradeParty.SpecifiedLegalOrganization.ID["#text"]).toBe("908712342");
    expect(agreement.BuyerTradeParty.SpecifiedTaxRegistration.ID["#text"]).toBe("FR53908712342");
    expect(agreement.BuyerTradeParty.PostalTradeAddress).toMatchObject({ PostcodeCode: "75012", CityName: "Paris", CountryID: "FR" });
    expect(agreement.BuyerOrderReferencedDocument?.IssuerAssignedID ?? agreement.BuyerReference).toBe("BC-2026-77");
    // The site, where the work was done, differs from the billing address: it is the delivery address.
    const shipTo = xml.SupplyChainTradeTransaction.ApplicableHeaderTradeDelivery.ShipToTradeParty;
    expect(shipTo.PostalTradeAddress).toMatchObject({ LineOne: "48 bis boulevard de Bercy", PostcodeCode: "75012" });
    const settlement = xml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement;
    expect(settlement.SpecifiedTradePaymentTerms.DueDateDateTime.DateTimeString["#text"]).toBe(paris(invoiceA.dueAt!));
    expect(settlement.SpecifiedTradePaymentTerms.Description).toContain("45 jours");
    expect(settlement.ApplicableTradeTax[0].DueDateTypeCode).toBe("72"); // VAT on receipts
    const notes = Object.fromEntries(xml.ExchangedDocument.IncludedNote.map((n: { Content: string; SubjectCode: string }) => [n.SubjectCode, n.Content]));
    expect(notes.PMT).toContain("40 €");
    expect(notes.PMD).toContain("pénalités");
    expect(notes.AAI).toContain("prestations de services");
  });

  it("totals are the sum of the lines, VAT broken down per rate, to the cent, as in the database", () => {
    const lines = xml.SupplyChainTradeTransaction.IncludedSupplyChainTradeLineItem;
    expect(lines).toHaveLength(invoiceA.lines.length);
    const lineTotals = lines.map((l: any) => cents(l.SpecifiedLineTradeSettlement.SpecifiedTradeSettlementLineMonetarySummation.LineTotalAmount));
    const settlement = xml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement;
    const sum = settlement.SpecifiedTradeSettlementHeaderMonetarySummation;
    expect(cents(sum.LineTotalAmount)).toBe(lineTotals.reduce((s: number, v: number) => s + v, 0));
    expect(cents(sum.LineTotalAmount)).toBe(invoiceA.totalExclVatCents);
    expect(cents(sum.TaxBasisTotalAmount)).toBe(invoiceA.totalExclVatCents);
    expect(cents(sum.TaxTotalAmount["#text"])).toBe(invoiceA.vatCents);
    expect(cents(sum.GrandTotalAmount)).toBe(invoiceA.totalInclVatCents);
    expect(cents(sum.DuePayableAmount)).toBe(invoiceA.totalInclVatCents);
    // Per rate: the base is the sum of that rate's lines, the tax the sum of their rounded VAT (±1 € tolerance of BR-CO-17 never needed).
    const taxes = settlement.ApplicableTradeTax as any[];
    expect(taxes.map((t) => t.RateApplicablePercent).sort()).toEqual(["0", "20", "5.5"]);
    for (const tax of taxes) {
      const rate = Math.round(Number(tax.RateApplicablePercent) * 100);
      const dbLines = invoiceA.lines.filter((l) => l.vatRateBasisPoints === rate);
      expect(cents(tax.BasisAmount)).toBe(dbLines.reduce((s, l) => s + l.amountExclVatCents, 0));
      expect(cents(tax.CalculatedAmount)).toBe(dbLines.reduce((s, l) => s + l.vatCents, 0));
      expect(Math.abs(cents(tax.CalculatedAmount) - (cents(tax.BasisAmount) * rate) / 10_000)).toBeLessThanOrEqual(dbLines.length / 2);
      if (rate === 0) {
        expect(tax).toMatchObject({ CategoryCode: "E", ExemptionReasonCode: "VATEX-EU-132", ExemptionReason: "TVA non applicable, art. 261-7-1° du CGI" });
      } else expect(tax.CategoryCode).toBe("S");
    }
  });

  it("bills the negotiated hourly price per 60 minutes worked", () => {
    const lines = xml.SupplyChainTradeTransaction.IncludedSupplyChainTradeLineItem as any[];
    const hourly = lines.filter((l) => l.SpecifiedLineTradeDelivery.BilledQuantity["@unitCode"] === "MIN");
    expect(hourly).toHaveLength(2);
    for (const l of hourly) {
      const price = l.SpecifiedLineTradeAgreement.NetPriceProductTradePrice;
      expect(cents(price.ChargeAmount)).toBe(NEGOTIATED);
      expect(price.BasisQuantity["#text"]).toBe("60");
      const minutes = Number(l.SpecifiedLineTradeDelivery.BilledQuantity["#text"]);
      const total = cents(l.SpecifiedLineTradeSettlement.SpecifiedTradeSettlementLineMonetarySummation.LineTotalAmount);
      expect(Math.abs(total - (minutes * NEGOTIATED) / 60)).toBeLessThanOrEqual(0.5);
    }
    // 495 minutes at 21,50 € an hour: 177,375 € -> 177,38 € (half up).
    expect(hourly.map((l) => l.SpecifiedLineTradeSettlement.SpecifiedTradeSettlementLineMonetarySummation.LineTotalAmount)).toContain("177.38");
  });

  it("is PDF/A-3: fonts embedded, sRGB OutputIntent, factur-x.xml attached with AFRelationship, XMP with pdfaid and the Factur-X schema", () => {
    const used = fonts(pdf);
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((f) => f.embedded)).toBe(true);
    const intents = pdf.context.lookup(pdf.catalog.get(PDFName.of("OutputIntents")) as never) as PDFArrayT;
    const intent = pdf.context.lookup(intents.get(0) as never) as PDFDictT;
    expect(intent.get(PDFName.of("S"))!.toString()).toBe("/GTS_PDFA1");
    expect(intent.get(PDFName.of("OutputConditionIdentifier"))!.toString()).toContain("sRGB");
    const profile = pdf.context.lookup(intent.get(PDFName.of("DestOutputProfile")) as never) as unknown as { dict: PDFDictT };
    expect(profile.dict.get(PDFName.of("N"))!.toString()).toBe("3");
    const [file] = embeddedFiles(pdf);
    expect(file!.spec.get(PDFName.of("AFRelationship"))!.toString()).toMatch(/^\/(Data|Alternative|Source)$/);
    expect(file!.subtype).toBe("/text#2Fxml");
    const af = pdf.context.lookup(pdf.catalog.get(PDFName.of("AF")) as never) as PDFArrayT;
    expect(af.size()).toBeGreaterThanOrEqual(1);
    const xmp = xmpMetadata(pdf);
    expect(xmp).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    expect(xmp).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(xmp).toContain("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#");
    expect(xmp).toMatch(/<fx:DocumentFileName>factur-x.xml<\/fx:DocumentFileName>/);
    expect(xmp).toMatch(/<fx:DocumentType>INVOICE<\/fx:DocumentType>/);
    expect(xmp).toMatch(/<fx:Version>1.0<\/fx:Version>/);
    expect(xmp).toMatch(/<fx:ConformanceLevel>EN 16931<\/fx:ConformanceLevel>/);
    expect(xmp).toContain("pdfaExtension:schemas");
    // The information dictionary agrees with the XMP (title) and has no entry without an XMP twin.
    const info = pdf.context.lookup(pdf.context.trailerInfo.Info as never) as PDFDictT;
    expect(info.has(PDFName.of("Keywords"))).toBe(false);
  });

  it("prints the same amounts as the XML, the database and Stripe, to the cent", async () => {
    const text = pageText(pdf);
    const norm = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");
    expect(norm(text)).toContain(`Facture ${invoiceA.number}`);
    for (const amount of [invoiceA.totalExclVatCents, invoiceA.vatCents, invoiceA.totalInclVatCents]) expect(norm(text)).toContain(norm(formatEuros(amount)));
    for (const line of invoiceA.lines) expect(norm(text)).toContain(norm(formatEuros(line.amountExclVatCents)));
    expect(text).toContain("SIREN 908712342");
    expect(text).toContain("40 €");
    const org = await db().organisation.findUniqueOrThrow({ where: { id: partnerA.id } });
    const [remote] = double.invoicesOf(org.stripeCustomerId!) as { amount_due: number; number: string }[];
    expect(remote.number).toBe(invoiceA.number);
    expect(remote.amount_due).toBe(invoiceA.totalInclVatCents);
    const sum = xml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementHeaderMonetarySummation;
    expect(cents(sum.GrandTotalAmount)).toBe(remote.amount_due);
  });
});

describe("a credit note's Factur-X", () => {
  it("is type 381, references the invoice, splits its amount per VAT rate to the cent, as Stripe and the database", async () => {
    const result = await requestCreditNote(actor, invoiceA.id, 10_000, "Heures contestées le 10 septembre");
    expect(result.ok).toBe(true);
    const note = await db().creditNote.findFirstOrThrow({ where: { invoiceId: invoiceA.id } });
    await processors.applyCreditNote({ creditNoteId: note.id });
    const outcome = await einvoicing.generateCreditNoteDocument(note.id);
    expect(outcome).toMatchObject({ created: true, number: note.number });
    const stored = await db().invoiceDocument.findFirstOrThrow({ where: { creditNoteId: note.id } });
    expect(stored.kind).toBe("CREDIT_NOTE");
    const pdf = await loadPdf(new Uint8Array(stored.bytes));
    const x = parseXml(embeddedFiles(pdf)[0]!.content).CrossIndustryInvoice;
    expect(x.ExchangedDocument.TypeCode).toBe("381");
    expect(x.ExchangedDocument.ID).toBe(note.number);
    const settlement = x.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement;
    expect(settlement.InvoiceReferencedDocument.IssuerAssignedID).toBe(invoiceA.number);
    const sum = settlement.SpecifiedTradeSettlementHeaderMonetarySummation;
    expect(cents(sum.GrandTotalAmount)).toBe(10_000);
    const taxes = settlement.ApplicableTradeTax as any[];
    expect(taxes.reduce((s, t) => s + cents(t.BasisAmount) + cents(t.CalculatedAmount), 0)).toBe(10_000);
    expect(taxes.find((t) => t.CategoryCode === "E")?.ExemptionReasonCode).toBe("VATEX-EU-132");
    expect(xmpMetadata(pdf)).toMatch(/<fx:ConformanceLevel>EN 16931<\/fx:ConformanceLevel>/);
    const remoteNote = [...double.creditNotes.values()].find((c: any) => c.metadata?.creditNoteId === note.id) as { amount: number } | undefined;
    expect(remoteNote?.amount).toBe(10_000);
    expect(note.amountCents).toBe(10_000);
  });
});
