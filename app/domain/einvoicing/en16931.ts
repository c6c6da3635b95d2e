// An issued invoice or credit note as EN 16931 data (the semantic model the
// French e-invoicing reform builds on), from plain data the data layer loads.
// Pure: no I/O, no clock. The Factur-X writer and the readable PDF both read
// this one model, so the XML and the printed figures cannot disagree.
import { linePricing } from "~/domain/invoicing/document-lines.ts";
import { divideRoundHalfUp } from "~/domain/money/lines.ts";

export type PostalAddress = { line: string; postalCode: string; city: string; country: "FR" };

export type SellerIdentity = {
  name: string;
  legalName: string;
  siret: string; // may contain spaces
  vatNumber: string;
  address: PostalAddress;
  email: string | null;
  /** BG-17, the account transfers are paid to; null until finance enters it in the service's settings (issuing is then refused). */
  bankAccount: BankAccount | null;
};

/** BT-84 (IBAN, electronic form), BT-85 (account name), BT-86 (BIC). */
export type BankAccount = { iban: string; bic: string; accountName: string };

export type SourceSite = { id: string; name: string; address: string; postalCode: string; city: string };

export type SourceLine = {
  id: string;
  description: string;
  siteId: string | null;
  prestationName: string | null;
  pricingUnit: "PER_PARTICIPANT_HOUR" | "FLAT" | null;
  /** Minutes × workers for an hourly price, 1 for a flat price (as stored on the invoice line). */
  quantity: number;
  unitPriceCents: number;
  vatRateBasisPoints: number;
  exclVatCents: number;
  vatCents: number;
  purchaseOrderNumber: string | null;
  /** The prestation's legal text when its VAT rate is 0 % by exemption. */
  vatExemptionMention: string | null;
  /** The day the intervention was performed (YYYY-MM-DD, Paris), when the line has one. */
  performedOn?: string | null;
};

export type SourceBuyer = {
  id: string;
  name: string;
  siret: string | null;
  vatNumber: string | null;
  billingAddress: string | null;
  billingEmail: string | null;
};

export type InvoiceSource = {
  kind: "INVOICE";
  number: string;
  issuedAt: Date;
  dueAt: Date | null;
  periodStart: string; // YYYY-MM-DD
  periodEnd: string;
  paymentTermsDays: number;
  buyer: SourceBuyer;
  sites: SourceSite[];
  lines: SourceLine[];
  totals: { exclVatCents: number; vatCents: number; inclVatCents: number };
};

export type CreditNoteSource = {
  kind: "CREDIT_NOTE";
  number: string;
  issuedAt: Date;
  amountCents: number; // incl. VAT, as finance entered it
  reason: string;
  invoice: InvoiceSource; // the invoice it corrects (issued)
};

export type DocumentSettings = {
  seller: SellerIdentity;
  /** VAT due on receipts (TVA sur les encaissements, the rule for services) rather than on debits. */
  vatOnReceipts: boolean;
  lateFeeEuros: number; // 40 € (art. D441-5)
};

export type VatCategory = "S" | "E";

export type EN16931Line = {
  id: string; // BT-126
  name: string; // BT-153
  note: string | null; // BT-127: site and purchase order
  quantity: string; // BT-129, decimal
  unitCode: "MIN" | "C62"; // BT-130
  netPriceCents: number; // BT-146
  baseQuantity: string | null; // BT-149
  netAmountCents: number; // BT-131
  vatCategory: VatCategory; // BT-151
  vatRateBasisPoints: number; // BT-152
};

export type EN16931Breakdown = {
  category: VatCategory;
  rateBasisPoints: number;
  basisCents: number; // BT-116
  taxCents: number; // BT-117
  exemptionCode: string | null; // BT-121
  exemptionReason: string | null; // BT-120
};

export type EN16931Note = { subjectCode: "PMT" | "PMD" | "AAB" | "TXD" | "AAI" | "REG"; text: string };

