// Factur-X (PDF/A-3 + EN 16931 CII XML) from the EN 16931 model, through
// @e-invoice-eu/core (format "Factur-X-EN16931"), which embeds factur-x.xml
// with AFRelationship, the sRGB OutputIntent and the XMP metadata (pdfaid
// part 3, Factur-X extension schema). What it leaves out is mended here, with
// pdf-lib, after the fact:
//  - the XML's notes carry their subject codes (PMT, PMD, AAB, ...) that the
//    library's UBL-shaped input cannot express; the VAT due date code (BT-8,
//    72 = on receipts) and a credit note's preceding invoice (BG-3) that its
//    UBL-to-CII mapping drops;
//  - the parties' SIRET (BT-29/BT-46, scheme 0009), the purchase order (BT-13)
//    and the delivery element with its date (BG-13, BT-72), mandatory in CII;
//  - one XML stream only (the library leaves a first, unreferenced one);
//  - French metadata ("Facture F…", "Avoir A…"), the same in the XMP and the
//    document information dictionary (PDF/A 6.7.3: Title, Subject, Creator =
//    CreatorTool, Producer; Keywords has no XMP twin, so it goes);
//  - the ICC profile stream states its number of components (/N 3).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { FormatFactoryService, invoiceSchema, type Invoice } from "@e-invoice-eu/core";
import { Ajv2019 } from "ajv/dist/2019.js";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, type PDFString, decodePDFRawStream } from "pdf-lib";
import { escapeXml, type EN16931Document } from "~/domain/einvoicing/en16931.ts";
import { toLibraryInvoice } from "~/domain/einvoicing/library-json.ts";
import { readablePdf, type Fonts } from "~/domain/einvoicing/readable-pdf.ts";

export const FACTURX_FORMAT = "Factur-X-EN16931";

let fonts: Fonts | null = null;
/** DejaVu Sans from the dejavu-fonts-ttf package, read once. */
export function documentFonts(): Fonts {
  if (!fonts) {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
    fonts = { regular: readFileSync(path.join(dir, "DejaVuSans.ttf")), bold: readFileSync(path.join(dir, "DejaVuSans-Bold.ttf")) };
  }
  return fonts;
}

const quietLogger = { log() {}, warn() {}, error: (m: unknown) => process.stderr.write(`[facturx] ${String(m)}\n`) };

// What the library's InvoiceService.generate does, with the JSON schema compiled
// once per format instead of at every call (the compilation took ~160 ms a
// document): validate (with defaults), fill the format's defaults, generate.
const factory = new FormatFactoryService();
const formats = new Map<string, { formatter: ReturnType<FormatFactoryService["createFormatService"]>; name: string; validate: (data: unknown) => boolean; errors: () => unknown }>();
function formatFor(format: string) {
  let entry = formats.get(format);
  if (!entry) {
    const formatter = factory.createFormatService(format, quietLogger);
    const schema = structuredClone(invoiceSchema);
    formatter.patchSchema(schema as never);
    const ajv = new Ajv2019({ strict: true, allErrors: true, useDefaults: true });
    const validate = ajv.compile(schema);
    entry = { formatter, name: factory.normalizeFormat(format), validate: (data) => validate(data) as boolean, errors: () => validate.errors };
    formats.set(format, entry);
  }
  return entry;
}

async function generate(invoice: Invoice, format: string, pdf?: { buffer: Uint8Array; filename: string; mimetype: string }) {
  const { formatter, name, validate, errors } = formatFor(format);
  const data = structuredClone(invoice);
  if (!validate(data)) throw new Error(`Données Factur-X invalides : ${JSON.stringify(errors())}`);
  formatter.fillInvoiceDefaults(data);
  return formatter.generate(data, { format: name, lang: "fr-fr", noWarnings: true, ...(pdf ? { pdf } : {}) });
}

/** The Factur-X EN 16931 document: readable PDF/A-3 with factur-x.xml embedded. */
export async function facturX(doc: EN16931Document): Promise<Uint8Array> {
  const readable = await readablePdf(doc, documentFonts(), { footer: "Document Factur-X (profil EN 16931) : les données structurées de cette facture sont jointes au fichier (factur-x.xml)." });
  const generated = (await generate(toLibraryInvoice(doc), FACTURX_FORMAT, { buffer: readable, filename: `${doc.number}.pdf`, mimetype: "application/pdf" })) as Uint8Array;
  return mendPdfA(generated, doc);
}

