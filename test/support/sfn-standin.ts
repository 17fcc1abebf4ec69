// A stand-in for the deployed kms-rotor on loopback, for tests of `rotor run` without --local: Step
// Functions (awsJson1_0) and CloudFormation DescribeStacks (awsQuery) on one endpoint, the results
// table on dynalite, and behind StartExecution the real workflow (runLocal: the ASL and the
// handlers in-process) against the simulated organization. Executions can also be scripted (end
// at once with a given status, or stay RUNNING until released) for the edge cases.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { MemoryObjectStore } from '../../functions/store/object-store';
import { ResultsStore } from '../../functions/store/results-store';
import { createTableInput } from '../../functions/store/table-schema';
import { runLocal, type LocalProgress, type LocalRunResult } from '../../local/runner';
import { listenDynalite } from '../../local/embedded-store';
import { allStates, innerMachines, readAslText, type AslDefinition } from '../../statemachine/asl';
import { TASK_STATES } from '../../statemachine/steps';
import { demoScenarioPath, startSimulator, type SimulatedOrganization, type SimulatorOptions } from '../../local/sim';
import { readBody } from '../../local/sim/server';

type Json = Record<string, unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** How a scripted execution ends without running the workflow. */
export interface ScriptedEnd {
  kind: 'end';
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  error?: string;
  cause?: string;
}

/**
 * What the next StartExecution does: `run` (the default) runs the workflow; `end` ends at once as
 * told; `hold` stays RUNNING until `release(name, outcome)`.
 */
export type ScriptedOutcome = { kind: 'run' } | ScriptedEnd | { kind: 'hold' };

export interface SfnStandInOptions {
  /** The simulated organization (default: the demo scenario); faults, quotas, latency pass through. */
  simulator?: Partial<SimulatorOptions>;
  stackName?: string;
  /** Whether DescribeStacks finds the stack (default true); `setStackDeployed` changes it later. */
  stackDeployed?: boolean;
  stateMachineName?: string;
  tableName?: string;
  /** Milliseconds between the ASL's retries (the real intervals are seconds). */
  retryDelayMs?: number;
}

export interface ExecutionView {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  input: Json;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
}

export interface SfnStandIn {
  /** Step Functions and CloudFormation, http://127.0.0.1:PORT. */
  endpoint: string;
  dynamodbEndpoint: string;
  region: string;
  accountId: string;
  stackName: string;
  stateMachineArn: string;
  tableName: string;
  /** The bucket of account scans (its objects in memory, served as S3 GetObject). */
  bucketName: string;
  sim: SimulatedOrganization;
  /** The results table as the deployed functions see it. */
  store: ResultsStore;
  /** The environment variables the stand-in set (restored by close). */
  env: Record<string, string>;
  setStackDeployed(deployed: boolean): void;
  /** Outcomes of the next StartExecutions, in order; after them, executions run the workflow. */
  script(...outcomes: ScriptedOutcome[]): void;
  /** Ends a held execution: runs the workflow now, or ends it as told. */
  release(name: string, outcome?: { kind: 'run' } | ScriptedEnd): void;
  execution(name: string): ExecutionView | undefined;
  executions(): ExecutionView[];
  /** Requests answered, by operation ("StartExecution", "DescribeStacks"…); all when no name. */
  calls(operation?: string): number;
  /** Resolves when no execution is running the workflow or waiting to (held ones are not waited for). */
  settled(): Promise<void>;
  /** Aborts held executions, waits for running ones, stops the servers and restores the environment. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The workflow's shape, read from the ASL: which Task states are top-level, which Distributed
// Maps there are, which step feeds each map its items, and which errors are Fail states' own.

interface MapShape {
  name: string;
  label?: string;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  /** The Task whose Next is this map, and where its result lands in the state. */
  feeder: string;
  feederResultPath: string;
  itemsPath?: string;
  reader?: { bucket: string; key: string };
  /** Inner states that end an item (End: true). */
  itemEnds: Set<string>;
  inner: Set<string>;
}

interface WorkflowShape {
  topTasks: Set<string>;
  maps: MapShape[];
  failErrors: Set<string>;
}

