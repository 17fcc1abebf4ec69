// A run's life: its id, the scope that makes two runs comparable, and how it ends. Pure.
import type { ExecutionInput, Finding, RunRecord, RunStatus } from './schemas';

/** The run id: the caller's, or the Step Functions execution name (the last part of its ARN). */
export function runIdFor(input: Pick<ExecutionInput, 'runId'>, executionId: string | undefined, now: Date): string {
  if (input.runId) return input.runId;
  const name = executionId?.split(':').pop();
  if (name) return name.replace(/[^\w.-]/g, '-').slice(0, 80);
  return `run-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
}

/**
 * What a run looked at, as a string: drift compares a run only with earlier runs of the same
 * scope (the same accounts, OUs and Regions asked for).
 */
export function scopeOf(input: ExecutionInput): string {
  const part = (name: string, values: readonly string[] | undefined) =>
    values && values.length > 0 ? `${name}=${[...values].sort().join(',')}` : undefined;
  const parts = [
    part('accounts', input.accounts),
    part('exclude', input.excludeAccounts),
    part('ous', input.organizationalUnits),
    part('regions', input.regions),
  ].filter(Boolean);
  return parts.length === 0 ? 'org' : parts.join(';');
}

export function newRun(runId: string, input: ExecutionInput, startedAt: Date, executionId?: string, previousRunId?: string): RunRecord {
  return {
    runId,
    executionId,
    mode: input.mode,
    status: 'RUNNING',
    startedAt: startedAt.toISOString(),
    // The whole input: it has no ExternalId (ExecutionInput refuses one), so nothing is left out.
    input: { ...input },
    accountCount: 0,
    waveCount: 0,
    waves: [],
    summary: {},
    errorCount: 0,
    scope: scopeOf(input),
    previousRunId,
  };
}

/**
 * How a run ends: FAILED when a step failed for good or when it had accounts and could scan none
 * of them, HALTED when a wave gate stopped it.
 */
export function finalStatus(run: Pick<RunRecord, 'haltReason'>, failure: unknown, coverage?: { accounts: number; scannedAccounts: number }): RunStatus {
  if (failure) return 'FAILED';
  if (coverage && coverage.accounts > 0 && coverage.scannedAccounts === 0) return 'FAILED';
  if (run.haltReason) return 'HALTED';
  return 'SUCCEEDED';
}

/** The message inside a Step Functions Cause: Lambda's JSON errorMessage, or the plain text. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const payload = JSON.parse(cause) as { errorMessage?: unknown };
    if (payload && typeof payload.errorMessage === 'string') return payload.errorMessage;
  } catch {
    // A plain-text cause (a Fail state's Cause, a timeout).
  }
  return cause;
}

/** The message of a Step Functions error object ({Error, Cause}). */
export function failureMessage(failure: unknown): string {
  const f = failure as { Error?: string; Cause?: string } | undefined;
  if (!f) return 'unknown failure';
  return [f.Error, causeMessage(f.Cause)].filter(Boolean).join(': ') || 'unknown failure';
}

/** How often a local run refreshes `heartbeatAt` on its record. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A RUNNING local run whose heartbeat is older than this has lost its process. */
export const HEARTBEAT_STALE_MS = 3 * 60_000;

/** What the reader can tell about processes: its host name and whether a pid there is alive. */
export interface ProcessProbe {
  host: string;
  isAlive(pid: number): boolean;
  now: Date;
}

/**
 * A run's status as it truly stands: a RUNNING local run (one that recorded its pid and host)
 * whose process is gone from this host, or whose heartbeat is stale, is INTERRUPTED. A run that
 * recorded no process (a deployed execution) is left as it is.
 */
export function liveStatusOf(run: Pick<RunRecord, 'status' | 'pid' | 'host' | 'heartbeatAt' | 'startedAt'>, probe: ProcessProbe): RunStatus {
  if (run.status !== 'RUNNING' || run.pid === undefined) return run.status;
  if (run.host === probe.host && !probe.isAlive(run.pid)) return 'INTERRUPTED';
  const beat = Date.parse(run.heartbeatAt ?? run.startedAt);
  if (Number.isFinite(beat) && probe.now.getTime() - beat > HEARTBEAT_STALE_MS) return 'INTERRUPTED';
  return 'RUNNING';
}

/** The run record with its live status (see liveStatusOf). */
export function runAsSeen(run: RunRecord, probe: ProcessProbe): RunRecord {
  const status = liveStatusOf(run, probe);
  return status === run.status ? run : { ...run, status };
}

/** Runs whose findings describe a whole run: drift and the compliance history compare only with these. */
export function isCompleted(status: RunStatus): boolean {
  return status === 'SUCCEEDED' || status === 'HALTED';
}

/**
 * What an interrupted run's remediation came to, decided from a later scan: a key the run asked
 * KMS to enable (its intent, `enableRequestedAt`, written, no outcome) that the later run found
 * rotating was enabled by the interrupted run: it is recorded REMEDIATED there. A key still not
 * rotating is left as it is (the later run remediates it, and the key is its own). Pure.
 */
export function reconcileInterrupted(keys: readonly Finding[], later: ReadonlyMap<string, Pick<Finding, 'status' | 'rotationPeriodInDays'>>, laterRunId: string, at: string): Finding[] {
  const out: Finding[] = [];
  for (const key of keys) {
    if (key.status !== 'NON_COMPLIANT' || !key.enableRequestedAt) continue;
    const now = later.get(key.keyArn);
    if (now?.status !== 'COMPLIANT') continue;
    out.push({
      ...key,
      status: 'REMEDIATED',
      reason: `rotation enabled by this run, which was interrupted before it confirmed it; run ${laterRunId} found it rotating`,
      rotationEnabledAfter: true,
      rotationPeriodInDays: now.rotationPeriodInDays ?? key.rotationPeriodInDays,
      remediatedAt: at,
    });
  }
  return out;
}