/** A plain PDF/A statement (Aurore's own sites, outside the reform): no XML, same fonts. */
export async function plainStatement(doc: EN16931Document): Promise<Uint8Array> {
  return readablePdf(doc, documentFonts(), { title: "Relevé interne", footer: "Relevé interne entre établissements de l'association Aurore : ce document n'est pas une facture." });
}

const date102 = (iso: string) => `<udt:DateTimeString format="102">${iso.replace(/-/g, "")}</udt:DateTimeString>`;

/** What the library's CII lacks, added in schema order (see the header). */
export function completeCii(xml: string, doc: EN16931Document): string {
  let out = addNoteSubjectCodes(xml, doc);
  // BT-29 / BT-46: each party's SIRET under ISO 6523 scheme 0009, as CII writes an identifier with a scheme
  // (ram:GlobalID; BR-FR-09 checks it against the SIREN). The library writes the buyer's bare, the seller's not at all.
  for (const [tag, party] of [
    ["SellerTradeParty", doc.seller],
    ["BuyerTradeParty", doc.buyer],
  ] as const) {
    const ids = party.siret.length === 14 ? `<ram:GlobalID schemeID="0009">${party.siret}</ram:GlobalID>` : "";
    out = out.replace(new RegExp(`(<ram:${tag}>)\\s*(?:<ram:(?:Global)?ID[^>]*>[^<]*</ram:(?:Global)?ID>\\s*)*(<ram:Name>)`), `$1${ids}$2`);
  }
  // BT-13: the buyer's purchase order (the library keeps it for the EXTENDED profile only). Last of what we write in the agreement.
  if (doc.purchaseOrder && !out.includes("<ram:BuyerOrderReferencedDocument>")) {
    out = out.replace(
      "</ram:ApplicableHeaderTradeAgreement>",
      `<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>${escapeXml(doc.purchaseOrder)}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument></ram:ApplicableHeaderTradeAgreement>`,
    );
  }
  // BG-13: the delivery element is mandatory in CII, even with no ship-to party; BT-72 the last day of service.
  out = out.replace(/\s*<ram:ApplicableHeaderTradeDelivery\s*\/>|\s*<ram:ApplicableHeaderTradeDelivery>[\s\S]*?<\/ram:ApplicableHeaderTradeDelivery>/, "");
  out = out.replace("<ram:ApplicableHeaderTradeSettlement>", `${deliveryXml(doc)}<ram:ApplicableHeaderTradeSettlement>`);
  // BT-8 in each header VAT breakdown (the ones with a CalculatedAmount), before the rate.
  const settlementAt = out.indexOf("<ram:ApplicableHeaderTradeSettlement>");
  if (settlementAt >= 0 && !out.includes("<ram:DueDateTypeCode>")) {
    const head = out.slice(0, settlementAt);
    const tail = out
      .slice(settlementAt)
      .replace(/(<ram:ApplicableTradeTax>(?:(?!<\/ram:ApplicableTradeTax>)[\s\S])*?)(\s*<ram:RateApplicablePercent>)/g, (_m, before: string, rate: string) =>
        before.includes("<ram:CalculatedAmount>")
          ? `${before}${rate.replace("<ram:RateApplicablePercent>", `<ram:DueDateTypeCode>${doc.vatDueDateCode}</ram:DueDateTypeCode>`)}${rate}`
          : `${before}${rate}`,
      );
    out = head + tail;
  }
  // BG-3: the invoice a credit note corrects, after the monetary summation.
  if (doc.precedingInvoice && !out.includes("<ram:InvoiceReferencedDocument>")) {
    const close = "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>";
    const ref = `<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>${doc.precedingInvoice.number}</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format="102">${doc.precedingInvoice.issueDate.replace(/-/g, "")}</qdt:DateTimeString></ram:FormattedIssueDateTime></ram:InvoiceReferencedDocument>`;
    out = out.replace(close, `${close}${ref}`);
  }
  return out;
}

