// ValidateInput: checks the execution input (a bad field fails the run before anything is
// touched), fixes the run id and records the run as RUNNING.
import { newRun, runIdFor } from '../core/runs';
import { ExecutionInput, parseOrThrow } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface ValidateInputEvent {
  input: unknown;
  executionId?: string;
  startTime?: string;
}

export interface RunContext {
  runId: string;
  config: ExecutionInput;
}

export const validateInput: Step<ValidateInputEvent, RunContext> = (deps) => async (event) => {
  const config = parseOrThrow(ExecutionInput, event.input);
  const startedAt = event.startTime ? new Date(event.startTime) : deps.now();
  const runId = runIdFor(config, event.executionId, startedAt);
  await deps.store.createRun(newRun(runId, config, startedAt));
  return { runId, config: { ...config, runId } };
};

export const handler = lambdaHandler(validateInput);
