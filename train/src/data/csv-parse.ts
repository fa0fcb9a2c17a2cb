// A small RFC 4180 CSV reader: quoted fields (with "" for a quote and embedded newlines), CRLF or LF,
// a leading UTF-8 byte-order mark (Excel writes one). Returns rows of cells; blank lines are dropped.
import { DatasetError } from './errors.ts';

export function parseCsv(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let inQuotes = false;
  let i = 0;
  const endRow = () => {
    row.push(cell);
    cell = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') inQuotes = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (src[i + 1] !== '\n') endRow();
    } else cell += ch;
    i++;
  }
  if (inQuotes) throw new DatasetError('bad_csv', 'CSV ends inside a quoted field (a missing closing quote)');
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
