// A run's life: its id, the scope that makes two runs comparable, and how it ends. Pure.
import type { ExecutionInput, RunRecord, RunStatus } from './schemas';

/** The run id: the caller's, or the Step Functions execution name (the last part of its ARN). */
export function runIdFor(input: ExecutionInput, executionId: string | undefined, now: Date): string {
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
    input: input as unknown as Record<string, unknown>,
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
