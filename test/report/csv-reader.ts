// An RFC 4180 reader for the CSV report tests: it fails on anything a strict reader would reject.
/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
      else if (c === '"') (quoted = false), (i += 1);
      else (cell += c), (i += 1);
    } else if (c === '"' && cell === '') (quoted = true), (i += 1);
    else if (c === ',') row.push(cell), (cell = ''), (i += 1);
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), (i += 2);
    else if (c === '"' || c === '\n' || c === '\r') throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    else (cell += c), (i += 1);
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length) throw new Error('last record is not terminated by CRLF');
  return rows;
}