export type EN16931Party = {
  name: string;
  siren: string; // BT-30 / BT-47 (scheme 0002)
  siret: string; // BT-29 / BT-46 (scheme 0009)
  vatNumber: string | null; // BT-31 / BT-48
  address: PostalAddress;
  email: string | null;
};

export type EN16931Document = {
  typeCode: "380" | "381"; // BT-3: commercial invoice, credit note
  number: string; // BT-1
  issueDate: string; // BT-2, YYYY-MM-DD (Paris)
  dueDate: string | null; // BT-9
  currency: "EUR";
  /** BT-23, the French "cadre de facturation": S1 = invoice of services. */
  businessProcess: "S1";
  /** BT-8 in CII terms (UNTDID 2475): 72 = VAT due when paid (encaissements), 5 = on the invoice date (débits). */
  vatDueDateCode: "72" | "5";
  period: { start: string; end: string }; // BT-73, BT-74
  notes: EN16931Note[]; // BT-22 with subject codes
  seller: EN16931Party;
  buyer: EN16931Party;
  /** BG-13/BG-15: the site where the services were performed, when it is one site other than the billing address. */
  delivery: { name: string; address: PostalAddress } | null;
  /** BT-72, the actual delivery date: the last day a service of the document was performed (else the period's end). */
  deliveryDate: string;
  /** BT-81: 58 = SEPA credit transfer, to the seller's account (BG-17). */
  paymentMeans: { code: "58"; label: string; account: BankAccount | null };
  /**
   * BT-13 when the lines share one purchase order. Lines under several orders
   * have no BT-13 (CII allows one): each line's order is in its note (BT-127)
   * and all of them in a header note.
   */
  purchaseOrder: string | null;
  buyerReference: string | null; // BT-10
  precedingInvoice: { number: string; issueDate: string } | null; // BG-3
  paymentTerms: string; // BT-20
  lines: EN16931Line[];
  vatBreakdown: EN16931Breakdown[];
  totals: { lineTotalCents: number; taxBasisCents: number; taxCents: number; grandTotalCents: number; duePayableCents: number };
  /** Lines printed as sites in the readable document (several sites on one invoice). */
  sites: { name: string; address: PostalAddress }[];
};

/** The exemption code of a line at 0 %: VATEX-EU-132, activities in the public interest (art. 132 of directive 2006/112/EC, CGI art. 261-7-1°). */
export const DEFAULT_EXEMPTION_CODE = "VATEX-EU-132";
export const DEFAULT_EXEMPTION_TEXT = "Exonération de TVA, article 261-7-1° du CGI";

export const digitsOnly = (s: string | null | undefined) => (s ?? "").replace(/\D/g, "");
export const sirenOf = (siret: string | null | undefined) => digitsOnly(siret).slice(0, 9);

/** "SNCF — Comptabilité, place Louis-Armand, 75012 Paris" -> line, postal code, city. Null when no postal code and city can be read. */
export function parseFrenchAddress(text: string | null | undefined): PostalAddress | null {
  const value = (text ?? "").replace(/\s+/g, " ").trim();
  const match = /^(.*?)[,\s]+(\d{5})\s+([^\d,][^,]*)$/.exec(value);
  if (!match || !match[1]!.trim()) return null;
  return { line: match[1]!.replace(/[,\s]+$/, "").trim(), postalCode: match[2]!, city: match[3]!.trim(), country: "FR" };
}

export const siteAddress = (s: SourceSite): PostalAddress => ({ line: s.address.trim(), postalCode: s.postalCode.trim(), city: s.city.trim(), country: "FR" });

const sameAddress = (a: PostalAddress, b: PostalAddress) => {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]/g, "");
  return a.postalCode === b.postalCode && norm(a.city) === norm(b.city) && norm(b.line).endsWith(norm(a.line));
};

export const parisIsoDate = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

/** "12,5" style decimal of a cents amount, for the readable document; the XML uses "12.50". */
export const decimalOfCents = (cents: number) => {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
};

