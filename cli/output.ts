/**
 * What commands print: aligned tables and `key: value` lists for people, or with --json the
 * API's answer itself (pretty-printed, nothing added), for scripts and jq.
 */

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** The API's answer as it came; an empty answer (204) prints nothing, the exit code says it worked. */
export function printJson(value: unknown): void {
  if (value !== undefined) write(JSON.stringify(value, null, 2));
}

/** Control characters from the data (a name with a newline or an escape sequence) must not break or restyle the table. */
const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** Rows under a header, columns padded to their widest cell; `empty` when there are no rows. */
export function printTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], empty: string): void {
  if (rows.length === 0) {
    write(empty);
    return;
  }
  const cells = rows.map((row) => columns.map((column) => clean(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i]!.align === 'right' ? value.padStart(widths[i]!) : i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  write([line(columns.map((c) => c.header)), ...cells.map(line)].join('\n'));
}

/** `key: value` lines, keys aligned; entries whose value is undefined are left out. */
export function printFields(fields: Record<string, string | undefined>): void {
  const entries = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const width = Math.max(...entries.map(([key]) => key.length)) + 1;
  write(entries.map(([key, value]) => `${`${key}:`.padEnd(width)} ${clean(value)}`).join('\n'));
}

/** A line for people (confirmations, next steps). */
export function say(text: string): void {
  write(text);
}

export const dash = '-';

/** USD with enough digits for a single call's cost. */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return dash;
  if (value === 0) return '$0';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${Number(value.toPrecision(3))}`;
}

/** A whole number with thousands separators. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : Math.round(value).toLocaleString('en-US');
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : `${Math.round(value)} ms`;
}

export function text(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined || value === '' ? dash : String(value);
}

export function list(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(', ') : dash;
}