/**
 * The library writes every document note as one IncludedNote with several
 * Content elements, without subject codes: they are written again, one
 * IncludedNote per note (BT-21 code, BT-22 text), in the document header.
 */
function addNoteSubjectCodes(xml: string, doc: EN16931Document): string {
  const headerEnd = xml.indexOf("</rsm:ExchangedDocument>");
  if (headerEnd < 0) return xml;
  const header = xml.slice(0, headerEnd).replace(/\s*<ram:IncludedNote>[\s\S]*?<\/ram:IncludedNote>/g, "");
  const notes = doc.notes.map((n) => `<ram:IncludedNote><ram:Content>${escapeXml(n.text)}</ram:Content><ram:SubjectCode>${n.subjectCode}</ram:SubjectCode></ram:IncludedNote>`).join("");
  return `${header}${notes}${xml.slice(headerEnd)}`;
}

/** ApplicableHeaderTradeDelivery in schema order: ShipToTradeParty (BG-13, BT-70, BG-15), then ActualDeliverySupplyChainEvent (BT-72). */
function deliveryXml(doc: EN16931Document): string {
  const shipTo = doc.delivery
    ? `<ram:ShipToTradeParty><ram:Name>${escapeXml(doc.delivery.name)}</ram:Name><ram:PostalTradeAddress>${
        doc.delivery.address.postalCode ? `<ram:PostcodeCode>${escapeXml(doc.delivery.address.postalCode)}</ram:PostcodeCode>` : ""
      }<ram:LineOne>${escapeXml(doc.delivery.address.line)}</ram:LineOne>${doc.delivery.address.city ? `<ram:CityName>${escapeXml(doc.delivery.address.city)}</ram:CityName>` : ""}<ram:CountryID>${doc.delivery.address.country}</ram:CountryID></ram:PostalTradeAddress></ram:ShipToTradeParty>`
    : "";
  return `<ram:ApplicableHeaderTradeDelivery>${shipTo}<ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>${date102(doc.deliveryDate)}</ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>`;
}

function lookupDict(pdf: PDFDocument, value: unknown): PDFDict | undefined {
  const resolved = value ? pdf.context.lookup(value as never) : undefined;
  return resolved instanceof PDFDict ? resolved : undefined;
}

/** The embedded factur-x.xml's stream, found through the EmbeddedFiles name tree. */
export function embeddedFiles(pdf: PDFDocument): { name: string; spec: PDFDict; stream: PDFRawStream }[] {
  const names = lookupDict(pdf, pdf.catalog.get(PDFName.of("Names")));
  const tree = lookupDict(pdf, names?.get(PDFName.of("EmbeddedFiles")));
  const out: { name: string; spec: PDFDict; stream: PDFRawStream }[] = [];
  const walk = (node: PDFDict | undefined) => {
    if (!node) return;
    const list = pdf.context.lookup(node.get(PDFName.of("Names")) as never);
    if (list instanceof PDFArray) {
      for (let i = 0; i + 1 < list.size(); i += 2) {
        const name = pdf.context.lookup(list.get(i) as never) as PDFString;
        const spec = lookupDict(pdf, list.get(i + 1));
        const ef = lookupDict(pdf, spec?.get(PDFName.of("EF")));
        const stream = ef ? pdf.context.lookup(ef.get(PDFName.of("F")) as never) : undefined;
        if (spec && stream instanceof PDFRawStream) out.push({ name: name.decodeText(), spec, stream });
      }
    }
    const kids = pdf.context.lookup(node.get(PDFName.of("Kids")) as never);
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) walk(lookupDict(pdf, kids.get(i)));
  };
  walk(tree);
  return out;
}

export function streamText(stream: PDFRawStream): string {
  return new TextDecoder().decode(decodePDFRawStream(stream).decode());
}

