import type { ReactNode } from "react";

// Every list of rows in the app is drawn by this one table: the same markup,
// and each cell labelled with its column's title (`data-label`), which is what
// a 360 px phone shows in front of the value once the table is stacked (app.css).

export type Column<Row> = {
  /** The column's title: in the header, and in front of each value on a phone. */
  title: string;
  /** What a phone shows in front of the value, when shorter than the title. */
  label?: string;
  cell: (row: Row) => ReactNode;
  /** A column of buttons or links: its title is drawn quietly (muted). */
  quiet?: boolean;
  className?: string;
};

/** `false`, `null` or `undefined` entries drop a column the reader is not allowed to use. */
export function Table<Row>({
  columns,
  rows,
  rowKey,
  className,
  label,
}: {
  columns: ReadonlyArray<Column<Row> | false | null | undefined>;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  className?: string;
  /** An accessible name, when the page holds several tables. */
  label?: string;
}) {
  const shown = columns.filter((c): c is Column<Row> => Boolean(c));
  return (
    <table className={className ? `table ${className}` : "table"} aria-label={label}>
      <thead>
        <tr>
          {shown.map((c) => (
            <th key={c.title} scope="col">
              {c.quiet ? <span className="muted">{c.title}</span> : c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {shown.map((c) => (
              <td key={c.title} data-label={c.label ?? c.title} className={c.className}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