/** Text in XML (the CII and CDAR we write by hand). */
export const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A rate in basis points as the percent EN 16931 writes ("20", "5.5"). */
export const percentOfBasisPoints = (bp: number) => String(bp / 100);

function vatCategoryOf(rate: number): VatCategory {
  return rate === 0 ? "E" : "S";
}

function lineOf(line: SourceLine, sites: Map<string, SourceSite>, multipleSites: boolean): EN16931Line {
  const notes: string[] = [];
  const site = line.siteId ? sites.get(line.siteId) : undefined;
  if (site && multipleSites) notes.push(`Lieu d'exécution : ${site.name}, ${site.address}, ${site.postalCode} ${site.city}`);
  if (line.purchaseOrderNumber) notes.push(`Bon de commande : ${line.purchaseOrderNumber}`);
  const common = {
    id: line.id,
    name: line.description,
    note: notes.length ? notes.join(" · ") : null,
    netAmountCents: line.exclVatCents,
    vatCategory: vatCategoryOf(line.vatRateBasisPoints),
    vatRateBasisPoints: line.vatRateBasisPoints,
  };
  const pricing = linePricing({ pricingUnit: line.pricingUnit, quantity: line.quantity, unitPriceCents: line.unitPriceCents, exclVatCents: line.exclVatCents });
  return { ...common, quantity: String(pricing.quantity), unitCode: pricing.unitCode, netPriceCents: pricing.unitPriceCents, baseQuantity: pricing.baseQuantity ? String(pricing.baseQuantity) : null };
}

/** VAT breakdown per rate: bases and taxes are sums of the lines, as printed (VAT is rounded per line). */
export function vatBreakdownOf(lines: readonly { vatRateBasisPoints: number; exclVatCents: number; vatCents: number; vatExemptionMention?: string | null }[]): EN16931Breakdown[] {
  const byRate = new Map<number, EN16931Breakdown & { mentions: Set<string> }>();
  for (const l of lines) {
    const entry = byRate.get(l.vatRateBasisPoints) ?? {
      category: vatCategoryOf(l.vatRateBasisPoints),
      rateBasisPoints: l.vatRateBasisPoints,
      basisCents: 0,
      taxCents: 0,
      exemptionCode: null,
      exemptionReason: null,
      mentions: new Set<string>(),
    };
    entry.basisCents += l.exclVatCents;
    entry.taxCents += l.vatCents;
    if (entry.category === "E") entry.mentions.add((l.vatExemptionMention ?? "").trim() || DEFAULT_EXEMPTION_TEXT);
    byRate.set(l.vatRateBasisPoints, entry);
  }
  return [...byRate.values()]
    .sort((a, b) => b.rateBasisPoints - a.rateBasisPoints)
    .map(({ mentions, ...b }) => (b.category === "E" ? { ...b, exemptionCode: DEFAULT_EXEMPTION_CODE, exemptionReason: [...mentions].join(" ; ") } : b));
}

function partyOfBuyer(buyer: SourceBuyer): EN16931Party {
  const address = parseFrenchAddress(buyer.billingAddress) ?? { line: (buyer.billingAddress ?? "").trim(), postalCode: "", city: "", country: "FR" as const };
  return {
    name: buyer.name,
    siren: sirenOf(buyer.siret),
    siret: digitsOnly(buyer.siret),
    vatNumber: buyer.vatNumber ? buyer.vatNumber.replace(/\s/g, "").toUpperCase() : null,
    address,
    email: buyer.billingEmail,
  };
}

function partyOfSeller(seller: SellerIdentity): EN16931Party {
  return { name: seller.legalName, siren: sirenOf(seller.siret), siret: digitsOnly(seller.siret), vatNumber: seller.vatNumber, address: seller.address, email: seller.email };
}

const frDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

