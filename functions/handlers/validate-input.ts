// ValidateInput: checks the execution input (a bad field fails the run before anything is
// touched), fixes the run id and records the run as RUNNING.
import { newRun, runIdFor } from '../core/runs';
import { ExecutionInput, InputError, parseOrThrow } from '../core/schemas';
import { previousRunOf } from '../store/run-drift';
import { lambdaHandler, type Step } from './deps';

export interface ValidateInputEvent {
  input: unknown;
  executionId?: string;
  startTime?: string;
  /**
   * The modes this state machine may run, comma-separated (its definition substitution): the
   * scan-only machine says "scan", so a remediation can never start there.
   */
  allowedModes?: string;
}

export interface RunContext {
  runId: string;
  config: ExecutionInput;
}

/**
 * The deployment's own defaults (its member role names), which an input that names them
 * overrides. Not its ExternalId: only the functions that assume member roles read that.
 */
function deploymentDefaults(): Record<string, string | number> {
  const defaults: Record<string, string | number> = {};
  if (process.env.SCAN_ROLE_NAME) defaults.roleName = process.env.SCAN_ROLE_NAME;
  if (process.env.REMEDIATE_ROLE_NAME) defaults.remediateRoleName = process.env.REMEDIATE_ROLE_NAME;
  // A guardrail that allows only some rotation periods needs remediation to ask for one of them.
  if (process.env.DEFAULT_ROTATION_PERIOD_DAYS) defaults.rotationPeriodInDays = Number(process.env.DEFAULT_ROTATION_PERIOD_DAYS);
  return defaults;
}

/**
 * The rotation periods this deployment allows (`ALLOWED_ROTATION_RANGE`, "MIN-MAX", set from the
 * stack's `allowedRotationRange`); undefined without one, where the schema's 90-2560 is the bound.
 * The range is checked here because a StartExecution caller can send any input.
 */
function allowedRotationRange(): { min: number; max: number } | undefined {
  const configured = process.env.ALLOWED_ROTATION_RANGE;
  if (!configured) return undefined;
  const match = /^(\d+)-(\d+)$/.exec(configured);
  // The stack writes this value: one it could not have written is a broken deployment, not bad input.
  if (!match) throw new Error(`ALLOWED_ROTATION_RANGE "${configured}" is not MIN-MAX`);
  return { min: Number(match[1]), max: Number(match[2]) };
}

export const step: Step<ValidateInputEvent, RunContext> = (deps) => async (event) => {
  const input = event.input && typeof event.input === 'object' && !Array.isArray(event.input) ? { ...deploymentDefaults(), ...event.input } : event.input;
  const config = parseOrThrow(ExecutionInput, input);
  const range = allowedRotationRange();
  const period = config.rotationPeriodInDays;
  if (range && period !== undefined && (period < range.min || period > range.max)) {
    throw new InputError([{ field: 'rotationPeriodInDays', message: `must be between ${range.min} and ${range.max}, the rotation periods this deployment allows` }]);
  }
  const allowed = event.allowedModes?.split(',').map((m) => m.trim());
  if (allowed && !allowed.includes(config.mode)) {
    throw new InputError([{ field: 'mode', message: `this state machine runs ${allowed.join(' and ')} only; "${config.mode}" is not allowed here` }]);
  }
  const startedAt = event.startTime ? new Date(event.startTime) : deps.now();
  const runId = runIdFor(config, event.executionId, startedAt);
  const run = newRun(runId, config, startedAt, event.executionId);
  // Fixed at the start, so that every account's scan compares with the same earlier run.
  const previous = await previousRunOf(deps.store, run);
  if ((await deps.store.createRun({ ...run, previousRunId: previous?.runId })) === 'exists') {
    const existing = await deps.store.getRun(runId);
    if (existing?.executionId !== event.executionId) {
      throw new InputError([{ field: 'runId', message: `"${runId}" is already used by another run; choose a new run id` }]);
    }
  }
  return { runId, config: { ...config, runId } };
};

export const handler = lambdaHandler('ValidateInput', step);
