// EventBridge "Step Functions Execution Status Change" events in the shape Step Functions sends
// them (times in epoch milliseconds, the input as a JSON string), for a given execution ARN.
import { randomUUID } from 'node:crypto';

export interface ExecutionEventSpec {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** The execution input (default `{}`). */
  input?: Record<string, unknown>;
  error?: string;
  cause?: string;
  stopDate?: Date;
}

/** The state machine ARN an execution ARN belongs to (`...:execution:<machine>:<name>`). */
export function stateMachineOf(executionArn: string): string {
  const parts = executionArn.split(':');
  return [...parts.slice(0, 5), 'stateMachine', parts[6]].join(':');
}

export function executionStatusEvent(spec: ExecutionEventSpec): Record<string, unknown> {
  const parts = spec.executionArn.split(':');
  const stop = spec.stopDate ?? new Date();
  const ended = spec.status !== 'RUNNING';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: parts[4],
    time: stop.toISOString().replace(/\.\d+Z$/, 'Z'),
    region: parts[3],
    resources: [spec.executionArn],
    detail: {
      executionArn: spec.executionArn,
      stateMachineArn: stateMachineOf(spec.executionArn),
      name: parts[7],
      status: spec.status,
      startDate: stop.getTime() - 600_000,
      stopDate: ended ? stop.getTime() : null,
      input: JSON.stringify(spec.input ?? {}),
      output: null,
      inputDetails: { included: true },
      outputDetails: null,
      error: spec.error ?? null,
      cause: spec.cause ?? null,
    },
  };
}
