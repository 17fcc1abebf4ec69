// The local runner: executes statemachine/rollout.asl.json itself on aws-local-stepfunctions,
// with the Lambda handlers in-process, against whatever AWS the SDK is configured for. Results
// go to the results store it is given (embedded or a real table).
import './node-compat';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { StateMachine } from 'aws-local-stepfunctions';
import { MemoryManifestStore, type ManifestLocation, type ManifestStore } from '../functions/aws/manifests';
import type { HandlerDeps, Step } from '../functions/handlers/deps';
import { asStepError } from '../functions/handlers/step-errors';
import type { ResultsStore } from '../functions/store/results-store';
import { HEARTBEAT_INTERVAL_MS } from '../functions/core/runs';
import { allStates, readAslText, substitute, type AslDefinition } from '../statemachine/asl';
import { STEP_FUNCTIONS, STEP_FUNCTION_IDS, TASK_STATES, type StepFunctionId, type TaskState } from '../statemachine/steps';
import { adaptForLocalEngine, type AdaptedDefinition } from './asl-adapter';
import { limitHeapGrowth } from './heap-growth';

/** The step a function of the registry runs: its handler file's `step`, called in-process. */
export function stepOf(id: StepFunctionId): Step<never, unknown> {
  const { file } = STEP_FUNCTIONS[id];
  // A template literal: esbuild bundles every file of functions/handlers/ for it (the installed CLI),
  // keyed by file name with its extension, so the extension is part of the path asked for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { step } = require(`../functions/handlers/${file}.ts`) as { step?: unknown };
  if (typeof step !== 'function') throw new Error(`functions/handlers/${file}.ts exports no step`);
  return step as Step<never, unknown>;
}

export interface LocalProgress {
  state: TaskState;
  event: 'succeeded' | 'failed' | 'retried';
  output?: unknown;
  error?: string;
}

export interface LocalRunOptions {
  store: ResultsStore;
  manifests?: ManifestStore;
  /**
   * The ExternalId the member roles require (`--external-id`): the steps that assume them get it as
   * their configuration, as the deployed ones read the deployment's secret; never in the input or state.
   */
  externalId?: string;
  /** Milliseconds between retries instead of the ASL's intervals (tests keep them short). */
  retryDelayMs?: number;
  onProgress?: (progress: LocalProgress) => void;
  now?: () => Date;
  /**
   * Stops the run cleanly (SIGINT/SIGTERM): no Task starts after it, the time budget of the
   * attempts in flight reads 0 (RemediateAccount finishes its keys in flight, writes them and
   * stops with TimeBudgetExceeded), and once none is left the execution is aborted: ABORTED.
   */
  signal?: AbortSignal;
  /** Where ExportToSecurityHub imports the run's findings; without it the run exports nothing (securityHubExport off). */
  securityHub?: HandlerDeps['securityHub'];
  /** Milliseconds between heartbeats on the run record (default HEARTBEAT_INTERVAL_MS). */
  heartbeatMs?: number;
}

export interface LocalRunResult {
  runId: string;
  /** How the execution ended, as Step Functions would say it. */
  executionStatus: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  error?: string;
  cause?: string;
  output?: unknown;
}

/** The ASL with its substitutions filled for the local engine (no real ARNs are called). */
export function localDefinition(securityHubExport = false): AdaptedDefinition<AslDefinition> {
  const values: Record<string, string> = { ManifestBucket: 'local', AllowedModes: 'scan,remediate', SecurityHubExport: String(securityHubExport) };
  for (const id of STEP_FUNCTION_IDS) values[STEP_FUNCTIONS[id].substitution] = `arn:aws:lambda:us-east-1:000000000000:function:kms-rotor-${id}`;
  return adaptForLocalEngine(JSON.parse(substitute(readAslText(), values)) as AslDefinition);
}

/** Definitions this process has validated (the local definition, with and without the export). */
const validatedDefinitions = new Set<string>();

