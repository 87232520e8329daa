/** A column of a downloadable table: its header and how to read a row. */
export interface Column<R> {
  header: string;
  value(row: R): string | number | boolean | null;
}

const quote = (v: string | number | boolean | null) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * RFC 4180 CSV (CRLF, quotes doubled), with a byte-order mark so that spreadsheet programs
 * read Cyrillic as UTF-8. Writing CSV is only quoting; parsing it would merit a library.
 */
export function toCsv<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const lines = [columns.map((c) => quote(c.header)).join(','), ...rows.map((r) => columns.map((c) => quote(c.value(r))).join(','))];
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
