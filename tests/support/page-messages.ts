// What a server-rendered page says, for the HTTP tests that check its messages.

/** A fragment of HTML as the text a person reads: tags dropped, entities decoded, spaces collapsed. */
export const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();

/** The error messages the page shows: next to fields, in alerts, or the error page's text. */
export function shownErrors(html: string): string[] {
  const found = [
    ...[...html.matchAll(/<span class="error"[^>]*>([\s\S]*?)<\/span>/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<div class="[^"]*(?:alert error|auth-page)[^"]*" role="alert">([\s\S]*?)<\/div>/g)].map((m) => m[1]!),
  ];
  return found.map(pageText).filter(Boolean);
}

/** The JSON Remix hands to the browser (action data, errors), or undefined. */
export const remixContextJson = (html: string) => /window\.__remixContext = (\{[\s\S]*?\});\s*(?:<\/script>|__remixContext)/.exec(html)?.[1];
