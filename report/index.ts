// The report builders behind `rotor run --report` and `rotor report --format`: pick a format, give
// it the run, its findings (streamed) and its error records, and a sink to write to.
import { z } from 'zod';
import { writeCsvReport } from './csv';
import { writeHtmlReport } from './html';
import { writeJsonReport } from './json';
import { writeMarkdownReport } from './markdown';
import { writeOcsfReport } from './ocsf';
import { writeTableReport } from './table';
import type { ReportInput, ReportSink } from './types';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'md', 'html', 'ocsf'] as const;
export const ReportFormat = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormat>;

/** The usual file extension for a format (`table` is text). */
export const REPORT_EXTENSIONS: Record<ReportFormat, string> = { table: 'txt', json: 'json', csv: 'csv', md: 'md', html: 'html', ocsf: 'ocsf.json' };

export class UnknownReportFormatError extends Error {
  override readonly name = 'UnknownReportFormatError';
}

/** The format named by `s` (case-insensitive; "markdown" is md); a clear error otherwise. */
export function parseReportFormat(s: string): ReportFormat {
  const name = s.trim().toLowerCase();
  const alias = name === 'markdown' ? 'md' : name;
  const parsed = ReportFormat.safeParse(alias);
  if (parsed.success) return parsed.data;
  throw new UnknownReportFormatError(`unknown report format "${s}": use one of ${REPORT_FORMATS.join(', ')}`);
}

const WRITERS: Record<ReportFormat, (input: ReportInput, sink: ReportSink) => Promise<void>> = {
  table: writeTableReport,
  json: writeJsonReport,
  csv: writeCsvReport,
  md: writeMarkdownReport,
  html: writeHtmlReport,
  ocsf: writeOcsfReport,
};

/** Write the report of one run in one format to the sink, streaming the findings. */
export function writeReport(format: ReportFormat, input: ReportInput, sink: ReportSink): Promise<void> {
  return WRITERS[format](input, sink);
}

/** A sink that keeps what is written, for tests and for small reports. */
export function stringSink(): ReportSink & { text(): string } {
  const parts: string[] = [];
  return { write: (chunk) => void parts.push(chunk), text: () => parts.join('') };
}

/** A sink over a Node writable stream (a file, stdout) that waits when the stream is full. */
export function writableSink(stream: NodeJS.WritableStream): ReportSink {
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        const ok = stream.write(chunk, (error) => (error ? reject(error) : undefined));
        if (ok) resolve();
        else stream.once('drain', () => resolve());
      }),
  };
}

/** Write a report into a string (a convenience for small runs and tests). */
export async function renderReport(format: ReportFormat, input: ReportInput): Promise<string> {
  const sink = stringSink();
  await writeReport(format, input, sink);
  return sink.text();
}

export { writeCsvReport, writeHtmlReport, writeJsonReport, writeMarkdownReport, writeOcsfReport, writeTableReport };
export { CSV_COLUMNS, csvCell } from './csv';
export { jsonFinding } from './json';
export { escapeHtml } from './escape';
export { TABLE_KEY_LIMIT, TABLE_ACCOUNT_LIMIT } from './table';
export {
  ATTENTION_STATUSES,
  EXPIRING_SOON_DAYS,
  compliancePercent,
  consoleUrl,
  exceptionStatus,
  statusTotals,
} from './common';
export type { ExceptionState, ExceptionStatus } from './common';
export type { FindingSource, ReportInput, ReportSink, RunHistoryPoint, WavePlanEntry } from './types';
