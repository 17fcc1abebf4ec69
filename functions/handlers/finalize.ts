// Finalize: the run's summary (counts per status, error scopes), its end status, and its drift
// against the previous run of the same scope, published where the deployment says.
import { driftSummary } from '../core/drift';
import { failureMessage, finalStatus } from '../core/runs';
import type { ExecutionInput, RunStatus } from '../core/schemas';
import { driftOfRun } from '../store/run-drift';
import { lambdaHandler, type Step } from './deps';

export interface FinalizeEvent {
  runId: string;
  config: ExecutionInput;
  failure?: unknown;
}

export interface FinalizeResult {
  runId: string;
  status: RunStatus;
  summary: Record<string, number>;
  errors: number;
  drift: ReturnType<typeof driftSummary>;
}

/**
 * An account the scan map gave up on without even an error record (the map tolerates a few
 * failed children) gets one here: no account of a run is ever silently missing.
 */
async function recordUnscannedAccounts(deps: Parameters<Step<unknown, unknown>>[0], runId: string, failure: unknown): Promise<void> {
  const withErrors = new Set((await deps.store.errors(runId)).map((e) => e.accountId));
  const missing: string[] = [];
  for await (const account of deps.store.accounts(runId)) {
    if (!account.scannedAt && !withErrors.has(account.accountId)) missing.push(account.accountId);
  }
  const at = deps.now().toISOString();
  const error = failure
    ? `the account was not scanned: the run failed first (${failureMessage(failure)})`
    : 'the account was not scanned: its scan failed and the failure could not be recorded';
  await deps.store.putErrors(missing.map((accountId) => ({ runId, accountId, phase: 'scan', error, at })));
}

export const finalize: Step<FinalizeEvent, FinalizeResult> = (deps) => async ({ runId, failure }) => {
  const run = await deps.store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the results store`);
  const summary = await deps.store.countByStatus(runId);
  await recordUnscannedAccounts(deps, runId, failure);
  const errors = await deps.store.errors(runId);
  const status = finalStatus(run, failure);
  const finishedAt = deps.now();
  await deps.store.updateRun(runId, {
    status,
    finishedAt: finishedAt.toISOString(),
    summary,
    errorCount: errors.length,
    haltReason: failure ? `run failed: ${failureMessage(failure)}` : run.haltReason,
  });

  const drift = driftSummary(await driftOfRun(deps.store, { ...run, status, summary }, finishedAt));
  if (deps.drift) {
    const drifted = drift.newNonCompliant + drift.regressed;
    await deps.drift({
      runId,
      status,
      nonCompliantKeys: summary.NON_COMPLIANT ?? 0,
      driftedKeys: drifted,
      errorScopes: errors.length,
      subject: `kms-rotor: ${drifted} KMS key(s) drifted from rotation in run ${runId}`,
      message: [
        `Run ${runId} (${run.mode}) ended ${status}.`,
        `New non-compliant keys: ${drift.newNonCompliant}; regressed keys: ${drift.regressed}; resolved: ${drift.resolved}; exceptions expired: ${drift.expiredExceptions}.`,
        `Scopes that could not be scanned: ${errors.length}.`,
        `Details: rotor drift --run-id ${runId}`,
      ].join('\n'),
    });
  }
  return { runId, status, summary: summary as Record<string, number>, errors: errors.length, drift };
};

export const handler = lambdaHandler(finalize);
