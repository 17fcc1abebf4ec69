// The terminal report: run header, totals per status, compliance beside coverage (and each account
// or Region not covered), counts per account, the drift, the wave
// plan/results, then the non-compliant and failed keys (capped, "and N more") and the errors.
// Plain text in fixed-width columns, every value inert (functions/core/text.ts). One pass over the findings holding only per-account counts
// and the first few keys that need attention.
import { FINDING_STATUSES } from '../functions/core/schemas';
import type { Finding, FindingStatus } from '../functions/core/schemas';
import {
  ChunkWriter,
  accountName,
  coverageGapRows,
  driftChanges,
  emptyCounts,
  exceptionStatus,
  exceptionTargetLabel,
  iterate,
  needsAttention,
  reportTime,
  statusTotals,
  totalKeys,
  waveOutcome,
  waveRows,
} from './common';
import { controlsText } from '../functions/core/controls';
import { complianceHeadline } from '../functions/core/coverage';
import { inertText } from '../functions/core/text';
import { eventAction, keyEventsSummary } from '../functions/core/run-key-events';
import type { ReportInput, ReportSink } from './types';

/** How many keys needing attention the terminal lists before "and N more". */
export const TABLE_KEY_LIMIT = 50;
/** How many accounts the per-account counts list before "and N more". */
export const TABLE_ACCOUNT_LIMIT = 100;
const MAX_CELL = 60;

type Align = 'left' | 'right';

