// Amounts typed by people ("24,50", "1 234,5 €", "5,5 %") to integers: cents and basis points.

/** "24,50" -> 2450, "24" -> 2400, "1 234,5" -> 123450; null when it is not an amount with at most 2 decimals. */
export function parseEurosToCents(input: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return null;
  const negative = s.startsWith("-");
  const [whole, decimals = ""] = s.replace("-", "").split(".");
  const cents = Number(whole) * 100 + Number(decimals.padEnd(2, "0"));
  if (!Number.isSafeInteger(cents)) return null;
  return negative ? -cents : cents;
}

/** 2450 -> "24,50" (the value shown back in a form field). */
export function centsToEurosInput(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
}

/** "20" -> 2000, "5,5" -> 550, "2.1 %" -> 210; null when not a percentage with at most 2 decimals. */
export function parsePercentToBasisPoints(input: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f%]/g, "").replace(",", ".");
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

/** 550 -> "5,5" */
export function basisPointsToPercentInput(bp: number): string {
  return (bp / 100).toLocaleString("fr-FR", { maximumFractionDigits: 2, useGrouping: false });
}