function legalNotes(settings: DocumentSettings, paymentTermsDays: number | null): EN16931Note[] {
  return [
    { subjectCode: "AAI", text: "Catégorie de l'opération : prestations de services." },
    {
      subjectCode: "TXD",
      text: settings.vatOnReceipts ? "TVA exigible à l'encaissement (TVA sur les encaissements)." : "Option pour le paiement de la TVA d'après les débits.",
    },
    // BR-FR-05: the escompte mention (AAB) is on every document, a credit note's included.
    { subjectCode: "AAB", text: paymentTermsDays === null ? "Pas d'escompte pour paiement anticipé." : `Paiement à ${paymentTermsDays} jours. Pas d'escompte pour paiement anticipé.` },
    { subjectCode: "PMD", text: "En cas de retard de paiement, pénalités au taux de trois fois le taux d'intérêt légal (art. L441-10 du Code de commerce), exigibles dès le lendemain de l'échéance." },
    { subjectCode: "PMT", text: `Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : ${settings.lateFeeEuros} € (art. D441-5 du Code de commerce).` },
  ];
}

function deliveryOf(source: InvoiceSource, buyerAddress: PostalAddress) {
  const used = new Set(source.lines.map((l) => l.siteId).filter((id): id is string => !!id));
  const sites = source.sites.filter((s) => used.has(s.id));
  const single = sites.length === 1 ? sites[0]! : null;
  const delivery = single && !sameAddress(siteAddress(single), buyerAddress) ? { name: single.name, address: siteAddress(single) } : null;
  return { delivery, sites: sites.map((s) => ({ name: s.name, address: siteAddress(s) })), multiple: sites.length > 1 };
}

/** The EN 16931 data of an issued invoice (type 380). */
export function invoiceToEN16931(source: InvoiceSource, settings: DocumentSettings): EN16931Document {
  const buyer = partyOfBuyer(source.buyer);
  const sites = new Map(source.sites.map((s) => [s.id, s]));
  const { delivery, sites: usedSites, multiple } = deliveryOf(source, buyer.address);
  const lines = source.lines.map((l) => lineOf(l, sites, multiple));
  const vatBreakdown = vatBreakdownOf(source.lines);
  const lineTotal = lines.reduce((s, l) => s + l.netAmountCents, 0);
  const tax = vatBreakdown.reduce((s, b) => s + b.taxCents, 0);
  const purchaseOrders = [...new Set(source.lines.map((l) => l.purchaseOrderNumber).filter((p): p is string => !!p))];
  const issueDate = parisIsoDate(source.issuedAt);
  const dueDate = source.dueAt ? parisIsoDate(source.dueAt) : null;
  const performed = source.lines
    .map((l) => l.performedOn)
    .filter((d): d is string => !!d)
    .sort();
  const notes = legalNotes(settings, source.paymentTermsDays);
  if (purchaseOrders.length > 1) notes.push({ subjectCode: "AAI", text: `Bons de commande : ${purchaseOrders.join(", ")} (indiqués sur chaque ligne).` });
  return {
    typeCode: "380",
    number: source.number,
    issueDate,
    dueDate,
    currency: "EUR",
    businessProcess: "S1",
    vatDueDateCode: settings.vatOnReceipts ? "72" : "5",
    period: { start: source.periodStart, end: source.periodEnd },
    notes,
    seller: partyOfSeller(settings.seller),
    buyer,
    delivery,
    deliveryDate: performed.length ? performed[performed.length - 1]! : source.periodEnd,
    paymentMeans: { code: "58", label: "Virement SEPA", account: settings.seller.bankAccount },
    purchaseOrder: purchaseOrders.length === 1 ? purchaseOrders[0]! : null,
    buyerReference: purchaseOrders.length === 1 ? purchaseOrders[0]! : null,
    precedingInvoice: null,
    paymentTerms: `Paiement à ${source.paymentTermsDays} jours${dueDate ? `, au plus tard le ${frDate(dueDate)}` : ""}, par virement ou par carte depuis la page de paiement.`,
    lines,
    vatBreakdown,
    totals: { lineTotalCents: lineTotal, taxBasisCents: lineTotal, taxCents: tax, grandTotalCents: lineTotal + tax, duePayableCents: lineTotal + tax },
    sites: usedSites,
  };
}

