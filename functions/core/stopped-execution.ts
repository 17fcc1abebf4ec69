// A deployed execution that ended without Finalize recording it (aborted, timed out, or failed
// where even FinalizeFailed could not run): the EventBridge event Step Functions sends for it, the
// run it belongs to, and what that run's record becomes. Pure.
import * as z from 'zod';
import { causeMessage, runIdFor } from './runs';
import type { RunRecord, RunStatus } from './schemas';

/** The execution statuses the rule forwards: the ends a run record may have missed. */
export const STOPPED_EXECUTION_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;
export const EXECUTION_STATUS_SOURCE = 'aws.states';
export const EXECUTION_STATUS_DETAIL_TYPE = 'Step Functions Execution Status Change';
/** A cause can be 32 KiB of a Lambda's error: the record keeps its start. */
const MAX_REASON_CHARS = 500;

/**
 * The "Step Functions Execution Status Change" event, the fields read (times are epoch
 * milliseconds; `input` is the execution input as a JSON string, null when it was too large).
 */
export const StoppedExecutionEvent = z.object({
  source: z.literal(EXECUTION_STATUS_SOURCE),
  'detail-type': z.literal(EXECUTION_STATUS_DETAIL_TYPE),
  detail: z.object({
    executionArn: z.string().regex(/^arn:[\w-]+:states:[\w-]+:\d{12}:execution:[^:/]+:[^:]+$/, 'must be a top-level execution ARN'),
    stateMachineArn: z.string(),
    name: z.string().min(1),
    status: z.enum(STOPPED_EXECUTION_STATUSES),
    stopDate: z.number().nullish(),
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});
export type StoppedExecutionEvent = z.infer<typeof StoppedExecutionEvent>;
export type StoppedExecution = StoppedExecutionEvent['detail'];

/**
 * The run id ValidateInput gave the execution (core/runs.ts runIdFor): the input's `runId` when
 * it has one, the execution name otherwise.
 */
export function runIdOfExecution(execution: Pick<StoppedExecution, 'executionArn' | 'input'>, now: Date): string {
  let runId: unknown;
  try {
    runId = (JSON.parse(execution.input ?? 'null') as { runId?: unknown } | null)?.runId;
  } catch {
    // Not JSON: Step Functions starts no execution with such an input; the name decides.
  }
  return runIdFor({ runId: typeof runId === 'string' ? runId : undefined }, execution.executionArn, now);
}

export type StoppedRunDecision =
  | { action: 'interrupt'; patch: { status: Extract<RunStatus, 'INTERRUPTED'>; finishedAt: string; haltReason: string } }
  | { action: 'keep'; reason: string };

/**
 * What a stopped execution makes of its run: a run still RUNNING is INTERRUPTED, finished when
 * the execution stopped, with the execution's status (and error) as why. A run another execution
 * owns, or one Finalize already recorded (SUCCEEDED, HALTED, FAILED, or INTERRUPTED by an earlier
 * delivery of the same event), is kept as it is.
 */
export function stoppedRunDecision(run: Pick<RunRecord, 'runId' | 'status' | 'executionId'> | undefined, execution: StoppedExecution, now: Date): StoppedRunDecision {
  if (!run) return { action: 'keep', reason: 'no run record: the execution stopped before ValidateInput opened its run' };
  if (run.executionId !== execution.executionArn) return { action: 'keep', reason: `run ${run.runId} belongs to another execution` };
  if (run.status !== 'RUNNING') return { action: 'keep', reason: `run ${run.runId} is already ${run.status}` };
  const why = [execution.error, causeMessage(execution.cause ?? undefined)].filter(Boolean).join(': ');
  return {
    action: 'interrupt',
    patch: {
      status: 'INTERRUPTED',
      finishedAt: new Date(execution.stopDate ?? now.getTime()).toISOString(),
      haltReason: `execution ${execution.status}${why ? ` (${why})` : ''}`.slice(0, MAX_REASON_CHARS),
    },
  };
}
