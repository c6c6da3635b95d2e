import { stringify } from "csv-stringify/sync";

// The app's ONE CSV writer (finance exports, payroll and DPH reports, audit
// log, e-invoicing manifest), for spreadsheets used in France: semicolons,
// CRLF, UTF-8 with a BOM, quoted when needed.
//
// Formula injection (OWASP "CSV injection"): csv-stringify's escape_formulas
// prefixes with ' every cell starting with = + - @ tab or CR (and their
// full-width forms), so a partner's "=HYPERLINK(...)" is shown as text and
// never run. A plain decimal number ("-12,50", our own amounts) is data and
// is written as is.
export type CsvValue = string | number | boolean | null | undefined | object;

const PLAIN_NUMBER = /^-?\d+([.,]\d+)?$/;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[], options: { bom?: boolean } = {}): string {
  return stringify([header, ...rows] as unknown[][], {
    bom: options.bom ?? true,
    delimiter: ";",
    record_delimiter: "windows",
    escape_formulas: true,
    // A line break inside a cell is quoted, whichever form it takes.
    quoted_match: /[\r\n]/,
    cast: {
      string: (value) => (PLAIN_NUMBER.test(value) ? { value, escape_formulas: false } : value),
      boolean: (value) => (value ? "oui" : "non"),
      date: (value) => value.toISOString(),
      object: (value) => JSON.stringify(value),
    },
  });
}

/** Euros with a decimal comma, from integer cents: 123456 → "1234,56". */
export const centsToCsv = (cents: number) => `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)},${String(Math.abs(cents) % 100).padStart(2, "0")}`;

/** A CSV download, never cached. */
export function csvResponse(filename: string, csv: string): Response {
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}
