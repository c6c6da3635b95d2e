// The fields a structured invoice cannot go without (EN 16931 and the French
// reform's additions), checked before an invoice is numbered: an invoice that
// fails stays a draft, and finance reads which field is missing on which record.
// Pure.
import { validateIBAN } from "ibantools";
import { siretProblem } from "../backoffice/identifiers.ts";
import { digitsOnly, parseFrenchAddress, type InvoiceSource, type SellerIdentity } from "./en16931.ts";

export type MissingField = {
  record: "partner" | "site" | "prestation" | "seller" | "invoice";
  recordId: string | null;
  field: string;
  /** "Partenaire SNCF : SIRET manquant" */
  message: string;
};

const VAT_NUMBER = /^[A-Z]{2}[0-9A-Z]{2,13}$/;

export function checkSeller(seller: SellerIdentity): MissingField[] {
  const problems: MissingField[] = [];
  const add = (field: string, message: string) => problems.push({ record: "seller", recordId: null, field, message: `Émetteur ${seller.legalName} : ${message}` });
  if (digitsOnly(seller.siret).length !== 14) add("siret", "SIRET manquant ou incomplet");
  if (!VAT_NUMBER.test(seller.vatNumber)) add("vatNumber", "numéro de TVA manquant");
  if (!seller.address.line || !seller.address.postalCode || !seller.address.city) add("address", "adresse manquante");
  // BG-17: a transfer needs the account it goes to (BR-CO-27); finance enters it in the service's rules.
  if (!seller.bankAccount) add("bankAccount", "compte bancaire (IBAN, BIC, titulaire) manquant, à saisir dans Règles du service");
  else if (!validateIBAN(seller.bankAccount.iban).valid) add("bankAccount", "IBAN invalide, à corriger dans Règles du service");
  return problems;
}

/** Every mandatory field missing from an invoice about to be issued, one entry per field and record. */
export function checkInvoice(source: Pick<InvoiceSource, "buyer" | "sites" | "lines">, seller: SellerIdentity): MissingField[] {
  const problems: MissingField[] = [...checkSeller(seller)];
  const { buyer } = source;
  const partner = (field: string, message: string) => problems.push({ record: "partner", recordId: buyer.id, field, message: `Partenaire ${buyer.name} : ${message}` });
  const siret = digitsOnly(buyer.siret);
  if (!siret) partner("siret", "SIRET manquant");
  else if (siretProblem(siret) !== null) partner("siret", "SIRET invalide (14 chiffres attendus)");
  if (!buyer.billingAddress?.trim()) partner("billingAddress", "adresse de facturation manquante");
  else if (!parseFrenchAddress(buyer.billingAddress)) partner("billingAddress", "adresse de facturation incomplète (code postal et ville attendus)");
  if (buyer.vatNumber && !VAT_NUMBER.test(buyer.vatNumber.replace(/\s/g, "").toUpperCase())) partner("vatNumber", "numéro de TVA intracommunautaire invalide");

  const used = new Set(source.lines.map((l) => l.siteId).filter(Boolean));
  for (const site of source.sites.filter((s) => used.has(s.id))) {
    const missing = [!site.address.trim() && "adresse", !/^\d{5}$/.test(site.postalCode.trim()) && "code postal", !site.city.trim() && "ville"].filter(Boolean);
    if (missing.length)
      problems.push({
        record: "site",
        recordId: site.id,
        field: "address",
        message: `Site ${site.name} : ${missing.join(", ")} manquant${missing.length > 1 ? "s" : missing[0] === "adresse" || missing[0] === "ville" ? "e" : ""}`,
      });
  }
  const exemptWithoutText = new Set<string>();
  for (const line of source.lines) {
    if (line.vatRateBasisPoints === 0 && !line.vatExemptionMention?.trim()) exemptWithoutText.add(line.prestationName ?? line.description);
  }
  for (const name of exemptWithoutText) {
    problems.push({ record: "prestation", recordId: null, field: "vatExemptionMention", message: `Prestation ${name} : mention légale d'exonération de TVA manquante` });
  }
  if (source.lines.length === 0) problems.push({ record: "invoice", recordId: null, field: "lines", message: "Facture sans ligne" });
  return problems;
}
