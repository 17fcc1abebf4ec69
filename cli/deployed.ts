// `rotor run` on the deployed state machine: finds it (flag, environment, or the stack's outputs),
// starts the execution, follows it with a progress line and prints the report from the deployed
// table. Ctrl-C stops following and leaves the execution running.
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { dynamodbClient } from '../functions/aws/clients/dynamodb';
import {
  DescribeExecutionCommand, DescribeMapRunCommand, GetExecutionHistoryCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand,
  type DescribeExecutionCommandOutput, type HistoryEvent, type MapRunListItem,
} from '@aws-sdk/client-sfn';
import { describeError } from '../functions/aws/errors';
import { causeMessage } from '../functions/core/runs';
import type { RunRecord } from '../functions/core/schemas';
import { S3ObjectStore } from '../functions/store/object-store';
import { ResultsStore } from '../functions/store/results-store';
import { BUCKET_ENV, note } from './context';
import { progressText, progressWriter, type ProgressSnapshot } from './progress';
import { RunFailedError, UsageError } from './errors';
import { finishRun, writeRunReport } from './run-report';
import { gateOf, type GateFlags } from './gate';

export interface DeployedFlags extends GateFlags {
  /** scan runs go to the scan-only state machine, which cannot remediate. */
  mode?: string;
  stateMachineArn?: string;
  stackName?: string;
  table?: string;
  bucket?: string;
  report: string;
  out?: string;
  wait: boolean;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_STACK_NAME = 'KmsRotor';
export const STATE_MACHINE_ARN_ENV = 'KMS_ROTOR_STATE_MACHINE_ARN';
export const SCAN_STATE_MACHINE_ARN_ENV = 'KMS_ROTOR_SCAN_STATE_MACHINE_ARN';
export const TABLE_ENV = 'KMS_ROTOR_TABLE';
export const POLL_MS_ENV = 'KMS_ROTOR_POLL_MS';
const DEFAULT_POLL_MS = 3000;

/** A state machine ARN, optionally qualified by a version number or an alias (names: 1–80 characters, no `:` or `/`). */
export const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[^\s:/<>{}[\]?*"#%\\^|~`$&,;]{1,80}(:[A-Za-z0-9_-]{1,80})?$/;

/** Exit code of a follow stopped with Ctrl-C (the shell's convention for SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Ctrl-C while following: the execution runs on; the message says how to follow it. */
export class FollowStopped extends Error {
  override readonly name = 'FollowStopped';
  readonly exitCode = INTERRUPTED_EXIT_CODE;
}

export interface Deployment {
  stateMachineArn: string;
  /** Where the ARN came from, for messages. */
  arnFrom: string;
  /** The Region of the state machine (and of its results table). */
  region: string;
  tableName?: string;
  tableFrom?: string;
  /** The bucket of the account scans that the table's runs point at. */
  bucketName?: string;
}

/** What DescribeStacks said: the stack's outputs, or why they could not be read. */
export interface StackLookup {
  outputs?: Record<string, string>;
  error?: string;
}

/**
 * Where `rotor run` looks for the state machine ARN, in order. A scan looks for the scan-only
 * machine first, and falls back to the rollout machine (which can also scan) only when the
 * deployment has no scan-only machine.
 */
export function arnPlaces(stackName: string, mode?: string): string {
  return mode === 'scan'
    ? `--state-machine-arn, then $${SCAN_STATE_MACHINE_ARN_ENV}, then the ScanStateMachineArn output of CloudFormation stack ${stackName}, then $${STATE_MACHINE_ARN_ENV} or its StateMachineArn output`
    : `--state-machine-arn, then $${STATE_MACHINE_ARN_ENV}, then the StateMachineArn output of CloudFormation stack ${stackName}`;
}

/** The ARN the environment names for this mode before the stack's outputs are consulted. */
function arnFromEnv(env: Env, mode?: string): [string, string] | undefined {
  const name = mode === 'scan' ? SCAN_STATE_MACHINE_ARN_ENV : STATE_MACHINE_ARN_ENV;
  return env[name] ? [env[name]!, `$${name}`] : undefined;
}

/** True when the stack's outputs must be read: no ARN given, or a table needed and none given. */
export function needsStackOutputs(flags: Pick<DeployedFlags, 'stateMachineArn' | 'table' | 'bucket' | 'mode'>, env: Env, needTable: boolean): boolean {
  return !(flags.stateMachineArn ?? arnFromEnv(env, flags.mode)) || (needTable && !((flags.table ?? env[TABLE_ENV]) && (flags.bucket ?? env[BUCKET_ENV])));
}

/** A scan without a scan-only machine: the rollout machine from the environment or the stack. */
function rolloutFallback(env: Env, stack: StackLookup | undefined, stackName: string): [string, string] | undefined {
  if (env[STATE_MACHINE_ARN_ENV]) return [env[STATE_MACHINE_ARN_ENV], `$${STATE_MACHINE_ARN_ENV}`];
  const arn = stack?.outputs?.StateMachineArn;
  return arn ? [arn, `the StateMachineArn output of stack ${stackName}`] : undefined;
}

/** The deployment from the flags, then the environment, then the stack's outputs; a missing or malformed ARN is exit 2. */
export function chooseDeployment(flags: Pick<DeployedFlags, 'stateMachineArn' | 'stackName' | 'table' | 'bucket' | 'mode'>, env: Env, stack: StackLookup | undefined): Deployment {
  const stackName = flags.stackName ?? DEFAULT_STACK_NAME;
  const scan = flags.mode === 'scan';
  const output = scan ? 'ScanStateMachineArn' : 'StateMachineArn';
  const [arn, arnFrom] = flags.stateMachineArn
    ? [flags.stateMachineArn, '--state-machine-arn']
    : arnFromEnv(env, flags.mode) ??
      (stack?.outputs?.[output] ? [stack.outputs[output], `the ${output} output of stack ${stackName}`] : undefined) ??
      (scan ? rolloutFallback(env, stack, stackName) : undefined) ??
      [undefined, ''];
  if (!arn) {
    const why = stack?.error ? `stack ${stackName}: ${stack.error}` : `stack ${stackName} has no ${scan ? 'ScanStateMachineArn or StateMachineArn' : 'StateMachineArn'} output`;
    throw new UsageError(
      `no state machine ARN: looked in ${arnPlaces(stackName, flags.mode)} (${why}). ` +
        'Deploy with `npx cdk deploy`, pass --state-machine-arn, or run on this machine with --local',
    );
  }
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) {
    throw new UsageError(
      `${arnFrom} "${arn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME); the ARN is looked for in ${arnPlaces(stackName, flags.mode)}`,
    );
  }
  const [tableName, tableFrom] = flags.table
    ? [flags.table, '--table']
    : env[TABLE_ENV]
      ? [env[TABLE_ENV], `$${TABLE_ENV}`]
      : [stack?.outputs?.ResultsTableName, `the ResultsTableName output of stack ${stackName}`];
  const bucketName = flags.bucket ?? env[BUCKET_ENV] ?? stack?.outputs?.ManifestBucketName;
  return { stateMachineArn: arn, arnFrom, region: match[1], ...(tableName ? { tableName, tableFrom } : {}), ...(bucketName ? { bucketName } : {}) };
}

async function describeStack(stackName: string): Promise<StackLookup> {
  const cfn = new CloudFormationClient({});
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return { outputs: Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])) };
  } catch (error) {
    return { error: describeError(error) };
  } finally {
    cfn.destroy();
  }
}