/**
 * Splits a credit note's amount (incl. VAT) over the corrected invoice's VAT
 * rates, in proportion to what each rate weighs in the invoice (largest
 * remainder, so the parts sum to the amount to the cent); each part is then
 * split into base and VAT at its rate.
 */
export function splitCreditNote(amountCents: number, invoiceLines: readonly { vatRateBasisPoints: number; exclVatCents: number; vatCents: number; vatExemptionMention?: string | null }[]) {
  const weights = vatBreakdownOf(invoiceLines).map((b) => ({ ...b, incl: b.basisCents + b.taxCents }));
  const total = weights.reduce((s, w) => s + w.incl, 0);
  if (total <= 0 || weights.length === 0) throw new RangeError("A credit note corrects an invoice with a positive total");
  const shares = weights.map((w) => ({ w, exact: amountCents * w.incl, floor: Math.floor((amountCents * w.incl) / total) }));
  let rest = amountCents - shares.reduce((s, x) => s + x.floor, 0);
  const order = [...shares].sort((a, b) => (b.exact % total) - (a.exact % total) || b.w.rateBasisPoints - a.w.rateBasisPoints);
  for (const share of order) {
    if (rest <= 0) break;
    share.floor += 1;
    rest -= 1;
  }
  return shares
    .filter((s) => s.floor > 0)
    .map((s) => {
      const exclVatCents = divideRoundHalfUp(s.floor * 10_000, 10_000 + s.w.rateBasisPoints);
      return { vatRateBasisPoints: s.w.rateBasisPoints, inclVatCents: s.floor, exclVatCents, vatCents: s.floor - exclVatCents, exemptionReason: s.w.exemptionReason };
    });
}

/** The EN 16931 data of a credit note (type 381), referencing the invoice it corrects. */
export function creditNoteToEN16931(source: CreditNoteSource, settings: DocumentSettings): EN16931Document {
  const invoice = invoiceToEN16931(source.invoice, settings);
  const parts = splitCreditNote(source.amountCents, source.invoice.lines);
  const lines: EN16931Line[] = parts.map((p, i) => ({
    id: String(i + 1),
    name: `Avoir sur la facture ${source.invoice.number} : ${source.reason}`,
    note: null,
    quantity: "1",
    unitCode: "C62",
    netPriceCents: p.exclVatCents,
    baseQuantity: null,
    netAmountCents: p.exclVatCents,
    vatCategory: vatCategoryOf(p.vatRateBasisPoints),
    vatRateBasisPoints: p.vatRateBasisPoints,
  }));
  const vatBreakdown = vatBreakdownOf(parts.map((p) => ({ vatRateBasisPoints: p.vatRateBasisPoints, exclVatCents: p.exclVatCents, vatCents: p.vatCents, vatExemptionMention: p.exemptionReason })));
  const lineTotal = lines.reduce((s, l) => s + l.netAmountCents, 0);
  const tax = vatBreakdown.reduce((s, b) => s + b.taxCents, 0);
  return {
    ...invoice,
    typeCode: "381",
    number: source.number,
    issueDate: parisIsoDate(source.issuedAt),
    dueDate: null,
    notes: [{ subjectCode: "REG", text: `Avoir rectifiant la facture ${source.invoice.number} du ${frDate(invoice.issueDate)} : ${source.reason}` }, ...legalNotes(settings, null)],
    precedingInvoice: { number: source.invoice.number, issueDate: invoice.issueDate },
    paymentTerms: `Avoir à déduire de la facture ${source.invoice.number} ou remboursé par virement.`,
    lines,
    vatBreakdown,
    totals: { lineTotalCents: lineTotal, taxBasisCents: lineTotal, taxCents: tax, grandTotalCents: lineTotal + tax, duePayableCents: lineTotal + tax },
  };
}
