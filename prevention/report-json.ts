// The check's report as JSON for tools: the summary, the findings, every key's verdict, the errors.
import { findingsOf, summarize, type CheckReport } from './check';

export function renderJson(report: CheckReport): string {
  const document = {
    tool: 'rotor check-template',
    summary: summarize(report),
    findings: findingsOf(report),
    keys: report.keys,
    errors: report.errors,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
