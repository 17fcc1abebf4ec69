// What every report format shares: the buffered writer over a sink, console links, status totals,
// compliance percentage, exception expiry state, the drift's rows and the wave rows. Pure helpers over plain data.
import type { Coverage } from '../functions/core/coverage';
import type { Drift } from '../functions/core/drift';
import { daysLeft as daysLeftOf } from '../functions/core/exceptions';
import { ATTENTION_STATUSES, FINDING_STATUSES } from '../functions/core/schemas';
import type { ExceptionRecord, Finding, FindingStatus, RunRecord, WaveResult } from '../functions/core/schemas';
import type { ReportInput, ReportSink, WavePlanEntry } from './types';

/** Exceptions that end within this many days of the report time are flagged. */
export const EXPIRING_SOON_DAYS = 30;

/** The statuses that need someone's attention: rotation is off (defined with the statuses). */
export { ATTENTION_STATUSES };

export function needsAttention(finding: Pick<Finding, 'status'>): boolean {
  return ATTENTION_STATUSES.includes(finding.status);
}

/**
 * Joins small writes into chunks of about 64 KiB before handing them to the sink, so a report of
 * 100,000 rows makes a few hundred sink calls, each awaited (a file stream's backpressure holds).
 */
export class ChunkWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly sink: ReportSink,
    private readonly chunkSize = 64 * 1024,
  ) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.chunkSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.sink.write(chunk);
  }
}

