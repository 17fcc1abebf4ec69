// The CSV report: one row per key, RFC 4180 (CRLF, quoted where needed), with every text cell
// guarded against formula injection for spreadsheet users. Streamed row by row.
import type { Finding } from '../schemas';
import { ChunkWriter, accountName, boolText, consoleUrl, iterate } from './common';
import type { ReportInput, ReportSink } from './types';

export const CSV_COLUMNS = [
  'accountId',
  'accountName',
  'region',
  'keyId',
  'keyArn',
  'status',
  'reason',
  'rotationEnabledBefore',
  'rotationEnabledAfter',
  'rotationPeriodInDays',
  'wave',
  'exceptionOwner',
  'exceptionExpiresAt',
  'consoleUrl',
] as const;

/**
 * One cell: a leading = + - @ (or tab / carriage return, which some spreadsheets skip before a
 * formula) gets a ' so the cell is read as text, then RFC 4180 quoting when the cell holds a
 * quote, a comma or a line break.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function findingRow(input: ReportInput, finding: Finding): string {
  return csvRow([
    finding.accountId,
    accountName(input, finding.accountId),
    finding.region,
    finding.keyId,
    finding.keyArn,
    finding.status,
    finding.reason,
    boolText(finding.rotationEnabledBefore),
    boolText(finding.rotationEnabledAfter),
    finding.rotationPeriodInDays,
    finding.wave,
    finding.exception?.owner,
    finding.exception?.expiresAt,
    consoleUrl(finding),
  ]);
}

export async function writeCsvReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const out = new ChunkWriter(sink);
  await out.write(csvRow(CSV_COLUMNS));
  for await (const finding of iterate(input.findings)) await out.write(findingRow(input, finding));
  await out.flush();
}
