// The Markdown report: run header, totals, compliance beside coverage (each scope not covered), drift, waves, a table per account (streamed: a new
// table starts when the account changes, its counts follow it), then errors and exceptions.
// Every key links to its console page, the only URL the report prints; every value is inert and
// escaped so it cannot break the table, make a link or inject HTML into a renderer.
import { FINDING_STATUSES } from '../functions/core/schemas';
import type { Finding, FindingStatus } from '../functions/core/schemas';
import {
  ChunkWriter,
  accountName,
  consoleUrl,
  coverageGapRows,
  countsText,
  DRIFT_COLUMNS,
  driftChanges,
  driftCounts,
  emptyCounts,
  exceptionStatus,
  exceptionTargetLabel,
  iterate,
  reportTime,
  rotationText,
  statusTotals,
  totalKeys,
  waveOutcome,
  waveRows,
} from './common';
import { controlsText } from '../functions/core/controls';
import { complianceHeadline, coverageText } from '../functions/core/coverage';
import { inertText } from '../functions/core/text';
import { eventAction, keyEventsSummary } from '../functions/core/run-key-events';
import type { ReportInput, ReportSink } from './types';

/**
 * Text safe inside a Markdown table cell: inert (one line, no control or format character), no
 * pipes, HTML, entities or emphasis markers, and no link: with [ ] ! escaped no link or image
 * syntax can form, with < escaped no autolink, and the colon of "://", the dot of "www." and any
 * @ are escaped so GFM's bare-URL and email autolinks do not fire either.
 */
export function mdText(value: string | number | undefined | null): string {
  return inertText(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!@])/g, '\\$1')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.');
}

