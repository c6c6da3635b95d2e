// Reads a generated PDF back, for the e-invoicing tests: the embedded files,
// the XMP metadata, the fonts, and the text drawn on the pages (hex strings of
// glyph ids mapped back through each font's ToUnicode CMap).
import { XMLParser } from "fast-xml-parser";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFStream, PDFString, decodePDFRawStream } from "pdf-lib";

export async function loadPdf(bytes: Uint8Array) {
  return PDFDocument.load(bytes, { updateMetadata: false });
}

const decode = (stream: PDFRawStream) => new TextDecoder("latin1").decode(decodePDFRawStream(stream).decode());
const utf8 = (stream: PDFRawStream) => new TextDecoder().decode(decodePDFRawStream(stream).decode());

function dict(pdf: PDFDocument, value: unknown): PDFDict | undefined {
  const v = value instanceof PDFRef ? pdf.context.lookup(value) : value;
  return v instanceof PDFDict ? v : undefined;
}

export function embeddedFiles(pdf: PDFDocument) {
  const names = dict(pdf, pdf.catalog.get(PDFName.of("Names")));
  const tree = dict(pdf, names?.get(PDFName.of("EmbeddedFiles")));
  const list = tree ? pdf.context.lookup(tree.get(PDFName.of("Names")) as never) : undefined;
  const out: { name: string; spec: PDFDict; content: string; subtype: string | undefined; checkSumHex: string | undefined }[] = [];
  if (list instanceof PDFArray) {
    for (let i = 0; i + 1 < list.size(); i += 2) {
      const spec = dict(pdf, list.get(i + 1))!;
      const ef = dict(pdf, spec.get(PDFName.of("EF")))!;
      const stream = pdf.context.lookup(ef.get(PDFName.of("F")) as never) as PDFRawStream;
      out.push({
        name: (pdf.context.lookup(list.get(i) as never) as unknown as { decodeText(): string }).decodeText(),
        spec,
        content: utf8(stream),
        subtype: stream.dict.get(PDFName.of("Subtype"))?.toString(),
        checkSumHex: checkSumHex(dict(pdf, stream.dict.get(PDFName.of("Params")))?.get(PDFName.of("CheckSum"))),
      });
    }
  }
  return out;
}

/** The bytes of a string object (literal or hex), as hex. */
function checkSumHex(value: unknown): string | undefined {
  if (value instanceof PDFHexString || value instanceof PDFString) return Buffer.from(value.asBytes()).toString("hex");
  return undefined;
}

export function xmpMetadata(pdf: PDFDocument): string {
  const stream = pdf.context.lookup(pdf.catalog.get(PDFName.of("Metadata")) as never);
  if (stream instanceof PDFRawStream) return utf8(stream);
  return "";
}

/** Every font used by the pages: its name, subtype and whether its program is embedded. */
export function fonts(pdf: PDFDocument) {
  const out: { name: string; subtype: string; embedded: boolean }[] = [];
  for (const page of pdf.getPages()) {
    const resources = dict(pdf, page.node.get(PDFName.of("Resources")));
    const fontDict = dict(pdf, resources?.get(PDFName.of("Font")));
    for (const key of fontDict?.keys() ?? []) {
      const font = dict(pdf, fontDict!.get(key))!;
      const subtype = font.get(PDFName.of("Subtype"))!.toString();
      let descriptor = dict(pdf, font.get(PDFName.of("FontDescriptor")));
      const descendants = pdf.context.lookup(font.get(PDFName.of("DescendantFonts")) as never);
      if (descendants instanceof PDFArray) descriptor = dict(pdf, dict(pdf, descendants.get(0))?.get(PDFName.of("FontDescriptor")));
      const embedded = !!descriptor && ["FontFile", "FontFile2", "FontFile3"].some((k) => descriptor!.has(PDFName.of(k)));
      out.push({ name: font.get(PDFName.of("BaseFont"))?.toString() ?? "", subtype, embedded });
    }
  }
  return out;
}

function toUnicodeMap(pdf: PDFDocument, font: PDFDict) {
  const map = new Map<string, string>();
  const cmap = pdf.context.lookup(font.get(PDFName.of("ToUnicode")) as never);
  if (!(cmap instanceof PDFRawStream)) return map;
  const text = decode(cmap);
  const hexToString = (hex: string) => String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(m[1]!.toUpperCase(), hexToString(m[2]!));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) {
      const from = parseInt(m[1]!, 16);
      const to = parseInt(m[2]!, 16);
      const start = parseInt(m[3]!, 16);
      for (let g = from; g <= to; g++) map.set(g.toString(16).toUpperCase().padStart(m[1]!.length, "0"), String.fromCodePoint(start + g - from));
    }
  }
  return map;
}

/** The text of every page, one drawn string per line. */
export function pageText(pdf: PDFDocument): string {
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const resources = dict(pdf, page.node.get(PDFName.of("Resources")));
    const fontDict = dict(pdf, resources?.get(PDFName.of("Font")));
    const maps = new Map<string, Map<string, string>>();
    for (const key of fontDict?.keys() ?? []) maps.set(key.toString(), toUnicodeMap(pdf, dict(pdf, fontDict!.get(key))!));
    const contents = page.node.get(PDFName.of("Contents"));
    const streams: PDFStream[] = [];
    const c = pdf.context.lookup(contents as never);
    if (c instanceof PDFArray) for (let i = 0; i < c.size(); i++) streams.push(pdf.context.lookup(c.get(i) as never) as PDFStream);
    else if (c instanceof PDFStream) streams.push(c);
    let current = new Map<string, string>();
    for (const stream of streams) {
      const ops = decode(stream as PDFRawStream);
      for (const m of ops.matchAll(/(\/[^\s]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>\s*Tj/g)) {
        if (m[1]) current = maps.get(m[1]) ?? new Map();
        else lines.push((m[2]!.toUpperCase().match(/.{4}/g) ?? []).map((g) => current.get(g) ?? "\uFFFD").join(""));
      }
    }
  }
  return lines.join("\n");
}

export const parseXml = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    removeNSPrefix: true,
    parseTagValue: false,
    isArray: (name) => ["IncludedSupplyChainTradeLineItem", "ApplicableTradeTax", "IncludedNote"].includes(name),
  }).parse(xml);

export { PDFArray, PDFDict, PDFHexString, PDFName };