/** Runs the rollout for `input` (the execution input, as `rotor run` would send it). */
export async function runLocal(input: Record<string, unknown>, options: LocalRunOptions): Promise<LocalRunResult> {
  limitHeapGrowth();
  const deps: HandlerDeps = {
    store: options.store,
    manifests: options.manifests ?? new MemoryManifestStore(),
    externalId: async () => options.externalId,
    now: options.now ?? (() => new Date()),
    securityHub: options.securityHub,
  };
  const { definition, itemReaders } = localDefinition(options.securityHub !== undefined);
  const report = options.onProgress ?? (() => undefined);

  const timeouts = new Map(allStates(definition).map(({ name, state }) => [name, Number(state.TimeoutSeconds ?? 0) * 1000]));
  // The engine starts a retry when a Task times out, while the timed-out attempt still runs here
  // (a deployed Lambda is stopped at its timeout instead). An attempt of a Task on an input waits
  // for the earlier one on the same input to end, so no account is ever worked on twice at once.
  const inFlight = new Map<string, Promise<unknown>>();
  const signal = options.signal;
  // Once stopped, a Task's result never reaches the engine: the execution is aborted instead,
  // when the last attempt in flight has ended (and written what it did). Only then do the Tasks
  // that were stopped fail (and every later attempt at once), so the engine clears their timers
  // and the process can exit, with no state after them run.
  let interrupt: (error: Error) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (interrupt = reject));
  stopped.catch(() => undefined);
  let running = 0;
  let abortExecution: () => void = () => undefined;
  const maybeAbort = () => {
    if (!signal?.aborted || running > 0) return;
    abortExecution();
    interrupt(Object.assign(new Error('stopped by a signal'), { name: 'Interrupted' }));
  };
  // The process and its heartbeat on the run record, from when ValidateInput has created it.
  let heartbeat: NodeJS.Timeout | undefined;
  const startHeartbeat = async (runId: string) => {
    const beat = () => deps.store.updateRun(runId, { heartbeatAt: new Date().toISOString() });
    await deps.store.updateRun(runId, { pid: process.pid, host: hostname(), heartbeatAt: new Date().toISOString() });
    heartbeat = setInterval(() => void beat().catch(() => undefined), options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
    heartbeat.unref();
  };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, id] of Object.entries(TASK_STATES) as [TaskState, StepFunctionId][]) {
    const step = stepOf(id);
    const timeoutMs = timeouts.get(state) ?? 0;
    handlers[state] = async (event) => {
      if (signal?.aborted) return stopped;
      const attemptKey = `${state}\u0000${JSON.stringify(event)}`;
      const earlier = inFlight.get(attemptKey);
      if (earlier) await earlier.catch(() => undefined);
      if (signal?.aborted) return stopped;
      // The time budget a Lambda has: the Task's TimeoutSeconds, from this attempt's start; none once stopped.
      const deadline = Date.now() + timeoutMs;
      const timeLeftMs = timeoutMs || signal ? () => (signal?.aborted ? 0 : timeoutMs ? deadline - Date.now() : Number.MAX_SAFE_INTEGER) : undefined;
      running++;
      const attempt = (step({ ...deps, timeLeftMs }) as (event: unknown) => Promise<unknown>)(event);
      inFlight.set(attemptKey, attempt);
      try {
        const output = await attempt;
        if (state === 'ValidateInput' && !heartbeat) await startHeartbeat(String((output as Json).runId));
        if (signal?.aborted) return stopped;
        report({ state, event: 'succeeded', output });
        // JSON round trip: what a Lambda returns crosses the wire as JSON.
        return JSON.parse(JSON.stringify(output ?? null));
      } catch (error) {
        if (signal?.aborted) return stopped;
        report({ state, event: 'failed', error: (error as Error).message });
        // Step Functions names a Lambda error by its errorType: keep the name the Lambda would report.
        const e = asStepError(error);
        const named = new Error(e.message);
        named.name = e.name;
        throw named;
      } finally {
        if (inFlight.get(attemptKey) === attempt) inFlight.delete(attemptKey);
        running--;
        maybeAbort();
      }
    };
  }
  for (const reader of itemReaders) {
    handlers[reader] = async (location) => deps.manifests.get({ bucket: String((location as Json).Bucket), key: String((location as Json).Key) } as ManifestLocation);
  }

  // The engine validates a definition against the ASL schema (an ajv compile, about 0.25 s): once
  // per definition a process, not once per run.
  const text = JSON.stringify(definition);
  const machine = new StateMachine(definition as never, { validationOptions: validatedDefinitions.has(text) ? { noValidate: true } : { checkArn: false } });
  validatedDefinitions.add(text);
  // Each execution has its own name, as in Step Functions; the run id is the caller's when given.
  const executionName = randomUUID();
  const runId = typeof input.runId === 'string' ? input.runId : executionName;
  const startTime = deps.now().toISOString();
  const retryIntervalOverrides =
    options.retryDelayMs === undefined ? undefined : Object.fromEntries(allStates(definition).filter(({ state }) => state.Retry).map(({ name }) => [name, options.retryDelayMs!]));
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:kms-rotor-rollout:${executionName}`,
        Name: executionName,
        StartTime: startTime,
        Input: input,
        RoleArn: 'arn:aws:iam::000000000000:role/local',
      },
      StateMachine: { Id: 'arn:aws:states:local:000000000000:stateMachine:kms-rotor-rollout', Name: 'kms-rotor-rollout' },
    } as never,
  });
  abortExecution = () => execution.abort();
  // The engine queues every state's entry and exit, input and output included, until its event
  // log is read: read and dropped here, so a run's history is never held (it grows with accounts and waves).
  void (async () => {
    for await (const event of execution.eventLogs) void event;
  })();
  const onAbort = () => maybeAbort();
  signal?.addEventListener('abort', onAbort);
  try {
    const output = (await execution.result) as Json;
    return { runId: String(output?.runId ?? runId), executionStatus: 'SUCCEEDED', output };
  } catch (error) {
    if ((error as Error).name === 'ExecutionAbortedError' || signal?.aborted) return { runId, executionStatus: 'ABORTED', error: 'Interrupted', cause: 'stopped by a signal' };
    // The engine wraps what failed the execution (a task's error, a Fail state) in an ExecutionError.
    const failed = ((error as Error).cause ?? error) as Error & { cause?: unknown };
    return { runId, executionStatus: 'FAILED', error: failed.name, cause: typeof failed.cause === 'string' ? failed.cause : failed.message };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (heartbeat) clearInterval(heartbeat);
  }
}

type Json = Record<string, unknown>;