/** Finds the deployment, reading the stack's outputs (DescribeStacks) only when the flags and environment leave a gap. */
export async function resolveDeployment(
  flags: Pick<DeployedFlags, 'stateMachineArn' | 'stackName' | 'table' | 'bucket' | 'mode'>,
  options: { needTable: boolean; env?: Env } = { needTable: true },
): Promise<Deployment> {
  const env = options.env ?? process.env;
  const stack = needsStackOutputs(flags, env, options.needTable) ? await describeStack(flags.stackName ?? DEFAULT_STACK_NAME) : undefined;
  const deployment = chooseDeployment(flags, env, stack);
  if (options.needTable && !deployment.tableName && stack?.error) note(`no results table: stack ${flags.stackName ?? DEFAULT_STACK_NAME}: ${stack.error}`);
  return deployment;
}

// ---------------------------------------------------------------------------------------------
// Progress

/** The scan's map run: the first Distributed Map the execution started (the waves' maps start after it). */
export function scanMapRun(mapRuns: readonly MapRunListItem[]): MapRunListItem | undefined {
  return [...mapRuns].sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0))[0];
}

// ---------------------------------------------------------------------------------------------
// How an execution ended

const RUNNING_STATUSES = new Set(['RUNNING', 'PENDING_REDRIVE']);

/** The state the execution was in when it ended (the newest StateEntered in a reverse history). */
export function lastStateEntered(newestFirst: readonly HistoryEvent[]): string | undefined {
  return newestFirst.find((e) => e.stateEnteredEventDetails?.name)?.stateEnteredEventDetails?.name;
}

