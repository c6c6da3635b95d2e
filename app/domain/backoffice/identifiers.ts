// French company identifiers, checked without any network call.

const digitsOnly = (s: string) => s.replace(/[\s.-]/g, "");

/** Luhn checksum over a string of digits (the SIREN and SIRET use it). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// La Poste's establishments share one SIREN and do not follow Luhn: the sum of the digits is a multiple of 5.
const LA_POSTE_SIREN = "356000000";

/** Spaces and dots removed: "732 829 320 00074" -> "73282932000074". */
export const normaliseSiret = (input: string) => digitsOnly(input);

export type SiretProblem = "format" | "checksum";

/** null when the SIRET is valid (14 digits, Luhn key right), otherwise what is wrong. */
export function siretProblem(input: string): SiretProblem | null {
  const siret = normaliseSiret(input);
  if (!/^\d{14}$/.test(siret)) return "format";
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== "35600000000048") {
    const sum = [...siret].reduce((s, d) => s + Number(d), 0);
    return sum % 5 === 0 ? null : "checksum";
  }
  return luhnValid(siret) ? null : "checksum";
}

// Intra-community VAT numbers: two letters (EL for Greece, XI for Northern Ireland) then 2 to 13 characters.
const EU_PREFIXES = new Set(["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"]);

export const normaliseVatNumber = (input: string) => input.replace(/[\s.-]/g, "").toUpperCase();

export type VatProblem = "format" | "country" | "checksum";

/**
 * null when the number is well formed. French numbers (FR + 2-character key +
 * SIREN) also have their numeric key checked: key = (12 + 3 × (SIREN mod 97)) mod 97.
 */
export function vatNumberProblem(input: string): VatProblem | null {
  const vat = normaliseVatNumber(input);
  if (!/^[A-Z]{2}[0-9A-Z]{2,13}$/.test(vat)) return "format";
  const country = vat.slice(0, 2);
  if (!EU_PREFIXES.has(country)) return "country";
  if (country !== "FR") return null;
  if (!/^FR[0-9A-HJ-NP-Z]{2}\d{9}$/.test(vat)) return "format";
  const key = vat.slice(2, 4);
  const siren = vat.slice(4);
  if (!/^\d{2}$/.test(key)) return null; // the newer alphanumeric keys have no public formula
  return Number(key) === (12 + 3 * (Number(siren) % 97)) % 97 ? null : "checksum";
}

/** The SIREN a French VAT number carries, to compare with the SIRET. */
export function sirenOfFrenchVat(input: string): string | null {
  const vat = normaliseVatNumber(input);
  return /^FR.{2}\d{9}$/.test(vat) ? vat.slice(4) : null;
}