/** The AWS console host for a key's partition (taken from its ARN). */
function consoleHost(keyArn: string, region: string): string {
  const partition = keyArn.split(':')[1] ?? 'aws';
  if (partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com';
  if (partition === 'aws-cn') return 'console.amazonaws.cn';
  return `${region}.console.aws.amazon.com`;
}

/**
 * The key's page in the AWS console, as the control's "Open in AWS" opens it. AWS-managed keys
 * live under "AWS managed keys" (defaultKeys), customer keys under "Customer managed keys".
 */
export function consoleUrl(finding: Pick<Finding, 'region' | 'keyId' | 'keyArn' | 'keyManager'>): string {
  const region = encodeURIComponent(finding.region);
  const keyId = encodeURIComponent(finding.keyId);
  const page = finding.keyManager === 'AWS' ? 'defaultKeys' : 'keys';
  return `https://${consoleHost(finding.keyArn, region)}/kms/home?region=${region}#/kms/${page}/${keyId}`;
}

/** Every status with its count (0 when absent), in the canonical order. */
export function statusTotals(summary: RunRecord['summary'] | undefined): Record<FindingStatus, number> {
  const totals = {} as Record<FindingStatus, number>;
  for (const status of FINDING_STATUSES) totals[status] = summary?.[status] ?? 0;
  return totals;
}

export function totalKeys(summary: RunRecord['summary'] | undefined): number {
  const totals = statusTotals(summary);
  return FINDING_STATUSES.reduce((sum, status) => sum + totals[status], 0);
}

export { compliancePercent, formatPercent } from '../functions/core/coverage';

/** One account or Region the run left out: excluded on purpose, or in scope and not scanned. */
export interface CoverageGapRow {
  accountId: string;
  /** Absent: the whole account. */
  region?: string;
  state: 'EXCLUDED' | 'NOT_SCANNED';
  why: string;
}

/** What every format lists under the coverage line: the scopes not scanned first, then the excluded accounts. */
export function coverageGapRows(coverage: Coverage): CoverageGapRow[] {
  return [
    ...coverage.notScanned.map((n) => ({ accountId: n.accountId, region: n.region, state: 'NOT_SCANNED' as const, why: n.why })),
    ...coverage.accounts.excluded.map((e) => ({ accountId: e.accountId, state: 'EXCLUDED' as const, why: e.why })),
  ];
}

export type ExceptionState = 'expired' | 'expiring' | 'active';

export interface ExceptionStatus {
  state: ExceptionState;
  /** Calendar days (UTC) from the report date to the expiry date: 0 is today, negative once past. */
  daysLeft: number;
  /** Human words: "expired 3 days ago", "expires today", "expires in 12 days", "active". */
  label: string;
}

/**
 * Where an exception stands at the report time. It holds through the end of its expiresAt day
 * (UTC), so it is expired from the next midnight; "expiring" means it ends within
 * EXPIRING_SOON_DAYS calendar days of the report date.
 */
export function exceptionStatus(exception: Pick<ExceptionRecord, 'expiresAt'>, now: Date): ExceptionStatus {
  const daysLeft = daysLeftOf(exception, now);
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (daysLeft < 0) return { state: 'expired', daysLeft, label: `expired ${days(-daysLeft)} ago` };
  if (daysLeft <= EXPIRING_SOON_DAYS) {
    const label = daysLeft === 0 ? 'expires today' : daysLeft === 1 ? 'expires tomorrow' : `expires in ${days(daysLeft)}`;
    return { state: 'expiring', daysLeft, label };
  }
  return { state: 'active', daysLeft, label: 'active' };
}

/** The exception's target in words: a key ARN, or every key of an account. */
export function exceptionTargetLabel(exception: Pick<ExceptionRecord, 'target'>): string {
  return /^\d{12}$/.test(exception.target) ? `every key of account ${exception.target}` : exception.target;
}

export function accountName(input: Pick<ReportInput, 'accounts'>, accountId: string): string {
  return input.accounts?.[accountId]?.name ?? '';
}

export function boolText(value: boolean | null | undefined): string {
  return value === true ? 'true' : value === false ? 'false' : '';
}

/** "off → on", "on", "unknown": the rotation before and after this run. */
export function rotationText(finding: Pick<Finding, 'rotationEnabledBefore' | 'rotationEnabledAfter'>): string {
  const word = (value: boolean | null | undefined) => (value === true ? 'on' : value === false ? 'off' : 'unknown');
  if (finding.rotationEnabledBefore === null && finding.rotationEnabledAfter === undefined) return '';
  if (finding.rotationEnabledAfter === undefined) return word(finding.rotationEnabledBefore);
  return `${word(finding.rotationEnabledBefore)} → ${word(finding.rotationEnabledAfter)}`;
}

/** How a key changed since the previous run, as the drift tables name it. */
export type DriftChange = 'new' | 'regressed' | 'resolved';

/** The drift's changed keys, in the order every format lists them: new non-compliant, regressed, resolved. */
export function driftChanges(drift: Drift): [DriftChange, Finding][] {
  return [
    ...drift.newNonCompliant.map((f): [DriftChange, Finding] => ['new', f]),
    ...drift.regressed.map((f): [DriftChange, Finding] => ['regressed', f]),
    ...drift.resolved.map((f): [DriftChange, Finding] => ['resolved', f]),
  ];
}

/** The columns of a drift table (HTML and Markdown), one row per changed key. */
export const DRIFT_COLUMNS = ['Change', 'Account', 'Region', 'Key', 'Status now'] as const;

/** The drift's counts, labelled, in the order every format prints them. */
export function driftCounts(drift: Drift): [label: string, count: number][] {
  return [
    ['New non-compliant', drift.newNonCompliant.length],
    ['Regressed', drift.regressed.length],
    ['Resolved', drift.resolved.length],
    ['Exceptions expired since', drift.expiredExceptions.length],
  ];
}

/** One line per wave: the plan and, once the wave ran, its result. */
export interface WaveRow {
  wave: number;
  plannedKeys?: number;
  plannedAccounts?: number;
  result?: WaveResult;
}

export function waveRows(run: RunRecord, plan: readonly WavePlanEntry[] | undefined): WaveRow[] {
  const rows = new Map<number, WaveRow>();
  for (const entry of plan ?? []) rows.set(entry.wave, { wave: entry.wave, plannedKeys: entry.keys, plannedAccounts: entry.accounts });
  for (const result of run.waves ?? []) rows.set(result.wave, { ...(rows.get(result.wave) ?? { wave: result.wave }), result });
  return [...rows.values()].sort((a, b) => a.wave - b.wave);
}

export function waveOutcome(row: WaveRow): string {
  if (!row.result) return 'not run';
  const r = row.result;
  const rate = `${(r.failureRate * 100).toFixed(1)}% failed`;
  return r.halted ? `HALTED (${rate})` : `done (${rate})`;
}

/** Counts per status for one account, built while its rows stream past. */
export function emptyCounts(): Record<FindingStatus, number> {
  return statusTotals(undefined);
}

/** "3 COMPLIANT, 1 NON_COMPLIANT": the non-zero counts. */
export function countsText(counts: Record<FindingStatus, number>): string {
  const parts = FINDING_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no keys';
}

export function reportTime(input: Pick<ReportInput, 'now'>): Date {
  return input.now ?? new Date();
}

/** Iterate a finding source once; works for sync and async iterables. */
export async function* iterate(source: ReportInput['findings']): AsyncGenerator<Finding> {
  for await (const finding of source()) yield finding;
}