function clip(text: string, width = MAX_CELL): string {
  const flat = inertText(text);
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** Columns padded to their widest cell, every cell inert and at most `width` wide; numbers right-aligned. */
export function formatColumns(headers: readonly string[], rows: readonly string[][], align: readonly Align[] = [], width = MAX_CELL): string {
  const cells = [headers.map((h) => clip(h, width)), ...rows.map((r) => r.map((c) => clip(c, width)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const SHORT: Record<FindingStatus, string> = {
  COMPLIANT: 'COMPLIANT',
  NON_COMPLIANT: 'NON_COMPL',
  REMEDIATED: 'REMEDIATED',
  REMEDIATION_FAILED: 'FAILED',
  EXEMPT: 'EXEMPT',
  NOT_APPLICABLE: 'N/A',
};

export async function writeTableReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const now = reportTime(input);
  const perAccount = new Map<string, Record<FindingStatus, number>>();
  const listed: Finding[] = [];
  let notListed = 0;
  for await (const finding of iterate(input.findings)) {
    let counts = perAccount.get(finding.accountId);
    if (!counts) perAccount.set(finding.accountId, (counts = emptyCounts()));
    counts[finding.status] += 1;
    if (needsAttention(finding)) {
      if (listed.length < TABLE_KEY_LIMIT) listed.push(finding);
      else notListed += 1;
    }
  }

  const { run } = input;
  const out = new ChunkWriter(sink);
  const totals = statusTotals(run.summary);
  const lines: string[] = [];
  lines.push(inertText(`kms-rotor run ${run.runId}   mode: ${run.mode}   status: ${run.status}`));
  lines.push(inertText(`started ${run.startedAt}${run.finishedAt ? `   finished ${run.finishedAt}` : ''}   accounts: ${run.accountCount}`));
  if (run.haltReason) lines.push(inertText(`halted: ${run.haltReason}`));
  lines.push('');
  lines.push(
    formatColumns(
      ['STATUS', 'KEYS'],
      [...FINDING_STATUSES.map((s) => [s, String(totals[s])]), ['TOTAL', String(totalKeys(run.summary))]],
      ['left', 'right'],
    ),
  );
  lines.push(inertText(`compliance: ${complianceHeadline(run.summary, input.coverage)}`));
  lines.push(`controls: ${controlsText()}`);
  lines.push('');
  const gaps = coverageGapRows(input.coverage);
  if (gaps.length > 0) {
    lines.push(`NOT COVERED (${gaps.length})`);
    lines.push(formatColumns(['ACCOUNT', 'REGION', 'STATE', 'WHY'], gaps.slice(0, TABLE_KEY_LIMIT).map((g) => [g.accountId, g.region ?? '(all)', g.state, g.why])));
    if (gaps.length > TABLE_KEY_LIMIT) lines.push(`and ${gaps.length - TABLE_KEY_LIMIT} more (see --format json: coverage)`);
    lines.push('');
  }

  if (perAccount.size > 0) {
    const accountRows = [...perAccount.entries()].slice(0, TABLE_ACCOUNT_LIMIT).map(([id, counts]) => [
      id,
      accountName(input, id),
      ...FINDING_STATUSES.map((s) => String(counts[s])),
    ]);
    lines.push('PER ACCOUNT');
    lines.push(formatColumns(['ACCOUNT', 'NAME', ...FINDING_STATUSES.map((s) => SHORT[s])], accountRows, ['left', 'left', ...FINDING_STATUSES.map(() => 'right' as const)]));
    if (perAccount.size > TABLE_ACCOUNT_LIMIT) lines.push(`and ${perAccount.size - TABLE_ACCOUNT_LIMIT} more accounts`);
    lines.push('');
  }

  if (input.drift) {
    const d = input.drift;
    lines.push(inertText(`DRIFT since ${d.previousRunId ?? '(no previous run)'}`));
    lines.push(
      `new non-compliant: ${d.newNonCompliant.length}   regressed: ${d.regressed.length}   resolved: ${d.resolved.length}   expired exceptions: ${d.expiredExceptions.length}`,
    );
    // The keys that need attention only: a resolved key is counted above, not listed.
    const driftRows = driftChanges(d)
      .filter(([change]) => change !== 'resolved')
      .map(([change, f]) => [change, f.accountId, f.region, f.keyId, f.status]);
    if (driftRows.length) {
      lines.push(formatColumns(['CHANGE', 'ACCOUNT', 'REGION', 'KEY ID', 'STATUS'], driftRows.slice(0, TABLE_KEY_LIMIT)));
      if (driftRows.length > TABLE_KEY_LIMIT) lines.push(`and ${driftRows.length - TABLE_KEY_LIMIT} more`);
    }
    lines.push('');
  }

  if (input.keyEvents) {
    const k = input.keyEvents;
    lines.push('KEY EVENTS (continuous enforcement; * handled since this run started)');
    lines.push(inertText(keyEventsSummary(k)));
    if (k.events.length > 0) {
      const rows = k.events.map((e) => [`${e.handledAt}${e.sinceRun ? ' *' : ''}`, e.accountId, e.region, e.keyId, e.eventName, eventAction(e), e.principal, e.eventId]);
      lines.push(formatColumns(['HANDLED', 'ACCOUNT', 'REGION', 'KEY ID', 'EVENT', 'DONE', 'BY', 'EVENT ID'], rows.slice(0, TABLE_KEY_LIMIT)));
      if (rows.length > TABLE_KEY_LIMIT) lines.push(`and ${rows.length - TABLE_KEY_LIMIT} more (see --format json: keyEvents)`);
    }
    lines.push('');
  }

  const waves = waveRows(run, input.wavePlan);
  if (waves.length > 0) {
    lines.push(run.mode === 'scan' ? 'WAVES (what remediate would do)' : 'WAVES');
    lines.push(
      formatColumns(
        ['WAVE', 'PLANNED KEYS', 'ACCOUNTS', 'REMEDIATED', 'FAILED', 'OUTCOME'],
        waves.map((w) => [
          String(w.wave),
          w.plannedKeys === undefined ? '' : String(w.plannedKeys),
          w.plannedAccounts === undefined ? '' : String(w.plannedAccounts),
          w.result ? String(w.result.remediated) : '',
          w.result ? String(w.result.failed) : '',
          waveOutcome(w),
        ]),
        ['right', 'right', 'right', 'right', 'right', 'left'],
      ),
    );
    lines.push('');
  }

  lines.push(`NON-COMPLIANT AND FAILED KEYS (${listed.length + notListed})`);
  if (listed.length === 0) lines.push('none');
  else {
    lines.push(
      formatColumns(
        ['ACCOUNT', 'REGION', 'KEY ID', 'STATUS', 'WAVE', 'REASON'],
        listed.map((f) => [f.accountId, f.region, f.keyId, f.status, f.wave === undefined ? '' : String(f.wave), f.reason ?? '']),
      ),
    );
    if (notListed > 0) lines.push(`and ${notListed} more (see --format csv or html for every key)`);
  }
  lines.push('');

  const exceptions = input.exceptions ?? [];
  if (exceptions.length > 0) {
    lines.push(`EXCEPTIONS (${exceptions.length})`);
    lines.push(
      formatColumns(
        ['TARGET', 'OWNER', 'EXPIRES', 'STATE', 'REASON'],
        exceptions.map((e) => [exceptionTargetLabel(e), e.owner, e.expiresAt, exceptionStatus(e, now).label, e.reason]),
      ),
    );
    lines.push('');
  }

  lines.push(`ERRORS (${input.errors.length})`);
  if (input.errors.length === 0) lines.push('none');
  else {
    lines.push(
      formatColumns(
        ['ACCOUNT', 'REGION', 'PHASE', 'ERROR'],
        input.errors.map((e) => [e.accountId, e.region ?? '(all)', e.phase, e.error]),
      ),
    );
  }
  await out.write(`${lines.join('\n')}\n`);
  await out.flush();
}
