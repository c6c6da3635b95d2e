// The one page layout of every PDF the app prints (quote, impact certificate,
// planning sheets, the readable side of a Factur-X): A4 pages, a cursor that
// goes down the page, text wrapped by words, right-aligned columns, and a new
// page (with its header drawn again) when the next block does not fit.
import { rgb, type PDFDocument, type PDFFont, type PDFPage, type RGB } from "pdf-lib";

export const A4 = { width: 595.28, height: 841.89 } as const;
export const COLOURS = { ink: rgb(0.12, 0.16, 0.2), green: rgb(0.04, 0.37, 0.27), grey: rgb(0.42, 0.45, 0.5), rule: rgb(0.85, 0.88, 0.92) } as const;

const EXTRA_WINANSI = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
/** Text pdf-lib's standard fonts (WinAnsi) can draw: line breaks become spaces, any other character "?". */
export function winAnsiSafe(text: string): string {
  return [...text.replace(/[\u202f\u2009]/g, "\u00a0").replace(/\r?\n/g, " ")]
    .map((c) => {
      const code = c.charCodeAt(0);
      return (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || EXTRA_WINANSI.includes(c) ? c : "?";
    })
    .join("");
}

/**
 * Splits text into lines no wider than `max`: by words, line breaks kept, a
 * word wider than a line (a pasted URL) cut; at most `maxLines`, the last one
 * then ending with " …".
 */
export function wrapText(text: string, widthOf: (s: string) => number, max: number, maxLines = Infinity): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let current = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = current ? `${current} ${word}` : word;
      if (widthOf(candidate) <= max) current = candidate;
      else {
        if (current) lines.push(current);
        current = word;
        // Cut a word longer than a whole line.
        while (current.length > 1 && widthOf(current) > max) {
          let n = current.length - 1;
          while (n > 1 && widthOf(current.slice(0, n)) > max) n--;
          lines.push(current.slice(0, n));
          current = current.slice(n);
        }
      }
    }
    lines.push(current);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]} …`;
  return kept;
}

export type TextStyle = { font?: PDFFont; size?: number; color?: RGB };

export type LayoutOptions = {
  fonts: { regular: PDFFont; bold: PDFFont };
  margin: number;
  /** Space kept free at the foot of each page, above the margin. */
  footRoom?: number;
  /** Makes a text drawable by the fonts (the standard fonts need winAnsiSafe; embedded ones draw anything). */
  encode?: (text: string) => string;
  /** Widths measured character by character, cached (no kerning): much faster with an embedded font. */
  cacheWidths?: boolean;
};

/** A cursor on A4 pages of `pdf`; `y` is the baseline of the next line. */
export class PdfLayout {
  page: PDFPage;
  y: number;
  readonly width = A4.width;
  readonly height = A4.height;
  readonly margin: number;
  readonly regular: PDFFont;
  readonly bold: PDFFont;
  private readonly bottom: number;
  private readonly encode: (text: string) => string;
  private readonly advances: Map<PDFFont, Map<string, number>> | null;
  /** Drawn at the top of every new page, e.g. a table's header while its rows run over pages. */
  onNewPage: (() => void) | null = null;

  constructor(
    private readonly pdf: PDFDocument,
    options: LayoutOptions,
  ) {
    this.margin = options.margin;
    this.regular = options.fonts.regular;
    this.bold = options.fonts.bold;
    this.bottom = options.margin + (options.footRoom ?? 0);
    this.encode = options.encode ?? ((s) => s);
    this.advances = options.cacheWidths ? new Map() : null;
    this.page = pdf.addPage([A4.width, A4.height]);
    this.y = A4.height - options.margin;
  }

  get right(): number {
    return this.width - this.margin;
  }

  newPage(): void {
    this.page = this.pdf.addPage([A4.width, A4.height]);
    this.y = this.height - this.margin;
    this.onNewPage?.();
  }

  /** Keeps a block of this height on one page: a new page when it would not fit. */
  room(needed: number): void {
    if (this.y - needed < this.bottom) this.newPage();
  }

  /** Moves the cursor down; a new page once past the foot. */
  down(gap: number): void {
    this.y -= gap;
    if (this.y < this.bottom) this.newPage();
  }

  widthOf(text: string, font: PDFFont = this.regular, size = 10): number {
    if (!this.advances) return font.widthOfTextAtSize(text, size);
    let cache = this.advances.get(font);
    if (!cache) this.advances.set(font, (cache = new Map()));
    let w = 0;
    for (const ch of text) {
      let a = cache.get(ch);
      if (a === undefined) cache.set(ch, (a = font.widthOfTextAtSize(ch, 1000)));
      w += a;
    }
    return (w * size) / 1000;
  }

  wrap(text: string, style: TextStyle & { max: number; maxLines?: number }): string[] {
    const font = style.font ?? this.regular;
    const size = style.size ?? 10;
    return wrapText(text, (s) => this.widthOf(this.encode(s), font, size), style.max, style.maxLines).map(this.encode);
  }

  /**
   * Draws wrapped text from the cursor at `x` without moving it (for blocks side by side);
   * returns the height used.
   */
  text(value: string, x: number, style: TextStyle & { max?: number; maxLines?: number; leading?: number } = {}): number {
    const font = style.font ?? this.regular;
    const size = style.size ?? 10;
    const step = size * (style.leading ?? 1.35);
    const lines = this.wrap(value, { font, size, max: style.max ?? this.right - x, maxLines: style.maxLines });
    for (const [i, l] of lines.entries()) this.page.drawText(l, { x, y: this.y - i * step, size, font, color: style.color ?? COLOURS.ink });
    return lines.length * step;
  }

  /** Wrapped text that moves the cursor down line by line, onto a new page when needed, then `gap` more. */
  paragraph(value: string, style: TextStyle & { x?: number; max?: number; maxLines?: number; leading?: number; gap?: number } = {}): void {
    const font = style.font ?? this.regular;
    const size = style.size ?? 10;
    const x = style.x ?? this.margin;
    const step = size * (style.leading ?? 1.4);
    for (const line of this.wrap(value, { font, size, max: style.max ?? this.right - x, maxLines: style.maxLines })) {
      this.room(size);
      this.page.drawText(line, { x, y: this.y, size, font, color: style.color ?? COLOURS.ink });
      this.y -= step;
    }
    this.y -= style.gap ?? 0;
  }

  /** One line at `x`, shortened with "…" when wider than the page. */
  line(value: string, x: number, style: TextStyle = {}): void {
    this.text(value, x, { ...style, maxLines: 1 });
  }

  /** Text whose right end is at `xRight` (figures in a column). */
  alignRight(value: string, xRight: number, style: TextStyle = {}): void {
    const font = style.font ?? this.regular;
    const size = style.size ?? 10;
    const shown = this.encode(value);
    this.page.drawText(shown, { x: xRight - this.widthOf(shown, font, size), y: this.y, size, font, color: style.color ?? COLOURS.ink });
  }

  /** A row of a table: the first cell at the left margin, the others right-aligned at their column's right edge. */
  columns(cells: readonly string[], rightEdges: readonly number[], style: TextStyle = {}): void {
    const [first = "", ...rest] = cells;
    this.line(first, this.margin, style);
    for (const [k, cell] of rest.entries()) this.alignRight(cell, rightEdges[k]!, style);
  }

  /** A horizontal rule across the text width, `offset` points above the cursor. */
  rule(offset = 0, colour: RGB = COLOURS.rule, thickness = 0.5): void {
    this.page.drawLine({ start: { x: this.margin, y: this.y + offset }, end: { x: this.right, y: this.y + offset }, thickness, color: colour });
  }
}
