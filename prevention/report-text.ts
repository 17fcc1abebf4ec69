// The check's report for people: one line per finding, one per key out of scope, one per file
// that could not be checked, then a summary line.
import { findingsOf, summarize, type CheckReport } from './check';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function summaryLine(report: CheckReport): string {
  const summary = summarize(report);
  const files = `Checked ${plural(summary.files, 'file')}`;
  const keys =
    summary.keys === 0
      ? 'no KMS keys'
      : `${plural(summary.keys, 'KMS key')} (${summary.COMPLIANT} compliant, ${summary.NON_COMPLIANT} non-compliant, ` +
        `${summary.NOT_APPLICABLE} not applicable)`;
  const errors = summary.errors === 0 ? '' : `; ${plural(summary.errors, 'file')} could not be checked`;
  return `${files}: ${keys}, ${plural(summary.findings, 'finding')}${errors}.`;
}

export function renderText(report: CheckReport): string {
  const lines: string[] = [];
  for (const finding of findingsOf(report)) {
    lines.push(`${finding.file}: ${finding.id} (${finding.resourceType}): ${finding.message}`);
  }
  for (const key of report.keys.filter((k) => k.status === 'NOT_APPLICABLE')) {
    lines.push(`${key.file}: ${key.id} (${key.resourceType}): not applicable: ${key.reason}`);
  }
  for (const error of report.errors) lines.push(`${error.file}: error: ${error.error}`);
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}
