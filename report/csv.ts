// The CSV report: one row per key, then one per account or Region the run did not cover (status
// EXCLUDED or NOT_SCANNED, the reason why), then one per event handled around the run (source event), RFC 4180 (CRLF, quoted where needed), with every text cell
// inert and guarded against formula injection for spreadsheet users. Streamed row by row.
import type { Finding } from '../functions/core/schemas';
import { controlsText } from '../functions/core/controls';
import { inertText } from '../functions/core/text';
import { ChunkWriter, accountName, boolText, consoleUrl, coverageGapRows, iterate, type CoverageGapRow } from './common';
import type { KeyEventEntry } from '../functions/core/run-key-events';
import type { ReportInput, ReportSink } from './types';

/** The control ids the row's check answers to, in one cell. */
const CONTROLS_CELL = controlsText();

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
  'nextRotationDate',
  'onDemandRotationStartDate',
  'aliases',
  'tags',
  'wave',
  'exceptionOwner',
  'exceptionExpiresAt',
  'consoleUrl',
  'controls',
  'source',
  'eventId',
  'eventName',
  'eventOutcome',
  'principal',
  'eventTime',
  'handledAt',
] as const;

/** The columns only an event's row fills. */
const EVENT_COLUMNS = CSV_COLUMNS.slice(CSV_COLUMNS.indexOf('source') + 1);

/**
 * A cell a spreadsheet would run as a formula: its first character after any leading whitespace is
 * = + - @, or a form of one that NFKC folds to it (fullwidth ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫), or it
 * starts with a tab or a line break, which some spreadsheets skip before a formula.
 */
function isFormula(text: string): boolean {
  return /^[\t\r\n]/.test(text) || /^[=+\-@]/.test(text.trimStart().charAt(0).normalize('NFKC'));
}

/**
 * One cell, as OWASP's CSV-injection guidance says: inert text (controls and invisible format
 * characters escaped, line breaks kept), a formula prefixed with ' so it is read as text and then
 * quoted, and RFC 4180 quoting when the cell holds a quote, a comma or a line break.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = inertText(value, { lineBreaks: 'keep' });
  const formula = isFormula(text);
  const cell = formula ? `'${text}` : text;
  return formula || /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
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
    finding.nextRotationDate,
    finding.onDemandRotationStartDate,
    (finding.aliases ?? []).join(' '),
    // JSON, so that a tag key or value holding = or ; reads back unchanged; empty when the run read no tags.
    finding.tags && JSON.stringify(finding.tags),
    finding.wave,
    finding.exception?.owner,
    finding.exception?.expiresAt,
    consoleUrl(finding),
    CONTROLS_CELL,
    'scan',
    ...EVENT_COLUMNS.map(() => undefined),
  ]);
}

/** A handled event, as a row after the scan's: source `event`, the key's status after it, the call, who made it and when. */
function eventRow(input: ReportInput, e: KeyEventEntry): string {
  const cells: Partial<Record<(typeof CSV_COLUMNS)[number], string | number>> = {
    accountId: e.accountId,
    accountName: accountName(input, e.accountId),
    region: e.region,
    keyId: e.keyId,
    keyArn: e.keyArn,
    status: e.status,
    reason: e.reason,
    rotationPeriodInDays: e.rotationPeriodInDays,
    consoleUrl: consoleUrl(e),
    controls: CONTROLS_CELL,
    source: 'event',
    eventId: e.eventId,
    eventName: e.eventName,
    eventOutcome: e.outcome,
    principal: e.principal,
    eventTime: e.eventTime,
    handledAt: e.handledAt,
  };
  return csvRow(CSV_COLUMNS.map((column) => cells[column]));
}

/** A scope the run did not cover, as a row after the keys: status EXCLUDED or NOT_SCANNED, the reason why. */
function gapRow(input: ReportInput, gap: CoverageGapRow): string {
  const cells: Partial<Record<(typeof CSV_COLUMNS)[number], string>> = {
    accountId: gap.accountId,
    accountName: accountName(input, gap.accountId),
    region: gap.region ?? '',
    status: gap.state,
    reason: gap.why,
    controls: CONTROLS_CELL,
    source: 'scan',
  };
  return csvRow(CSV_COLUMNS.map((column) => cells[column]));
}

export async function writeCsvReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const out = new ChunkWriter(sink);
  await out.write(csvRow(CSV_COLUMNS));
  for await (const finding of iterate(input.findings)) await out.write(findingRow(input, finding));
  for (const gap of coverageGapRows(input.coverage)) await out.write(gapRow(input, gap));
  for (const e of input.keyEvents?.events ?? []) await out.write(eventRow(input, e));
  await out.flush();
}
