// What finance and partners read about a document's transmission. "pending"
// stays until a platform really takes the document: never a fake "transmitted".
// With a platform configured, the detail (acknowledgement, lifecycle) is in
// EInvoiceTransmission; this is its one-word summary on the document.
export const TRANSMISSION_LABELS: Record<string, string> = {
  pending: "À transmettre via la plateforme agréée (export ZIP)",
  submitted: "Envoyée à la plateforme agréée",
  transmitted: "Transmise par la plateforme agréée",
  rejected: "Refusée par la plateforme agréée",
  outside: "Hors réforme (relevé interne)",
};

export const transmissionLabel = (status: string) => TRANSMISSION_LABELS[status] ?? TRANSMISSION_LABELS.pending!;
