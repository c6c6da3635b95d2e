import { XMLParser } from "fast-xml-parser";
import { decimalOfCents, escapeXml } from "./en16931.ts";

// Lifecycle messages of the French reform travel as CDAR flows (UN/CEFACT
// Cross Domain Acknowledgement And Response): one status (ProcessConditionCode)
// about one invoice (ReferenceReferencedDocument), with its reason and, for
// Encaissée, the amount collected (characteristic MEN). We write the one we
// send (Encaissée) and read the ones the platform sends.

const NS =
  'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"';

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14);

export type LifecycleMessage = {
  id: string; // the message's own identifier
  invoiceNumber: string;
  invoiceIssueDate: string; // YYYY-MM-DD
  invoiceTypeCode: "380" | "381";
  statusCode: string;
  statusLabel: string;
  occurredAt: Date;
  senderSiren: string;
  recipientSiren: string;
  reasonCode?: string;
  reason?: string;
  amountCents?: number; // Encaissée: the amount collected
};

export function buildLifecycleMessage(m: LifecycleMessage): string {
  const party = (tag: string, siren: string, role: string) => `<ram:${tag}><ram:GlobalID schemeID="0002">${escapeXml(siren)}</ram:GlobalID><ram:RoleCode>${role}</ram:RoleCode></ram:${tag}>`;
  const status = [
    m.reasonCode ? `<ram:ReasonCode>${escapeXml(m.reasonCode)}</ram:ReasonCode>` : "",
    m.reason ? `<ram:Reason>${escapeXml(m.reason)}</ram:Reason>` : "",
    m.amountCents !== undefined
      ? `<ram:SpecifiedDocumentCharacteristic><ram:TypeCode>MEN</ram:TypeCode><ram:ValueAmount currencyID="EUR">${decimalOfCents(m.amountCents)}</ram:ValueAmount></ram:SpecifiedDocumentCharacteristic>`
      : "",
  ].join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse ${NS}>
<rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>REGULATED</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>${escapeXml(m.id)}</ram:ID><ram:TypeCode>23</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="204">${stamp(m.occurredAt)}</udt:DateTimeString></ram:IssueDateTime>${party("SenderTradeParty", m.senderSiren, "SE")}${party("RecipientTradeParty", m.recipientSiren, "BY")}</rsm:ExchangedDocument>
<rsm:AcknowledgementDocument><ram:MultipleReferencesIndicator><udt:Indicator>false</udt:Indicator></ram:MultipleReferencesIndicator><ram:TypeCode>305</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="204">${stamp(m.occurredAt)}</udt:DateTimeString></ram:IssueDateTime>
<ram:ReferenceReferencedDocument><ram:IssuerAssignedID>${escapeXml(m.invoiceNumber)}</ram:IssuerAssignedID><ram:TypeCode>${m.invoiceTypeCode}</ram:TypeCode><ram:FormattedIssueDateTime><qdt:DateTimeString format="102">${m.invoiceIssueDate.replace(/-/g, "")}</qdt:DateTimeString></ram:FormattedIssueDateTime><ram:ProcessConditionCode>${escapeXml(m.statusCode)}</ram:ProcessConditionCode><ram:ProcessCondition>${escapeXml(m.statusLabel)}</ram:ProcessCondition>${status ? `<ram:SpecifiedDocumentStatus>${status}</ram:SpecifiedDocumentStatus>` : ""}</ram:ReferenceReferencedDocument>
</rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>
`;
}

export type ParsedLifecycle = { invoiceNumber: string; statusCode: string; occurredAt: Date; reasonCode: string | null; reason: string | null; amountCents: number | null };

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });
const text = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === "object" ? text((v as Record<string, unknown>)["#text"]) : String(v).trim() || null);

function parseStamp(s: string | null): Date | null {
  const m = s?.match(/^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?/);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Reads a lifecycle message; null when it is not one we understand (it is then ignored, never guessed). */
export function parseLifecycleMessage(xml: string): ParsedLifecycle | null {
  // biome-ignore lint/suspicious/noExplicitAny: fast-xml-parser gives an untyped tree; every field read below is checked.
  let root: Record<string, any>;
  try {
    root = parser.parse(xml)?.CrossDomainAcknowledgementAndResponse;
  } catch {
    return null;
  }
  const ack = root?.AcknowledgementDocument;
  const ref = Array.isArray(ack?.ReferenceReferencedDocument) ? ack.ReferenceReferencedDocument[0] : ack?.ReferenceReferencedDocument;
  const invoiceNumber = text(ref?.IssuerAssignedID);
  const statusCode = text(ref?.ProcessConditionCode);
  if (!invoiceNumber || !statusCode) return null;
  const occurredAt = parseStamp(text(ack?.IssueDateTime?.DateTimeString)) ?? parseStamp(text(root?.ExchangedDocument?.IssueDateTime?.DateTimeString));
  if (!occurredAt) return null;
  const status = Array.isArray(ref?.SpecifiedDocumentStatus) ? ref.SpecifiedDocumentStatus[0] : ref?.SpecifiedDocumentStatus;
  const characteristic = status?.SpecifiedDocumentCharacteristic;
  const amount = text(characteristic?.ValueAmount);
  return {
    invoiceNumber,
    statusCode,
    occurredAt,
    reasonCode: text(status?.ReasonCode),
    reason: text(status?.Reason),
    amountCents: amount && /^-?\d+(\.\d{1,2})?$/.test(amount) ? Math.round(Number(amount) * 100) : null,
  };
}
