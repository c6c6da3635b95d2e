// The legal mentions of a French invoice (Code de commerce L441-9 and D441-5).
import { plural } from "~/utils/format.ts";

export const ASSOCIATION = {
  name: "Association Aurore — La Conciergerie Solidaire",
  siret: "775 663 438 00034",
  vatStatus: "Association : TVA appliquée aux prestations de services marchandes",
  // The seller of the structured invoice (EN 16931 BT-27..BT-40).
  legalName: "Association Aurore",
  vatNumber: "FR96775663438",
  address: { line: "34 boulevard de Sébastopol", postalCode: "75004", city: "Paris", country: "FR" as const },
  email: "conciergerie@aurore.example",
};

/** Stripe custom fields (at most 4, 30-character names, 140-character values). */
export function customFields(input: { number: string; purchaseOrders: string[] }) {
  const fields = [
    { name: "N° de facture", value: input.number },
    { name: "SIRET", value: ASSOCIATION.siret },
  ];
  if (input.purchaseOrders.length > 0) fields.push({ name: plural(input.purchaseOrders.length, "Bon de commande", "Bons de commande"), value: input.purchaseOrders.join(", ").slice(0, 140) });
  return fields;
}

export function invoiceFooter(paymentTermsDays: number): string {
  return [
    `${ASSOCIATION.name}, SIRET ${ASSOCIATION.siret}. ${ASSOCIATION.vatStatus}.`,
    `Paiement à ${paymentTermsDays} jours. Pas d'escompte pour paiement anticipé.`,
    "En cas de retard de paiement : pénalités au taux de trois fois le taux d'intérêt légal (art. L441-10 du Code de commerce)",
    "et indemnité forfaitaire de 40 € pour frais de recouvrement (art. D441-5).",
  ].join(" ");
}
