// Transmission of the legal e-invoice through the association's accredited
// platform (plateforme agréée, formerly PDP). None is configured: documents
// stay "to transmit" and finance hands them over as the month's ZIP export.
// A platform's API plugs in here; nothing ever reports a transmission that
// did not happen.

export type PlatformDocument = { number: string; kind: "INVOICE" | "CREDIT_NOTE"; bytes: Uint8Array; sha256: string; buyerSiren: string };

export type TransmissionResult = { status: "transmitted"; reference: string } | { status: "rejected"; reason: string };

export interface EInvoicingPlatform {
  readonly name: string;
  transmit(doc: PlatformDocument): Promise<TransmissionResult>;
}

/** The configured platform, or null (the default): transmission is then done by hand from the ZIP export. */
export function configuredPlatform(): EInvoicingPlatform | null {
  return null;
}
