// The CLI's listings (runs, history, exceptions, drift) as text columns: the report's column
// layout (report/table.ts), cells never cut, a line per row.
import { formatColumns } from '../report/table';

/** A header row and rows, padded to the widest cell, every cell inert (one line, no control character). */
export function columns(table: readonly string[][]): string {
  return `${formatColumns(table[0], table.slice(1), [], Infinity)}\n`;
}