export function workflowShape(asl: AslDefinition): WorkflowShape {
  const states = asl.States;
  const every = allStates(asl);
  const top = every.filter((s) => s.parent === undefined);
  // The registry's Task states: a Task the registry does not know is no function of the deployment.
  const topTasks = new Set(top.filter(({ name, state }) => state.Type === 'Task' && name in TASK_STATES).map(({ name }) => name));
  const failErrors = new Set(top.filter(({ state: s }) => s.Type === 'Fail' && typeof s.Error === 'string').map(({ state: s }) => s.Error as string));
  const maps: MapShape[] = [];
  for (const { name, state } of top) {
    const processor = state.ItemProcessor as { ProcessorConfig?: Json; States: Record<string, Json> } | undefined;
    if (state.Type !== 'Map' || processor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') continue;
    // The Task whose result the Map reads: its Next is the Map, or a Choice that goes on to it
    // (ListAccounts' AccountsListed, which loops back while the listing continues).
    const choicesTo = new Set(Object.entries(states).filter(([, s]) => s.Type === 'Choice' && [s.Default, ...((s.Choices as Json[] | undefined) ?? []).map((c) => c.Next)].includes(name)).map(([n]) => n));
    const feeder = Object.entries(states).find(([, s]) => s.Type === 'Task' && (s.Next === name || choicesTo.has(s.Next as string)));
    if (!feeder) throw new Error(`Distributed Map ${name}: no Task leads to it, so its item count is unknown`);
    const params = ((state.ItemReader as Json | undefined)?.Parameters ?? undefined) as Record<string, string> | undefined;
    // Every state below the Map, the states of Maps inside its child included.
    const below = new Set([name]);
    for (const s of every) if (s.parent !== undefined && below.has(s.parent)) below.add(s.name);
    const itemStates = every.filter((s) => s.parent !== undefined && below.has(s.parent));
    maps.push({
      name,
      label: state.Label as string | undefined,
      maxConcurrency: Number(state.MaxConcurrency ?? 1000),
      toleratedFailurePercentage: Number(state.ToleratedFailurePercentage ?? 0),
      feeder: feeder[0],
      feederResultPath: String(feeder[1].ResultPath ?? '$'),
      itemsPath: params ? undefined : String(state.ItemsPath ?? '$'),
      reader: params ? { bucket: params['Bucket.$'] ?? params.Bucket, key: params['Key.$'] ?? params.Key } : undefined,
      // An item ends where its innermost states end: inside a batched child, that is in the batch's inline Map.
      itemEnds: new Set(itemStates.filter((s) => s.state.End === true && !innerMachines(s.state).length).map((s) => s.name)),
      inner: new Set(itemStates.map((s) => s.name)),
    });
  }
  return { topTasks, maps, failErrors };
}

/** A `$.a.b` path of the state, read from the feeder's result (which sits at `resultPath`). */
function fromResult(path: string, resultPath: string, result: unknown): unknown {
  if (path !== resultPath && !path.startsWith(`${resultPath}.`)) return undefined;
  let value = result;
  for (const part of path.slice(resultPath.length).split('.').filter(Boolean)) value = (value as Json | undefined)?.[part];
  return value;
}

// ---------------------------------------------------------------------------------------------
// Executions

const epoch = (d: Date) => d.getTime() / 1000;

interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  details?: [string, Json];
}

interface MapRun {
  arn: string;
  shape: MapShape;
  startDate: Date;
  stopDate?: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  total: number;
  succeeded: number;
  failed: number;
}

interface Execution {
  arn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  output?: string;
  events: HistoryEvent[];
  mapRuns: MapRun[];
  /** Set while held: ends the hold. */
  release?: (outcome: { kind: 'run' } | ScriptedEnd) => void;
  /** Resolves when the workflow has ended (or at once for scripted ends). */
  done: Promise<void>;
}

class StepFunctionsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)(?::[^:]+)?$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Starts the stand-in and points this process's AWS SDK at it (SFN, CloudFormation, DynamoDB) and at the simulator (KMS, STS, Organizations, EC2). */
export async function startSfnStandIn(options: SfnStandInOptions = {}): Promise<SfnStandIn> {
  const sim = await startSimulator({ scenario: demoScenarioPath, ...options.simulator });
  const region = 'us-east-1';
  const accountId = sim.managementAccountId;
  const stackName = options.stackName ?? 'KmsRotor';
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const stateMachineName = options.stateMachineName ?? `KmsRotorRollout${suffix}`;
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName}`;
  const tableName = options.tableName ?? `KmsRotor-ResultsTable${suffix}`;
  const stackId = `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`;
  let stackDeployed = options.stackDeployed ?? true;
  const shape = workflowShape(JSON.parse(readAslText()) as AslDefinition);

  // The results table: dynalite with the deployed table's name.
  const dynamo = await listenDynalite();
  const dynamodbEndpoint = dynamo.endpoint;
  const dynamoClient = new DynamoDBClient({ endpoint: dynamodbEndpoint, region, credentials: { accessKeyId: 'standin', secretAccessKey: 'standin' }, maxAttempts: 3 });
  await dynamoClient.send(new CreateTableCommand(createTableInput(tableName)));
  // The bucket of account scans: kept in memory, served to the CLI as S3 GetObject (path style).
  const scans = new MemoryObjectStore();
  const store = new ResultsStore(dynamoClient, tableName, scans);
  const bucketName = `kmsrotor-manifests-${suffix.toLowerCase()}`;

  const executions = new Map<string, Execution>();
  const scripted: ScriptedOutcome[] = [];
  const callLog: string[] = [];

  function addEvent(execution: Execution, type: string, details?: [string, Json]): void {
    const id = execution.events.length + 1;
    execution.events.push({ id, previousEventId: id - 1, timestamp: new Date(), type, details });
  }

  function end(execution: Execution, outcome: Omit<ScriptedEnd, 'kind'> & { output?: string }): void {
    for (const run of execution.mapRuns) closeMapRun(execution, run);
    execution.status = outcome.status;
    execution.stopDate = new Date();
    execution.error = outcome.error;
    execution.cause = outcome.cause;
    execution.output = outcome.output;
    const detail = { error: outcome.error, cause: outcome.cause };
    if (outcome.status === 'SUCCEEDED') addEvent(execution, 'ExecutionSucceeded', ['executionSucceededEventDetails', { output: outcome.output ?? '{}' }]);
    if (outcome.status === 'FAILED') addEvent(execution, 'ExecutionFailed', ['executionFailedEventDetails', detail]);
    if (outcome.status === 'TIMED_OUT') addEvent(execution, 'ExecutionTimedOut', ['executionTimedOutEventDetails', detail]);
    if (outcome.status === 'ABORTED') addEvent(execution, 'ExecutionAborted', ['executionAbortedEventDetails', detail]);
  }

  function closeMapRun(execution: Execution, run: MapRun): void {
    if (run.status !== 'RUNNING') return;
    run.failed = Math.max(0, run.total - run.succeeded);
    run.status = run.failed === 0 ? 'SUCCEEDED' : 'FAILED';
    run.stopDate = new Date();
    if (run.status === 'SUCCEEDED') addEvent(execution, 'MapRunSucceeded');
    else addEvent(execution, 'MapRunFailed', ['mapRunFailedEventDetails', { error: 'States.ExceedToleratedFailureThreshold', cause: `${run.failed} of ${run.total} items failed` }]);
    addEvent(execution, 'MapStateExited', ['stateExitedEventDetails', { name: run.shape.name }]);
  }

  /** Turns the runner's progress into what Step Functions would show: history events and map-run item counts. */
  function observe(execution: Execution, manifests: MemoryManifestStore, p: LocalProgress): void {
    if (shape.topTasks.has(p.state)) {
      // A top-level step after a map means the map is over.
      for (const run of execution.mapRuns) closeMapRun(execution, run);
      addEvent(execution, 'TaskStateEntered', ['stateEnteredEventDetails', { name: p.state }]);
      if (p.event === 'succeeded') {
        addEvent(execution, 'LambdaFunctionSucceeded', ['lambdaFunctionSucceededEventDetails', { output: JSON.stringify(p.output ?? null) }]);
        addEvent(execution, 'TaskStateExited', ['stateExitedEventDetails', { name: p.state }]);
        const map = shape.maps.find((m) => m.feeder === p.state);
        if (map) openMapRun(execution, manifests, map, p.output);
      } else {
        addEvent(execution, 'LambdaFunctionFailed', ['lambdaFunctionFailedEventDetails', { error: 'Error', cause: p.error ?? '' }]);
      }
      return;
    }
    const map = shape.maps.find((m) => m.inner.has(p.state));
    const run = map && [...execution.mapRuns].reverse().find((r) => r.shape === map && r.status === 'RUNNING');
    if (run && p.event === 'succeeded' && map.itemEnds.has(p.state)) run.succeeded = Math.min(run.total, run.succeeded + 1);
  }

  function openMapRun(execution: Execution, manifests: MemoryManifestStore, map: MapShape, result: unknown): void {
    const label = map.label ?? randomUUID();
    const run: MapRun = {
      arn: `arn:aws:states:${region}:${accountId}:mapRun:${stateMachineName}/${label}:${randomUUID()}`,
      shape: map, startDate: new Date(), status: 'RUNNING', total: 0, succeeded: 0, failed: 0,
    };
    execution.mapRuns.push(run);
    addEvent(execution, 'MapStateEntered', ['stateEnteredEventDetails', { name: map.name }]);
    addEvent(execution, 'MapRunStarted', ['mapRunStartedEventDetails', { mapRunArn: run.arn }]);
    if (map.itemsPath) {
      const items = fromResult(map.itemsPath, map.feederResultPath, result);
      run.total = Array.isArray(items) ? items.length : 0;
    } else if (map.reader) {
      // The items are the manifest the ItemReader names, read from the runner's manifest store.
      const bucket = fromResult(map.reader.bucket, map.feederResultPath, result);
      const key = fromResult(map.reader.key, map.feederResultPath, result);
      void manifests.get({ bucket: String(bucket), key: String(key) }).then((items) => (run.total = items.length), () => undefined);
    }
  }

  /** Lambda errors reach the execution as their JSON payload; a Fail state's (or the engine's) as they are. */
  function causeOf(result: LocalRunResult): string | undefined {
    if (!result.error || shape.failErrors.has(result.error) || result.error.startsWith('States.')) return result.cause;
    return JSON.stringify({ errorType: result.error, errorMessage: result.cause ?? '', trace: [] });
  }

  async function runWorkflow(execution: Execution): Promise<void> {
    const manifests = new MemoryManifestStore();
    try {
      const result = await runLocal(JSON.parse(execution.input) as Json, {
        store, manifests, retryDelayMs: options.retryDelayMs ?? 5, onProgress: (p) => observe(execution, manifests, p),
      });
      if (result.executionStatus === 'SUCCEEDED') end(execution, { status: 'SUCCEEDED', output: JSON.stringify(result.output ?? null) });
      else end(execution, { status: 'FAILED', error: result.error, cause: causeOf(result) });
    } catch (error) {
      end(execution, { status: 'FAILED', error: 'States.Runtime', cause: (error as Error).message });
    }
  }

  /** The execution's life after StartExecution has answered (as Step Functions runs it after StartExecution returns). */
  function begin(execution: Execution, outcome: ScriptedOutcome): Promise<void> {
    if (outcome.kind === 'hold') {
      // Held from the start, so that `settled` knows at once not to wait for it.
      return new Promise<{ kind: 'run' } | ScriptedEnd>((resolve) => {
        execution.release = (next) => {
          execution.release = undefined;
          resolve(next);
        };
      }).then((next) => begin(execution, next));
    }
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => (outcome.kind === 'run' ? runWorkflow(execution) : end(execution, outcome)));
  }

  // ---- Step Functions operations ----

  function knownExecution(arn: unknown): Execution {
    if (typeof arn !== 'string' || !EXECUTION_ARN.test(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    const execution = executions.get(arn);
    if (!execution) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  function startExecution(req: Json): Json {
    const arn = req.stateMachineArn;
    const match = typeof arn === 'string' ? STATE_MACHINE_ARN.exec(arn) : null;
    if (!match) throw new StepFunctionsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
    if (arn !== stateMachineArn) throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    const name = req.name === undefined ? randomUUID() : String(req.name);
    if (!EXECUTION_NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const input = req.input === undefined ? '{}' : String(req.input);
    try {
      JSON.parse(input);
    } catch (error) {
      throw new StepFunctionsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
    }
    const executionArn = `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${name}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // Standard workflows: the same name and input while running is the same execution.
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: epoch(existing.startDate) };
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      arn: executionArn, name, stateMachineArn, input, status: 'RUNNING', startDate: new Date(), events: [], mapRuns: [], done: Promise.resolve(),
    };
    executions.set(executionArn, execution);
    addEvent(execution, 'ExecutionStarted', ['executionStartedEventDetails', { input, roleArn: `arn:aws:iam::${accountId}:role/KmsRotor-StateMachineRole` }]);
    execution.done = begin(execution, scripted.shift() ?? { kind: 'run' });
    return { executionArn, startDate: epoch(execution.startDate) };
  }

  function describeExecution(req: Json): Json {
    const e = knownExecution(req.executionArn);
    return {
      executionArn: e.arn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: epoch(e.startDate),
      ...(e.stopDate ? { stopDate: epoch(e.stopDate) } : {}),
      input: e.input, inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
      redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  function page<T>(items: T[], req: Json): { items: T[]; nextToken?: string } {
    const start = req.nextToken === undefined ? 0 : Number(req.nextToken);
    if (!Number.isInteger(start) || start < 0 || start > items.length) throw new StepFunctionsError('InvalidToken', `Invalid Token: '${String(req.nextToken)}'`);
    const size = Math.min(Number(req.maxResults) || 100, 1000);
    return { items: items.slice(start, start + size), nextToken: start + size < items.length ? String(start + size) : undefined };
  }

  function getExecutionHistory(req: Json): Json {
    const e = knownExecution(req.executionArn);
    const ordered = req.reverseOrder === true ? [...e.events].reverse() : e.events;
    const { items, nextToken } = page(ordered, req);
    return {
      events: items.map((ev) => ({
        id: ev.id, previousEventId: ev.previousEventId, timestamp: epoch(ev.timestamp), type: ev.type, ...(ev.details ? { [ev.details[0]]: ev.details[1] } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  function listMapRuns(req: Json): Json {
    const e = knownExecution(req.executionArn);
    // Newest first, like the other List operations of Step Functions.
    const { items, nextToken } = page([...e.mapRuns].reverse(), req);
    return {
      mapRuns: items.map((r) => ({
        executionArn: e.arn, mapRunArn: r.arn, stateMachineArn: `${stateMachineArn}/${r.arn.split('/')[1].split(':')[0]}`, startDate: epoch(r.startDate),
        ...(r.stopDate ? { stopDate: epoch(r.stopDate) } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  function describeMapRun(req: Json): Json {
    for (const e of executions.values()) {
      const r = e.mapRuns.find((m) => m.arn === req.mapRunArn);
      if (!r) continue;
      const open = r.status === 'RUNNING' ? r.total - r.succeeded : 0;
      const running = Math.min(open, r.shape.maxConcurrency);
      const counts = {
        pending: open - running, running, succeeded: r.succeeded, failed: r.failed, timedOut: 0, aborted: 0, total: r.total,
        resultsWritten: r.succeeded + r.failed, failuresNotRedrivable: 0, pendingRedrive: 0,
      };
      return {
        mapRunArn: r.arn, executionArn: e.arn, status: r.status, startDate: epoch(r.startDate), ...(r.stopDate ? { stopDate: epoch(r.stopDate) } : {}),
        maxConcurrency: r.shape.maxConcurrency, toleratedFailurePercentage: r.shape.toleratedFailurePercentage, toleratedFailureCount: 0,
        itemCounts: counts, executionCounts: counts, redriveCount: 0,
      };
    }
    throw new StepFunctionsError('ResourceNotFound', `Resource not found: '${String(req.mapRunArn)}'`);
  }

  const sfnOperations: Record<string, (req: Json) => Json> = {
    StartExecution: startExecution,
    DescribeExecution: describeExecution,
    GetExecutionHistory: getExecutionHistory,
    ListMapRuns: listMapRuns,
    DescribeMapRun: describeMapRun,
  };

  // ---- CloudFormation DescribeStacks ----

  function outputs(): Record<string, string> {
    return { StateMachineArn: stateMachineArn, ResultsTableName: tableName, ManifestBucketName: bucketName };
  }

  function describeStacks(params: URLSearchParams): { status: number; xml: string } {
    const requestId = randomUUID();
    const wanted = params.get('StackName');
    if (!stackDeployed || (wanted !== null && wanted !== stackName && wanted !== stackId)) {
      return {
        status: 400,
        xml: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
          `<Message>Stack with id ${xmlEscape(wanted ?? stackName)} does not exist</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    const members = Object.entries(outputs())
      .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`)
      .join('');
    return {
      status: 200,
      xml: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
        `<StackId>${stackId}</StackId><StackName>${xmlEscape(stackName)}</StackName><CreationTime>2026-01-05T09:30:00.000Z</CreationTime>` +
        `<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    };
  }

  /** S3 GetObject of the scans bucket, path style (/bucket/key): what the CLI's report reads. */
  async function getObject(url: string, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(url, 'http://standin').pathname);
    const key = path.slice(`/${bucketName}/`.length);
    const body = path.startsWith(`/${bucketName}/`) ? await scans.get(key) : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end(`<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xmlEscape(key)}</Key></Error>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === 'GET') return getObject(req.url ?? '/', res);
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('AWSStepFunctions.')) {
      const operation = target.slice('AWSStepFunctions.'.length);
      callLog.push(operation);
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() };
      try {
        const run = sfnOperations[operation];
        if (!run) throw new StepFunctionsError('UnknownOperationException', `Unknown operation ${operation}`);
        const answer = run(body ? (JSON.parse(body) as Json) : {});
        res.writeHead(200, headers).end(JSON.stringify(answer));
      } catch (error) {
        const code = error instanceof StepFunctionsError ? error.code : 'InternalFailure';
        res.writeHead(code === 'InternalFailure' ? 500 : 400, headers).end(JSON.stringify({ __type: `com.amazonaws.swf.service.v2.model#${code}`, message: (error as Error).message }));
      }
      return;
    }
    const params = new URLSearchParams(body);
    const action = params.get('Action');
    callLog.push(action ?? 'unknown');
    if (action === 'DescribeStacks') {
      const { status, xml } = describeStacks(params);
      res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      return;
    }
    res.writeHead(400, { 'content-type': 'text/xml' }).end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The action ${xmlEscape(action ?? '')} is not valid for this endpoint.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Service-specific endpoints (AWS_ENDPOINT_URL_<SERVICE ID>): the product's AWS calls reach the
  // simulator, the CLI's reach the stand-in and dynalite; nothing else in the environment points elsewhere.
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_KMS: sim.endpoint,
    AWS_ENDPOINT_URL_STS: sim.endpoint,
    AWS_ENDPOINT_URL_ORGANIZATIONS: sim.endpoint,
    AWS_ENDPOINT_URL_EC2: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const cleared = ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION'];
  const saved = Object.fromEntries([...Object.keys(env), ...cleared].map((name) => [name, process.env[name]]));
  for (const name of cleared) delete process.env[name];
  Object.assign(process.env, env);

  const view = (e: Execution): ExecutionView => ({
    executionArn: e.arn, name: e.name, status: e.status, input: JSON.parse(e.input) as Json, error: e.error, cause: e.cause, startDate: e.startDate, stopDate: e.stopDate,
  });
  const byName = (name: string) => [...executions.values()].find((e) => e.name === name);
  const settled = async () => {
    await Promise.all([...executions.values()].filter((e) => !e.release).map((e) => e.done));
  };

  return {
    endpoint, dynamodbEndpoint, region, accountId, stackName, stateMachineArn, tableName, bucketName, sim, store, env,
    setStackDeployed: (deployed) => {
      stackDeployed = deployed;
    },
    script: (...outcomes) => {
      scripted.push(...outcomes);
    },
    release: (name, outcome = { kind: 'run' }) => {
      const e = byName(name);
      if (!e?.release) throw new Error(`execution ${name} is not held`);
      e.release(outcome);
    },
    execution: (name) => {
      const e = byName(name);
      return e && view(e);
    },
    executions: () => [...executions.values()].map(view),
    calls: (operation) => (operation ? callLog.filter((o) => o === operation).length : callLog.length),
    settled,
    close: async () => {
      for (const e of executions.values()) e.release?.({ kind: 'end', status: 'ABORTED', error: 'States.Aborted', cause: 'the stand-in closed' });
      await Promise.all([...executions.values()].map((e) => e.done));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      dynamoClient.destroy();
      await dynamo.close();
      await sim.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
