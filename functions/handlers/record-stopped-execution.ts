// RecordStoppedExecution: the EventBridge rule on our state machines' executions that end ABORTED,
// TIMED_OUT or FAILED invokes it with the event. A run the execution left RUNNING (Finalize never
// ran) becomes INTERRUPTED, finished when the execution stopped, why, and its counts so far; the
// next run of its scope then reconciles the keys it enabled (Finalize, store/reconcile.ts). A
// malformed or foreign event is logged and dropped; a store failure is thrown, so Lambda retries
// the event and then sends it to the dead-letter queue.
import { StoppedExecutionEvent, runIdOfExecution, stoppedRunDecision } from '../core/stopped-execution';
import { inertText } from '../core/text';
import { logger } from '../observability/telemetry';
import { lambdaHandler, type Step } from './deps';

export interface StoppedExecutionOutcome {
  outcome: 'interrupted' | 'kept' | 'dropped';
  runId?: string;
  reason?: string;
}

export const step: Step<unknown, StoppedExecutionOutcome> = (deps) => async (event) => {
  const parsed = StoppedExecutionEvent.safeParse(event);
  if (!parsed.success) return logged({ outcome: 'dropped', reason: `not an execution status change of ours: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}` });
  const execution = parsed.data.detail;
  const now = deps.now();
  const runId = runIdOfExecution(execution, now);
  const decision = stoppedRunDecision(await deps.store.getRun(runId), execution, now);
  if (decision.action === 'keep') return logged({ outcome: 'kept', runId, reason: decision.reason });
  const [summary, errors] = await Promise.all([deps.store.countByStatus(runId), deps.store.errors(runId)]);
  // Conditional on RUNNING: Finalize (or an earlier delivery) may have written it since the read.
  const written = await deps.store.updateRun(runId, { ...decision.patch, summary, errorCount: errors.length }, 'RUNNING');
  return logged(written ? { outcome: 'interrupted', runId, reason: decision.patch.haltReason } : { outcome: 'kept', runId, reason: `run ${runId} was finished meanwhile` });
};

/** One line per event on the function's logger (JSON in Lambda, silent elsewhere). */
function logged(outcome: StoppedExecutionOutcome): StoppedExecutionOutcome {
  logger.info('stopped execution', { ...outcome, reason: outcome.reason === undefined ? undefined : inertText(outcome.reason) });
  return outcome;
}

export const handler = lambdaHandler('RecordStoppedExecution', step);
