/**
 * CSV built in the browser (RFC 4180: CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled) and downloaded through a Blob URL and an <a download>: no server
 * round trip, nothing inline for the CSP to refuse.
 */

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a formula;
 * names come from users, so such text gets a leading apostrophe. Plain numbers (-1.5) are left.
 */
function defused(text: string): string {
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?\d[\d,.]*%?$/.test(text)) return "'" + text;
  return text;
}

export function csvField(value: string | number | null | undefined): string {
  const text = defused(value === null || value === undefined ? '' : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Saves `text` as a file named `filename`. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
