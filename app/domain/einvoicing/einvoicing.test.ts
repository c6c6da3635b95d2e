import { describe, expect, it } from "vitest";
import { siretProblem } from "../backoffice/identifiers.ts";
import { checkInvoice } from "./checks.ts";
import { creditNoteToEN16931, invoiceToEN16931, parseFrenchAddress, splitCreditNote, vatBreakdownOf, type DocumentSettings, type InvoiceSource, type SourceLine } from "./en16931.ts";

const settings: DocumentSettings = {
  seller: {
    name: "Association Aurore — La Conciergerie Solidaire",
    legalName: "Association Aurore",
    siret: "775 663 438 00034",
    vatNumber: "FR96775663438",
    address: { line: "34 boulevard de Sébastopol", postalCode: "75004", city: "Paris", country: "FR" },
    email: null,
    bankAccount: { iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" },
  },
  vatOnReceipts: true,
  lateFeeEuros: 40,
};

const line = (over: Partial<SourceLine>): SourceLine => ({
  id: "l",
  description: "Nettoyage",
  siteId: "s1",
  prestationName: "Nettoyage",
  pricingUnit: "PER_PARTICIPANT_HOUR",
  quantity: 450,
  unitPriceCents: 2200,
  vatRateBasisPoints: 2000,
  exclVatCents: 16500,
  vatCents: 3300,
  purchaseOrderNumber: null,
  vatExemptionMention: null,
  ...over,
});

const source = (over: Partial<InvoiceSource> = {}): InvoiceSource => ({
  kind: "INVOICE",
  number: "F2026-00042",
  issuedAt: new Date("2026-10-31T23:30:00Z"), // 1 November in Paris
  dueAt: new Date("2026-12-01T10:00:00Z"),
  periodStart: "2026-10-01",
  periodEnd: "2026-10-31",
  paymentTermsDays: 30,
  buyer: {
    id: "o1",
    name: "SNCF Gares & Connexions",
    siret: "908 712 342 02310",
    vatNumber: "fr 53 908712342",
    billingAddress: "SNCF — Comptabilité fournisseurs, place Louis-Armand, 75012 Paris",
    billingEmail: "compta@sncf.example",
  },
  sites: [{ id: "s1", name: "Gare de Bercy", address: "48 bis boulevard de Bercy", postalCode: "75012", city: "Paris" }],
  lines: [
    line({ id: "a" }),
    line({ id: "b", pricingUnit: "FLAT", quantity: 1, unitPriceCents: 12345, vatRateBasisPoints: 550, exclVatCents: 12345, vatCents: 679, purchaseOrderNumber: "BC-7" }),
    line({ id: "c", pricingUnit: "FLAT", quantity: 1, unitPriceCents: 5000, vatRateBasisPoints: 0, exclVatCents: 5000, vatCents: 0, vatExemptionMention: "TVA non applicable, art. 261-7-1° du CGI" }),
  ],
  totals: { exclVatCents: 33845, vatCents: 3979, inclVatCents: 37824 },
  ...over,
});

describe("EN 16931 mapping of an invoice", () => {
  const doc = invoiceToEN16931(source(), settings);

  it("is a commercial invoice (380) of services, dated in Paris, VAT on receipts", () => {
    expect(doc.typeCode).toBe("380");
    expect(doc.issueDate).toBe("2026-11-01");
    expect(doc.dueDate).toBe("2026-12-01");
    expect(doc.businessProcess).toBe("S1");
    expect(doc.vatDueDateCode).toBe("72");
    expect(invoiceToEN16931(source(), { ...settings, vatOnReceipts: false }).vatDueDateCode).toBe("5");
    expect(doc.notes.map((n) => n.text).join(" ")).toMatch(/prestations de services/);
  });

  it("identifies both parties by SIREN (first 9 digits of the SIRET) and the buyer's VAT number", () => {
    expect(doc.seller).toMatchObject({ siren: "775663438", siret: "77566343800034", vatNumber: "FR96775663438" });
    expect(doc.buyer).toMatchObject({ siren: "908712342", siret: "90871234202310", vatNumber: "FR53908712342" });
    expect(doc.buyer.address).toEqual({ line: "SNCF — Comptabilité fournisseurs, place Louis-Armand", postalCode: "75012", city: "Paris", country: "FR" });
  });

  it("gives the site as delivery address when it differs from the billing address, not when it is the same", () => {
    expect(doc.delivery).toEqual({ name: "Gare de Bercy", address: { line: "48 bis boulevard de Bercy", postalCode: "75012", city: "Paris", country: "FR" } });
    const same = invoiceToEN16931(source({ sites: [{ id: "s1", name: "Siège", address: "place Louis-Armand", postalCode: "75012", city: "Paris" }] }), settings);
    expect(same.delivery).toBeNull();
  });

  it("writes payment terms, late penalties and the 40 € fee with their subject codes", () => {
    expect(doc.paymentTerms).toContain("30 jours");
    expect(doc.paymentTerms).toContain("01/12/2026");
    const codes = Object.fromEntries(doc.notes.map((n) => [n.subjectCode, n.text]));
    expect(codes.PMD).toMatch(/trois fois le taux d'intérêt légal/);
    expect(codes.PMT).toMatch(/40 €/);
    expect(codes.AAB).toMatch(/escompte/);
  });

  it("breaks VAT down per rate, exempt lines with their VATEX code and legal text; totals are the sums of the lines", () => {
    expect(doc.vatBreakdown).toEqual([
      { category: "S", rateBasisPoints: 2000, basisCents: 16500, taxCents: 3300, exemptionCode: null, exemptionReason: null },
      { category: "S", rateBasisPoints: 550, basisCents: 12345, taxCents: 679, exemptionCode: null, exemptionReason: null },
      { category: "E", rateBasisPoints: 0, basisCents: 5000, taxCents: 0, exemptionCode: "VATEX-EU-132", exemptionReason: "TVA non applicable, art. 261-7-1° du CGI" },
    ]);
    expect(doc.totals).toEqual({ lineTotalCents: 33845, taxBasisCents: 33845, taxCents: 3979, grandTotalCents: 37824, duePayableCents: 37824 });
  });

  it("bills minutes at an hourly price exactly (price per 60 minutes) and a flat price as one unit", () => {
    expect(doc.lines[0]).toMatchObject({ quantity: "450", unitCode: "MIN", netPriceCents: 2200, baseQuantity: "60", netAmountCents: 16500, vatCategory: "S" });
    expect(doc.lines[1]).toMatchObject({ quantity: "1", unitCode: "C62", netPriceCents: 12345, baseQuantity: null, note: "Bon de commande : BC-7" });
    expect(doc.lines[2]).toMatchObject({ vatCategory: "E", vatRateBasisPoints: 0 });
    // A late cancellation (a share of the price) is one unit at the line's amount.
    const late = invoiceToEN16931(source({ lines: [line({ quantity: 540, exclVatCents: 9900, vatCents: 1980 })] }), settings);
    expect(late.lines[0]).toMatchObject({ quantity: "1", unitCode: "C62", netPriceCents: 9900, netAmountCents: 9900 });
  });

  it("puts each line's site in its note when the invoice covers several sites", () => {
    const two = invoiceToEN16931(
      source({
        sites: [...source().sites, { id: "s2", name: "Gare de Lyon", address: "place Louis-Armand", postalCode: "75012", city: "Paris" }],
        lines: [line({ id: "a" }), line({ id: "b", siteId: "s2" })],
      }),
      settings,
    );
    expect(two.delivery).toBeNull();
    expect(two.lines[1]!.note).toContain("Gare de Lyon");
    expect(two.sites).toHaveLength(2);
  });
});

describe("credit notes", () => {
  it("split their amount over the invoice's VAT rates to the cent", () => {
    const parts = splitCreditNote(10000, source().lines);
    expect(parts.reduce((s, p) => s + p.inclVatCents, 0)).toBe(10000);
    for (const p of parts) expect(p.exclVatCents + p.vatCents).toBe(p.inclVatCents);
    // 20 % weighs 19800 of 37824: 5235 cents of the credit note, 4363 + 872 VAT.
    expect(parts.find((p) => p.vatRateBasisPoints === 2000)).toMatchObject({ inclVatCents: 5235, exclVatCents: 4363, vatCents: 872 });
  });

  it("are type 381 and reference the invoice they correct", () => {
    const doc = creditNoteToEN16931(
      { kind: "CREDIT_NOTE", number: "A2026-00003", issuedAt: new Date("2026-11-20T10:00:00Z"), amountCents: 10000, reason: "Heures contestées", invoice: source() },
      settings,
    );
    expect(doc.typeCode).toBe("381");
    expect(doc.precedingInvoice).toEqual({ number: "F2026-00042", issueDate: "2026-11-01" });
    expect(doc.totals.grandTotalCents).toBe(10000);
    expect(doc.totals.lineTotalCents).toBe(doc.lines.reduce((s, l) => s + l.netAmountCents, 0));
    expect(doc.vatBreakdown.find((b) => b.category === "E")?.exemptionCode).toBe("VATEX-EU-132");
  });
});

describe("mandatory fields before issue", () => {
  it("finds nothing missing on a complete invoice", () => {
    expect(checkInvoice(source({ buyer: { ...source().buyer, siret: "90871234202310" } }), settings.seller).filter((p) => p.field === "siret")).toEqual([]);
  });

  it("names the missing field and the record it belongs to", () => {
    const problems = checkInvoice(
      source({
        buyer: { ...source().buyer, name: "SNCF", siret: null, billingAddress: "" },
        sites: [{ id: "s1", name: "Gare de Bercy", address: " ", postalCode: "75012", city: "Paris" }],
        lines: [line({ vatRateBasisPoints: 0, vatCents: 0, vatExemptionMention: null, prestationName: "Tri du vestiaire" })],
      }),
      settings.seller,
    ).map((p) => p.message);
    expect(problems).toEqual([
      "Partenaire SNCF : SIRET manquant",
      "Partenaire SNCF : adresse de facturation manquante",
      "Site Gare de Bercy : adresse manquante",
      "Prestation Tri du vestiaire : mention légale d'exonération de TVA manquante",
    ]);
  });

  it("refuses a SIRET that fails its check digit and a billing address without postal code and city", () => {
    const problems = checkInvoice(source({ buyer: { ...source().buyer, siret: "12345678900011", billingAddress: "Quelque part" } }), settings.seller).map((p) => p.message);
    expect(problems).toContain("Partenaire SNCF Gares & Connexions : SIRET invalide (14 chiffres attendus)");
    expect(problems).toContain("Partenaire SNCF Gares & Connexions : adresse de facturation incomplète (code postal et ville attendus)");
    expect(siretProblem("90871234202310")).toBeNull();
  });

  it("reads French addresses", () => {
    expect(parseFrenchAddress("21 rue Boulard, 75014 Paris")).toEqual({ line: "21 rue Boulard", postalCode: "75014", city: "Paris", country: "FR" });
    expect(parseFrenchAddress("Mairie")).toBeNull();
  });

  it("vatBreakdownOf keeps rounding per line (total VAT is the sum of the printed line VAT)", () => {
    const lines = [1, 2, 3].map(() => ({ vatRateBasisPoints: 2000, exclVatCents: 333, vatCents: 67 }));
    expect(vatBreakdownOf(lines)[0]).toMatchObject({ basisCents: 999, taxCents: 201 });
  });
});

describe("retention and VAT settings", () => {
  it("refuses keeping documents less than the 10 years of the law, with a French message", async () => {
    const { RULE_FORMS } = await import("~/domain/backoffice/rules-forms.ts");
    const { SERVICE_RULES, resolveServiceRules } = await import("~/domain/settings/rules.ts");
    const form = RULE_FORMS.einvoiceRetentionYears!;
    const refused = form.safeParse({ intent: "einvoiceRetentionYears", value: "9" });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.message).toBe("10 ans au moins.");
    expect(form.safeParse({ intent: "einvoiceRetentionYears", value: "12" }).data).toEqual({ key: "einvoiceRetentionYears", value: 12 });
    expect(SERVICE_RULES.einvoiceRetentionYears.safeParse(5).success).toBe(false);
    // A stored value under the law's minimum is never used: the default (10 years) applies.
    expect(resolveServiceRules({ einvoiceRetentionYears: 3 }).einvoiceRetentionYears).toBe(10);
    expect(resolveServiceRules({}).vatOnReceipts).toBe(true);
    expect(RULE_FORMS.vatOnReceipts!.safeParse({ intent: "vatOnReceipts" }).data).toEqual({ key: "vatOnReceipts", value: false });
  });
});

describe("the seller's bank account and the fields validators require", () => {
  it("checks an IBAN by its mod-97 key and a BIC by its format when saved, with French messages", async () => {
    const { RULE_FORMS } = await import("~/domain/backoffice/rules-forms.ts");
    const form = RULE_FORMS.sellerBankAccount!;
    const ok = form.safeParse({ intent: "sellerBankAccount", iban: "fr76 3000 6000 0112 3456 7890 189", bic: "agrifrpp", accountName: " Association Aurore " });
    expect(ok.data).toEqual({ key: "sellerBankAccount", value: { iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" } });
    const badKey = form.safeParse({ intent: "sellerBankAccount", iban: "FR7630006000011234567890188", bic: "AGRIFRPP", accountName: "Aurore" });
    expect(badKey.error!.issues.map((i) => [i.path[0], i.message])).toEqual([["iban", "IBAN invalide : la clé de contrôle ne correspond pas. Vérifiez chaque caractère."]]);
    const badBic = form.safeParse({ intent: "sellerBankAccount", iban: "FR7630006000011234567890189", bic: "AGRI", accountName: "" });
    expect(badBic.error!.issues.map((i) => i.path[0]).sort()).toEqual(["accountName", "bic"]);
  });

  it("refuses to issue while the seller has no bank account", () => {
    const problems = checkInvoice(source({ buyer: { ...source().buyer, siret: "90871234202310" } }), { ...settings.seller, bankAccount: null });
    expect(problems).toEqual([
      { record: "seller", recordId: null, field: "bankAccount", message: "Émetteur Association Aurore : compte bancaire (IBAN, BIC, titulaire) manquant, à saisir dans Règles du service" },
    ]);
  });

  it("pays by SEPA transfer to the seller's account, dates the delivery (BT-72) and puts one purchase order in BT-13", () => {
    const doc = invoiceToEN16931(source({ lines: [line({ id: "a", performedOn: "2026-10-20" }), line({ id: "b", performedOn: "2026-10-27", purchaseOrderNumber: "BC-7" })] }), settings);
    expect(doc.paymentMeans).toEqual({ code: "58", label: "Virement SEPA", account: settings.seller.bankAccount });
    expect(doc.deliveryDate).toBe("2026-10-27");
    expect(doc.purchaseOrder).toBe("BC-7");
    // Without a dated line, the period's end; several orders: no BT-13, each on its line and all in a note.
    const several = invoiceToEN16931(source({ lines: [line({ id: "a", purchaseOrderNumber: "BC-1" }), line({ id: "b", purchaseOrderNumber: "BC-2" })] }), settings);
    expect(several.deliveryDate).toBe("2026-10-31");
    expect(several.purchaseOrder).toBeNull();
    expect(several.notes.map((n) => n.text)).toContain("Bons de commande : BC-1, BC-2 (indiqués sur chaque ligne).");
  });

  it("keeps the escompte mention (AAB, BR-FR-05) on a credit note", () => {
    const note = creditNoteToEN16931(
      { kind: "CREDIT_NOTE", number: "A2026-00003", issuedAt: new Date("2026-11-20T10:00:00Z"), amountCents: 10000, reason: "Heures contestées", invoice: source() },
      settings,
    );
    expect(note.notes.find((n) => n.subjectCode === "AAB")?.text).toBe("Pas d'escompte pour paiement anticipé.");
    expect(note.paymentMeans.account?.iban).toBe("FR7630006000011234567890189");
  });
});
