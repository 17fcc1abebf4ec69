// The CLI's listings (runs, history, exceptions, drift) as text columns.
import { inertText } from '../functions/core/text';

/** Columns padded to their widest cell, every cell inert (one line, no control character). */
export function formatColumns(table: string[][]): string {
  const rows = table.map((r) => r.map((cell) => inertText(cell)));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}