/** Why an execution did not succeed, e.g. "FAILED in ValidateInput: InputError: waves.size: ...". */
export function executionFailure(execution: Pick<DescribeExecutionCommandOutput, 'status' | 'error' | 'cause'>, failedIn?: string): string {
  const where = failedIn && failedIn !== execution.error ? ` in ${failedIn}` : '';
  const what = [execution.error, causeMessage(execution.cause)].filter(Boolean).join(': ');
  return `${execution.status}${where}${what ? `: ${what}` : ''}`;
}

export function consoleUrl(executionArn: string): string | undefined {
  const region = /^arn:aws:states:([a-z0-9-]+):/.exec(executionArn)?.[1];
  return region ? `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}` : undefined;
}

/** How to follow a run that this command no longer follows. */
export function followHints(runId: string, executionArn: string, tableName: string | undefined, bucketName?: string): string {
  const table = ` --table ${tableName ?? 'TABLE'} --bucket ${bucketName ?? 'BUCKET'}`;
  const url = consoleUrl(executionArn);
  return [
    `  follow it:   rotor status ${runId}${table}`,
    `  its report:  rotor report --run-id ${runId}${table}`,
    ...(url ? [`  console:     ${url}`] : []),
  ].join('\n');
}

export function pollInterval(env: Env): number {
  const ms = Number(env[POLL_MS_ENV]);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_POLL_MS;
}

// ---------------------------------------------------------------------------------------------
// The command

/** The deployed results table, checked before anything starts: it exists, and the run id is new there. */
async function openResultsTable(deployment: Deployment, runId: string): Promise<{ store: ResultsStore; close(): void }> {
  const tableName = deployment.tableName!;
  if (!deployment.bucketName) throw new UsageError(`results table ${tableName} needs the bucket of its account scans: give --bucket or $${BUCKET_ENV}, or deploy the stack (its ManifestBucketName output)`);
  // The table is in the state machine's Region: the functions write to their own Region's table.
  const client = dynamodbClient({ region: deployment.region });
  const store = new ResultsStore(client, tableName, new S3ObjectStore(deployment.bucketName, { region: deployment.region }));
  try {
    if (await store.getRun(runId)) throw new UsageError(`run id ${runId} is already in table ${tableName}: choose another --run-id`);
  } catch (error) {
    client.destroy();
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new UsageError(`results table ${tableName} (from ${deployment.tableFrom}) does not exist in ${deployment.region}: give --table or $${TABLE_ENV}`);
    }
    throw error;
  }
  return { store, close: () => client.destroy() };
}

async function startExecution(sfn: SFNClient, deployment: Deployment, runId: string, input: Record<string, unknown>, stackName: string): Promise<string> {
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: deployment.stateMachineArn, name: runId, input: JSON.stringify(input) }));
    return started.executionArn!;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'StateMachineDoesNotExist' || name === 'InvalidArn') {
      throw new UsageError(
        `state machine ${deployment.stateMachineArn} (from ${deployment.arnFrom}) was not found: ${describeError(error)}. ` +
          `The ARN is looked for in ${arnPlaces(stackName, String(input.mode ?? 'scan'))}`,
      );
    }
    if (name === 'ExecutionAlreadyExists') throw new UsageError(`run id ${runId} is already the name of an execution of ${deployment.stateMachineArn}: choose another --run-id`);
    if (name === 'InvalidName' || name === 'InvalidExecutionInput') throw new UsageError(`the state machine refused the run: ${describeError(error)}`);
    throw error;
  }
}

interface Following {
  sfn: SFNClient;
  executionArn: string;
  runId: string;
  remediate: boolean;
  store?: ResultsStore;
  pollMs: number;
  signal: AbortSignal;
}

