// Finalize: the run's summary (counts per status, from the account summaries), an error record
// for any account of the manifest left without a scan or an error, its end status, and its drift
// against the previous run of the same scope (counted account by account) with the key events
// continuous enforcement handled around it (store/run-key-events.ts), published where the
// deployment says; left as an evidence bundle (store/evidence.ts) when the deployment asks. It
// reconciles the interrupted runs of its scope with what it found (store/reconcile.ts), deployed
// and local alike. (The Security Hub export is the next step, ExportToSecurityHub.)
import { runCounts } from '../core/account-summary';
import { driftSummary, type DriftSummary } from '../core/drift';
import { failureMessage, finalStatus } from '../core/runs';
import { ExecutionInput, type AccountTarget, type RunStatus } from '../core/schemas';
import * as z from 'zod';
import { keyEventNotice, type KeyEvents } from '../core/run-key-events';
import { accountDrifts, previousRunOf } from '../store/run-drift';
import { keyEventsFor } from '../store/run-key-events';
import { reconcileInterruptedRuns, type Reconciled } from '../store/reconcile';
import { DRIFT_NOTICE_EVENTS, publishDrift, SNS_MESSAGE_BYTES } from '../aws/notifications';
import { writeRunEvidence } from '../store/evidence';
import { S3ObjectStore } from '../store/object-store';
import { version } from '../../package.json';
import { lambdaHandler, parsedStep, type HandlerDeps } from './deps';

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const FinalizeEvent = z.object({ runId: z.string(), config: ExecutionInput, failure: z.unknown().optional() });
export type FinalizeEvent = z.infer<typeof FinalizeEvent>;

export interface FinalizeResult {
  runId: string;
  status: RunStatus;
  summary: Record<string, number>;
  errors: number;
  drift: DriftSummary;
  /** The evidence bundle's object keys, when the deployment keeps one. */
  evidence?: string[];
  /** The interrupted runs of its scope it reconciled: the keys each had enabled, now recorded REMEDIATED there. */
  reconciled: Reconciled[];
}

/**
 * An account of the manifest that has neither a summary that says it was scanned or failed, nor
 * an error record (the map tolerates a few failed children), gets one here: no account of a run
 * is ever silently missing.
 */
async function recordUnscannedAccounts(deps: HandlerDeps, runId: string, accounted: ReadonlySet<string>, failure: unknown): Promise<void> {
  const manifest = ((await deps.manifests.read(runId, 'accounts')) ?? []) as AccountTarget[];
  const withErrors = new Set((await deps.store.errors(runId)).map((e) => e.accountId));
  const missing = manifest.map((a) => a.accountId).filter((id) => !accounted.has(id) && !withErrors.has(id));
  const at = deps.now().toISOString();
  const error = failure
    ? `the account was not scanned: the run failed first (${failureMessage(failure)})`
    : 'the account was not scanned: its scan failed and the failure could not be recorded';
  await deps.store.putErrors(missing.map((accountId) => ({ runId, accountId, phase: 'scan', error, at })));
}

export const step = parsedStep(FinalizeEvent, (deps): ((event: FinalizeEvent) => Promise<FinalizeResult>) => async ({ runId, failure }) => {
  const run = await deps.store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the results store`);
  const { summaries, outcomes } = await deps.store.accountsOfRun(runId);
  const summary = runCounts(summaries, outcomes);
  await recordUnscannedAccounts(deps, runId, new Set(summaries.filter((s) => s.scannedAt || s.failed).map((s) => s.accountId)), failure);
  const errors = await deps.store.errors(runId);
  const scannedAccounts = summaries.filter((s) => s.scannedRegions.length > 0).length;
  const status = finalStatus(run, failure, { accounts: run.accountCount, scannedAccounts });
  const finishedAt = deps.now();
  const allFailed = status === 'FAILED' && !failure;
  await deps.store.updateRun(runId, {
    status,
    finishedAt: finishedAt.toISOString(),
    summary,
    errorCount: errors.length,
    haltReason: failure ? `run failed: ${failureMessage(failure)}` : allFailed ? `run failed: none of its ${run.accountCount} accounts could be scanned` : run.haltReason,
  });

  const finished = { ...run, status, summary, finishedAt: finishedAt.toISOString() };
  // An aborted, timed-out or killed run of the scope: the keys it enabled that this run found rotating.
  const reconciled = await reconcileInterruptedRuns(deps.store, finished, finishedAt);
  const drift: DriftSummary = { newNonCompliant: 0, regressed: 0, resolved: 0, expiredExceptions: 0 };
  const add = (counts: Partial<DriftSummary>) => {
    for (const k of Object.keys(drift) as (keyof DriftSummary)[]) drift[k] += counts[k] ?? 0;
  };
  // The scan's drift of each account stands unless remediation changed the account since: only
  // those accounts (and any the scan did not count) are read again, so Finalize reads O(accounts) items.
  const remediated = new Set(outcomes.map((o) => o.accountId));
  const counted = new Set<string>();
  for (const s of summaries) {
    if (s.drift && !remediated.has(s.accountId)) {
      add(s.drift);
      counted.add(s.accountId);
    }
  }
  const previous = await previousRunOf(deps.store, finished);
  for await (const part of accountDrifts(deps.store, finished, previous, finishedAt, (accountId) => !counted.has(accountId))) {
    add(driftSummary(part));
  }
  // The same window and entries as the run's reports and `rotor drift`, read by the events index
  // (O(events)): only for the drift message and the evidence bundle, and once for both.
  let keyEvents: Promise<KeyEvents> | undefined;
  const runKeyEvents = () => (keyEvents ??= keyEventsFor(deps.store, finished, previous, finishedAt));
  if (deps.drift) {
    const drifted = drift.newNonCompliant + drift.regressed;
    const head = [
      `Run ${runId} (${run.mode}) ended ${status}.`,
      `New non-compliant keys: ${drift.newNonCompliant}; regressed keys: ${drift.regressed}; resolved: ${drift.resolved}; exceptions expired: ${drift.expiredExceptions}.`,
      `Scopes that could not be scanned: ${errors.length}.`,
    ];
    const details = `Details: rotor drift --run-id ${runId}`;
    const room = SNS_MESSAGE_BYTES - Buffer.byteLength([...head, details].join('\n'), 'utf8');
    await deps.drift({
      runId,
      status,
      nonCompliantKeys: summary.NON_COMPLIANT ?? 0,
      driftedKeys: drifted,
      errorScopes: errors.length,
      subject: `kms-rotor: ${drifted} KMS key(s) drifted from rotation in run ${runId}`,
      message: [...head, ...keyEventNotice(await runKeyEvents(), DRIFT_NOTICE_EVENTS, room), details].join('\n'),
    });
  }
  const evidence =
    deps.evidence && (await writeRunEvidence(deps.store, deps.evidence, { ...finished, finishedAt: finishedAt.toISOString(), errorCount: errors.length }, summaries, errors, await runKeyEvents(), finishedAt, version));
  return { runId, status, summary: summary as Record<string, number>, errors: errors.length, drift, reconciled, ...(evidence ? { evidence } : {}) };
});

export const handler = lambdaHandler('Finalize', step, () => ({
  drift: publishDrift(process.env.DRIFT_TOPIC_ARN),
  evidence: process.env.EVIDENCE_BUCKET ? new S3ObjectStore(process.env.EVIDENCE_BUCKET) : undefined,
}));
