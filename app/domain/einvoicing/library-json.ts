// The EN 16931 model in the input format of @e-invoice-eu/core (a JSON image of
// UBL, which the library turns into CII for Factur-X). Pure.
import type { Invoice } from "@e-invoice-eu/core";
import { decimalOfCents, percentOfBasisPoints, type EN16931Document, type EN16931Party, type PostalAddress } from "./en16931.ts";

/** Scheme of a French SIREN (ISO 6523 ICD 0002) and of a SIRET (0009). */
const SIREN_SCHEME = "0002";
/**
 * Electronic address (BT-34/BT-49): the SIREN under EAS 0002. The reform's
 * directory scheme (0225) is not in this library's code list yet.
 */
const ENDPOINT_SCHEME = "0002";

const address = (a: PostalAddress) => ({
  "cbc:StreetName": a.line,
  ...(a.city ? { "cbc:CityName": a.city } : {}),
  ...(a.postalCode ? { "cbc:PostalZone": a.postalCode } : {}),
  "cac:Country": { "cbc:IdentificationCode": a.country },
});

// The seller's identification and tax scheme repeat (arrays); the buyer's do not.
function party(p: EN16931Party, role: "seller" | "buyer") {
  const identification = { "cbc:ID": p.siret, "cbc:ID@schemeID": "0009" };
  const taxScheme = p.vatNumber ? { "cbc:CompanyID": p.vatNumber, "cac:TaxScheme": { "cbc:ID": "VAT" } } : null;
  return {
    "cbc:EndpointID": p.siren,
    "cbc:EndpointID@schemeID": ENDPOINT_SCHEME,
    "cac:PartyIdentification": role === "seller" ? [identification] : identification,
    "cac:PostalAddress": address(p.address),
    ...(taxScheme ? { "cac:PartyTaxScheme": role === "seller" ? [taxScheme] : taxScheme } : {}),
    "cac:PartyLegalEntity": { "cbc:RegistrationName": p.name, "cbc:CompanyID": p.siren, "cbc:CompanyID@schemeID": SIREN_SCHEME },
    ...(p.email ? { "cac:Contact": { "cbc:ElectronicMail": p.email } } : {}),
  };
}

const amount = (cents: number) => decimalOfCents(cents);

export function toLibraryInvoice(doc: EN16931Document): Invoice {
  const invoice = {
    "ubl:Invoice": {
      "cbc:CustomizationID": "urn:cen.eu:en16931:2017",
      "cbc:ProfileID": doc.businessProcess,
      "cbc:ID": doc.number,
      "cbc:IssueDate": doc.issueDate,
      ...(doc.dueDate ? { "cbc:DueDate": doc.dueDate } : {}),
      "cbc:InvoiceTypeCode": doc.typeCode,
      "cbc:Note": doc.notes.map((n) => n.text),
      "cbc:DocumentCurrencyCode": doc.currency,
      ...(doc.buyerReference ? { "cbc:BuyerReference": doc.buyerReference } : {}),
      "cac:InvoicePeriod": {
        "cbc:StartDate": doc.period.start,
        "cbc:EndDate": doc.period.end,
        // UBL's code for "VAT due when paid" (432) is written 72 in CII by the library; 3 (invoice date) becomes 5.
        "cbc:DescriptionCode": doc.vatDueDateCode === "72" ? "432" : "3",
      },
      ...(doc.purchaseOrder ? { "cac:OrderReference": { "cbc:ID": doc.purchaseOrder } } : {}),
      ...(doc.precedingInvoice ? { "cac:BillingReference": [{ "cac:InvoiceDocumentReference": { "cbc:ID": doc.precedingInvoice.number, "cbc:IssueDate": doc.precedingInvoice.issueDate } }] } : {}),
      "cac:AccountingSupplierParty": { "cac:Party": party(doc.seller, "seller") },
      "cac:AccountingCustomerParty": { "cac:Party": party(doc.buyer, "buyer") },
      // BG-13 (delivery, BT-72) is written by the Factur-X step from the model, always and in schema order.
      "cac:PaymentMeans": [
        {
          "cbc:PaymentMeansCode": doc.paymentMeans.code,
          "cbc:PaymentMeansCode@name": doc.paymentMeans.label,
          ...(doc.paymentMeans.account
            ? {
                "cac:PayeeFinancialAccount": {
                  "cbc:ID": doc.paymentMeans.account.iban,
                  "cbc:Name": doc.paymentMeans.account.accountName,
                  "cac:FinancialInstitutionBranch": { "cbc:ID": doc.paymentMeans.account.bic },
                },
              }
            : {}),
        },
      ],
      "cac:PaymentTerms": { "cbc:Note": doc.paymentTerms },
      "cac:TaxTotal": [
        {
          "cbc:TaxAmount": amount(doc.totals.taxCents),
          "cbc:TaxAmount@currencyID": doc.currency,
          "cac:TaxSubtotal": doc.vatBreakdown.map((b) => ({
            "cbc:TaxableAmount": amount(b.basisCents),
            "cbc:TaxableAmount@currencyID": doc.currency,
            "cbc:TaxAmount": amount(b.taxCents),
            "cbc:TaxAmount@currencyID": doc.currency,
            "cac:TaxCategory": {
              "cbc:ID": b.category,
              "cbc:Percent": percentOfBasisPoints(b.rateBasisPoints),
              ...(b.exemptionCode ? { "cbc:TaxExemptionReasonCode": b.exemptionCode, "cbc:TaxExemptionReason": b.exemptionReason ?? "" } : {}),
              "cac:TaxScheme": { "cbc:ID": "VAT" },
            },
          })),
        },
      ],
      "cac:LegalMonetaryTotal": {
        "cbc:LineExtensionAmount": amount(doc.totals.lineTotalCents),
        "cbc:LineExtensionAmount@currencyID": doc.currency,
        "cbc:TaxExclusiveAmount": amount(doc.totals.taxBasisCents),
        "cbc:TaxExclusiveAmount@currencyID": doc.currency,
        "cbc:TaxInclusiveAmount": amount(doc.totals.grandTotalCents),
        "cbc:TaxInclusiveAmount@currencyID": doc.currency,
        "cbc:PayableAmount": amount(doc.totals.duePayableCents),
        "cbc:PayableAmount@currencyID": doc.currency,
      },
      "cac:InvoiceLine": doc.lines.map((l, i) => ({
        "cbc:ID": String(i + 1),
        ...(l.note ? { "cbc:Note": l.note } : {}),
        "cbc:InvoicedQuantity": l.quantity,
        "cbc:InvoicedQuantity@unitCode": l.unitCode,
        "cbc:LineExtensionAmount": amount(l.netAmountCents),
        "cbc:LineExtensionAmount@currencyID": doc.currency,
        "cac:Item": {
          "cbc:Name": l.name.slice(0, 500),
          "cac:ClassifiedTaxCategory": { "cbc:ID": l.vatCategory, "cbc:Percent": percentOfBasisPoints(l.vatRateBasisPoints), "cac:TaxScheme": { "cbc:ID": "VAT" } },
        },
        "cac:Price": {
          "cbc:PriceAmount": amount(l.netPriceCents),
          "cbc:PriceAmount@currencyID": doc.currency,
          ...(l.baseQuantity ? { "cbc:BaseQuantity": l.baseQuantity, "cbc:BaseQuantity@unitCode": l.unitCode } : {}),
        },
      })),
    },
  };
  return invoice as unknown as Invoice;
}