async function snapshot(f: Following, scanMapArn: { arn?: string }): Promise<ProgressSnapshot> {
  if (!scanMapArn.arn) {
    const runs: MapRunListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await f.sfn.send(new ListMapRunsCommand({ executionArn: f.executionArn, nextToken }), { abortSignal: f.signal });
      runs.push(...(page.mapRuns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    scanMapArn.arn = scanMapRun(runs)?.mapRunArn;
  }
  let accountsScanned = 0;
  let accountsTotal: number | undefined;
  if (scanMapArn.arn) {
    const counts = (await f.sfn.send(new DescribeMapRunCommand({ mapRunArn: scanMapArn.arn }), { abortSignal: f.signal })).itemCounts;
    accountsScanned = (counts?.succeeded ?? 0) + (counts?.failed ?? 0) + (counts?.timedOut ?? 0) + (counts?.aborted ?? 0);
    accountsTotal = counts?.total || undefined;
  }
  const record: RunRecord | undefined = f.store ? await f.store.getRun(f.runId) : undefined;
  return {
    accountsScanned,
    accountsTotal: accountsTotal ?? (record?.accountCount || undefined),
    wavesDone: record?.waves.length ?? 0,
    waveCount: record?.waveCount ?? 0,
    remediate: f.remediate,
  };
}

/** Polls the execution until it ends, showing progress; an abort (Ctrl-C) rejects. */
async function follow(f: Following): Promise<DescribeExecutionCommandOutput> {
  const progress = progressWriter(process.stderr);
  const scanMap: { arn?: string } = {};
  try {
    for (;;) {
      const described = await f.sfn.send(new DescribeExecutionCommand({ executionArn: f.executionArn }), { abortSignal: f.signal });
      // Progress is a courtesy: a permission missing for ListMapRuns or the table does not stop the follow.
      const shown = await snapshot(f, scanMap).catch(() => undefined);
      if (f.signal.aborted) throw f.signal.reason;
      if (shown) progress.show(progressText(shown));
      if (!RUNNING_STATUSES.has(described.status ?? 'RUNNING')) return described;
      await sleep(f.pollMs, undefined, { signal: f.signal });
    }
  } finally {
    progress.done();
  }
}

async function failedState(sfn: SFNClient, executionArn: string): Promise<string | undefined> {
  try {
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50, includeExecutionData: false }));
    return lastStateEntered(history.events ?? []);
  } catch {
    return undefined;
  }
}

/** The end of a followed run: the report from the table, and exit 1 with the reason when it did not succeed. */
async function conclude(f: Following, described: DescribeExecutionCommandOutput, flags: DeployedFlags): Promise<void> {
  const status = described.status ?? 'UNKNOWN';
  if (described.error === 'InputError') throw new UsageError(`the deployed state machine refused the input: ${causeMessage(described.cause)}`);
  const failure = status === 'SUCCEEDED' ? '' : executionFailure(described, await failedState(f.sfn, f.executionArn));
  if (!f.store) {
    if (status !== 'SUCCEEDED') throw new RunFailedError(`run ${f.runId} ${failure}`);
    note(`run ${f.runId} SUCCEEDED; no results table is known, so no report: give --table or set $${TABLE_ENV}`);
    return;
  }
  const record = await f.store.getRun(f.runId);
  // The run record says HALTED or FAILED (with the reason) when the workflow finalized it.
  if (status === 'SUCCEEDED' || record?.status === 'HALTED' || record?.status === 'FAILED') {
    await finishRun(f.store, f.runId, flags.report, flags.out, gateOf(flags));
    return;
  }
  // The execution ended before Finalize (a timeout, an abort, a failure nothing caught): what was recorded, then why.
  if (record) await writeRunReport(f.store, record, flags.report, flags.out);
  throw new RunFailedError(`run ${f.runId} ${failure}`);
}

export async function runDeployed(input: Record<string, unknown>, flags: DeployedFlags): Promise<void> {
  const runId = String(input.runId);
  const stackName = flags.stackName ?? DEFAULT_STACK_NAME;
  const deployment = await resolveDeployment({ ...flags, mode: String(input.mode ?? 'scan') }, { needTable: flags.wait });
  const table = flags.wait && deployment.tableName ? await openResultsTable(deployment, runId) : undefined;
  const sfn = new SFNClient({ region: deployment.region });
  const interrupt = new AbortController();
  const onInterrupt = () => interrupt.abort(new FollowStopped('interrupted'));
  try {
    const executionArn = await startExecution(sfn, deployment, runId, input, stackName);
    note(`started run ${runId} on ${deployment.stateMachineArn}\n  execution ${executionArn}`);
    if (!flags.wait) {
      process.stdout.write(`${runId}\n`);
      note(followHints(runId, executionArn, deployment.tableName, deployment.bucketName));
      return;
    }
    process.once('SIGINT', onInterrupt);
    const following: Following = {
      sfn, executionArn, runId, remediate: input.mode === 'remediate', store: table?.store, pollMs: pollInterval(process.env), signal: interrupt.signal,
    };
    let described: DescribeExecutionCommandOutput;
    try {
      described = await follow(following);
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      throw new FollowStopped(`stopped following run ${runId}; the execution keeps running in Step Functions.\n${followHints(runId, executionArn, deployment.tableName, deployment.bucketName)}`);
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
    await conclude(following, described, flags);
  } finally {
    sfn.destroy();
    table?.close();
  }
}