function mdLink(text: string, url: string): string {
  // The URL is consoleUrl's, built from encoded parts; encodeURIComponent leaves ( and ), and a
  // stray ) would end the link early, so they are encoded here.
  return `[${mdText(text)}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

function mdTable(headers: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const KEY_HEADERS = ['Region', 'Key', 'Aliases', 'Status', 'Reason', 'Rotation', 'Period (days)', 'Wave', 'Exception'];

function keyRow(finding: Finding): string {
  const exception = finding.exception ? `${mdText(finding.exception.owner)} until ${mdText(finding.exception.expiresAt)}` : '';
  const cells = [
    mdText(finding.region),
    mdLink(finding.keyId, consoleUrl(finding)),
    mdText((finding.aliases ?? []).join(', ')),
    `**${mdText(finding.status)}**`,
    mdText(finding.reason),
    mdText(rotationText(finding)),
    mdText(finding.rotationPeriodInDays),
    mdText(finding.wave),
    exception,
  ];
  return `| ${cells.join(' | ')} |\n`;
}

export async function writeMarkdownReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const now = reportTime(input);
  const out = new ChunkWriter(sink);
  const { run } = input;
  const totals = statusTotals(run.summary);

  const head: string[] = [];
  head.push(`# kms-rotor report: run ${mdText(run.runId)}`, '');
  head.push(`- Mode: ${mdText(run.mode)}`);
  head.push(`- Status: **${mdText(run.status)}**${run.haltReason ? ` (${mdText(run.haltReason)})` : ''}`);
  head.push(`- Started: ${mdText(run.startedAt)}`);
  if (run.finishedAt) head.push(`- Finished: ${mdText(run.finishedAt)}`);
  head.push(`- Accounts: ${run.accountCount}`);
  head.push(`- Report generated: ${now.toISOString()}`, '');
  head.push('## Totals', '');
  head.push(mdTable(['Status', 'Keys'], [...FINDING_STATUSES.map((s) => [s, String(totals[s])]), ['**Total**', String(totalKeys(run.summary))]]));
  head.push('', `Compliance: **${mdText(complianceHeadline(run.summary, input.coverage))}** (EXEMPT and NOT_APPLICABLE keys are outside the ratio).`, '');
  const gaps = coverageGapRows(input.coverage);
  head.push(`Controls: ${mdText(controlsText())}.`, '');
  head.push('## Coverage', '', mdText(coverageText(input.coverage)), '');
  if (gaps.length > 0) head.push(mdTable(['Account', 'Region', 'State', 'Why'], gaps.map((g) => [mdText(g.accountId), mdText(g.region ?? '(all Regions)'), mdText(g.state), mdText(g.why)])), '');

  if (input.drift) {
    const d = input.drift;
    head.push(`## Drift since ${d.previousRunId ? `run ${mdText(d.previousRunId)}` : 'the first run'}`, '');
    head.push(...driftCounts(d).map(([label, n]) => `- ${label}: ${n}`), '');
    const rows = driftChanges(d).map(([change, f]) => [change, mdText(f.accountId), mdText(f.region), mdLink(f.keyId, consoleUrl(f)), mdText(f.status)]);
    if (rows.length) head.push(mdTable(DRIFT_COLUMNS, rows), '');
  }

  if (input.keyEvents) {
    const k = input.keyEvents;
    head.push('## Key events (continuous enforcement)', '', `${mdText(keyEventsSummary(k))}.`, '');
    const rows = k.events.map((e) => [
      mdText(e.handledAt),
      e.sinceRun ? 'yes' : 'no',
      mdText(e.accountId),
      mdText(e.region),
      mdLink(e.keyId, consoleUrl(e)),
      mdText(e.eventName),
      mdText(eventAction(e)),
      mdText(e.principal),
      mdText(e.eventId),
      mdText(e.reason),
    ]);
    if (rows.length) head.push(mdTable(['Handled', 'Since this run', 'Account', 'Region', 'Key', 'Event', 'Done', 'By', 'Event id', 'Reason'], rows), '');
  }

  const waves = waveRows(run, input.wavePlan);
  if (waves.length > 0) {
    head.push(run.mode === 'scan' ? '## Waves (what remediate would do)' : '## Waves', '');
    head.push(
      mdTable(
        ['Wave', 'Planned keys', 'Accounts', 'Remediated', 'Failed', 'Outcome'],
        waves.map((w) => [
          String(w.wave),
          mdText(w.plannedKeys),
          mdText(w.plannedAccounts),
          mdText(w.result?.remediated),
          mdText(w.result?.failed),
          mdText(waveOutcome(w)),
        ]),
      ),
      '',
    );
  }
  head.push('## Accounts', '');
  await out.write(`${head.join('\n')}\n`);

  let account: string | undefined;
  let counts: Record<FindingStatus, number> = emptyCounts();
  const closeAccount = async () => {
    if (account !== undefined) await out.write(`\n${countsText(counts)}.\n\n`);
  };
  for await (const finding of iterate(input.findings)) {
    if (finding.accountId !== account) {
      await closeAccount();
      account = finding.accountId;
      counts = emptyCounts();
      const name = accountName(input, account);
      await out.write(`### ${name ? `${mdText(name)} (${mdText(account)})` : mdText(account)}\n\n`);
      await out.write(`| ${KEY_HEADERS.join(' | ')} |\n| ${KEY_HEADERS.map(() => '---').join(' | ')} |\n`);
    }
    counts[finding.status] += 1;
    await out.write(keyRow(finding));
  }
  await closeAccount();
  if (account === undefined) await out.write('No keys were listed.\n\n');

  const tail: string[] = [];
  tail.push(`## Errors (${input.errors.length})`, '');
  if (input.errors.length === 0) tail.push('None: every scope was scanned.', '');
  else {
    tail.push(
      mdTable(
        ['Account', 'Region', 'Phase', 'Error', 'At'],
        input.errors.map((e) => [mdText(e.accountId), mdText(e.region ?? '(all Regions)'), mdText(e.phase), mdText(e.error), mdText(e.at)]),
      ),
      '',
    );
  }
  const exceptions = input.exceptions ?? [];
  tail.push(`## Exceptions (${exceptions.length})`, '');
  if (exceptions.length === 0) tail.push('None.', '');
  else {
    tail.push(
      mdTable(
        ['Target', 'Owner', 'Reason', 'Expires', 'State'],
        exceptions.map((e) => {
          const state = exceptionStatus(e, now);
          const label = state.state === 'active' ? state.label : `**${mdText(state.label)}**`;
          return [mdText(exceptionTargetLabel(e)), mdText(e.owner), mdText(e.reason), mdText(e.expiresAt), label];
        }),
      ),
      '',
    );
  }
  if (input.drift && input.drift.expiredExceptions.length > 0) {
    tail.push('### Expired since the previous run', '');
    for (const e of input.drift.expiredExceptions) tail.push(`- ${mdText(exceptionTargetLabel(e))}: ${mdText(e.owner)}, expired ${mdText(e.expiresAt)}`);
    tail.push('');
  }
  await out.write(tail.join('\n'));
  await out.flush();
}