async function mendPdfA(bytes: Uint8Array, doc: EN16931Document): Promise<Uint8Array> {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  // The notes' subject codes, in the embedded XML (its size and checksum follow).
  const xmlFile = embeddedFiles(pdf).find((f) => f.name === "factur-x.xml");
  if (!xmlFile) throw new Error("factur-x.xml missing from the generated document");
  const xml = completeCii(streamText(xmlFile.stream), doc);
  const data = new TextEncoder().encode(xml);
  const dict = xmlFile.stream.dict;
  const replacement = pdf.context.flateStream(data, {
    Type: "EmbeddedFile",
    Subtype: dict.get(PDFName.of("Subtype")) ?? PDFName.of("text/xml"),
  });
  const params = lookupDict(pdf, dict.get(PDFName.of("Params")));
  if (params) {
    params.set(PDFName.of("Size"), PDFNumber.of(data.length));
    const { createHash } = await import("node:crypto");
    // A hex string: the MD5's raw bytes in a literal string would need escaping (a ")" or "\\" in it broke the PDF).
    params.set(PDFName.of("CheckSum"), PDFHexString.of(createHash("md5").update(data).digest("hex")));
    replacement.dict.set(PDFName.of("Params"), params);
  }
  const ef = lookupDict(pdf, xmlFile.spec.get(PDFName.of("EF")))!;
  const kept = pdf.context.register(replacement);
  ef.set(PDFName.of("F"), kept);
  ef.has(PDFName.of("UF")) && ef.set(PDFName.of("UF"), kept);
  // Only one XML may remain: the library's streams (the one replaced, and a first one it leaves unreferenced) go.
  for (const [ref, object] of pdf.context.enumerateIndirectObjects()) {
    if (ref !== kept && object instanceof PDFStream && object.dict.get(PDFName.of("Type")) === PDFName.of("EmbeddedFile")) pdf.context.delete(ref);
  }

  // Metadata in French and the same in the XMP and the Info dictionary (PDF/A 6.7.3): title, description, creator tool.
  const title = `${doc.typeCode === "381" ? "Avoir" : "Facture"} ${doc.number}`;
  const description = `${title} du ${doc.issueDate.split("-").reverse().join("/")}, émis${doc.typeCode === "381" ? "" : "e"} par ${doc.seller.name}`;
  const metadataRef = pdf.catalog.get(PDFName.of("Metadata"));
  const metadata = metadataRef ? pdf.context.lookup(metadataRef as never) : undefined;
  let creatorTool: string | null = null;
  if (metadataRef instanceof PDFRef && metadata instanceof PDFRawStream) {
    const xmp = new TextDecoder()
      .decode(metadata.dict.has(PDFName.of("Filter")) ? decodePDFRawStream(metadata).decode() : metadata.contents)
      .replace(/(<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>)[^<]*(<\/rdf:li>)/, (_m, a: string, b: string) => `${a}${escapeXml(title)}${b}`)
      .replace(/(<dc:description>\s*<rdf:Alt>\s*<rdf:li[^>]*>)[^<]*(<\/rdf:li>)/, (_m, a: string, b: string) => `${a}${escapeXml(description)}${b}`);
    creatorTool = /<xmp:CreatorTool>([^<]*)<\/xmp:CreatorTool>/.exec(xmp)?.[1]?.replace(/&amp;/g, "&") ?? null;
    // UTF-8 bytes: a string would be written one byte per character (Latin-1).
    pdf.context.assign(metadataRef, pdf.context.stream(new TextEncoder().encode(xmp), { Type: "Metadata", Subtype: "XML" }));
  }
  const info = lookupDict(pdf, pdf.context.trailerInfo.Info);
  if (info) {
    const author = info.get(PDFName.of("Author"));
    info.set(PDFName.of("Title"), PDFHexString.fromText(title));
    info.set(PDFName.of("Subject"), PDFHexString.fromText(description));
    if (creatorTool) info.set(PDFName.of("Creator"), PDFHexString.fromText(creatorTool));
    if (author) info.set(PDFName.of("Producer"), author);
    info.delete(PDFName.of("Keywords"));
  }
  // The OutputIntent's ICC profile: an RGB profile has 3 components.
  const intents = pdf.context.lookup(pdf.catalog.get(PDFName.of("OutputIntents")) as never);
  if (intents instanceof PDFArray) {
    for (let i = 0; i < intents.size(); i++) {
      const intent = lookupDict(pdf, intents.get(i));
      const profile = intent ? pdf.context.lookup(intent.get(PDFName.of("DestOutputProfile")) as never) : undefined;
      if (profile instanceof PDFStream) profile.dict.set(PDFName.of("N"), PDFNumber.of(3));
    }
  }
  return pdf.save({ useObjectStreams: false });
}
