// Runs on the deployed state machine: finds it (flag, environment, or the stack's outputs),
// starts the execution, follows it with a progress line and prints the report from the
// deployed table. Ctrl-C leaves the execution running.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describeError } from '../functions/aws/clients';
import { note, openStore } from './context';
import { RunFailedError, UsageError } from './errors';
import { finishRun } from './run-report';

export interface DeployedFlags {
  stateMachineArn?: string;
  stackName?: string;
  table?: string;
  report: string;
  out?: string;
  wait: boolean;
}

export const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/;
const POLL_MS = Number(process.env.KMS_ROTOR_POLL_MS ?? 3000);

export interface Deployment {
  stateMachineArn: string;
  tableName?: string;
}

async function stackOutputs(stackName: string): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient({});
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } finally {
    cfn.destroy();
  }
}

/** Where the deployed state machine and table are: flags, then environment, then stack outputs. */
export async function resolveDeployment(flags: Pick<DeployedFlags, 'stateMachineArn' | 'stackName' | 'table'>): Promise<Deployment> {
  const stackName = flags.stackName ?? 'KmsRotor';
  const where = `--state-machine-arn, $KMS_ROTOR_STATE_MACHINE_ARN, or the StateMachineArn output of stack ${stackName}`;
  let arn = flags.stateMachineArn ?? process.env.KMS_ROTOR_STATE_MACHINE_ARN;
  let tableName = flags.table ?? process.env.KMS_ROTOR_TABLE;
  if (!arn || !tableName) {
    let outputs: Record<string, string> = {};
    try {
      outputs = await stackOutputs(stackName);
    } catch (error) {
      if (!arn) throw new UsageError(`no state machine ARN: looked in ${where} (${describeError(error)}). Deploy with \`npx cdk deploy\` or use --local`);
    }
    arn ??= outputs.StateMachineArn;
    tableName ??= outputs.ResultsTableName;
  }
  if (!arn) throw new UsageError(`no state machine ARN: looked in ${where}. Deploy with \`npx cdk deploy\` or use --local`);
  if (!STATE_MACHINE_ARN.test(arn)) throw new UsageError(`"${arn}" is not a state machine ARN (from ${where})`);
  return { stateMachineArn: arn, tableName };
}

function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** One progress line: accounts scanned (the Distributed Map's item counts) and waves done. */
async function progressLine(sfn: SFNClient, executionArn: string, store: Awaited<ReturnType<typeof openStore>>['store'] | undefined, runId: string): Promise<string> {
  const maps = await sfn.send(new ListMapRunsCommand({ executionArn }));
  let scanned = 0;
  let total = 0;
  const first = maps.mapRuns?.[maps.mapRuns.length - 1];
  if (first?.mapRunArn) {
    const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn: first.mapRunArn }));
    scanned = (run.itemCounts?.succeeded ?? 0) + (run.itemCounts?.failed ?? 0);
    total = run.itemCounts?.total ?? 0;
  }
  const record = store ? await store.getRun(runId).catch(() => undefined) : undefined;
  total = Math.max(total, record?.accountCount ?? 0);
  const waves = record && record.waveCount > 0 ? ` · waves ${record.waves.length}/${record.waveCount}` : '';
  return `${bar(scanned, total)} ${scanned}/${total || '?'} accounts scanned${waves}`;
}

export async function runDeployed(input: Record<string, unknown>, flags: DeployedFlags): Promise<void> {
  const deployment = await resolveDeployment(flags);
  const runId = String(input.runId);
  const sfn = new SFNClient({});
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: deployment.stateMachineArn, name: runId, input: JSON.stringify(input) }));
  const executionArn = started.executionArn!;
  note(`started run ${runId}\n  execution ${executionArn}`);
  if (!flags.wait) {
    process.stdout.write(`${runId}\n`);
    return;
  }
  const opened = deployment.tableName ? await openStore({ table: deployment.tableName }) : undefined;
  const onInterrupt = () => {
    note(`\nstopped following; the execution keeps running. Follow it with: rotor status ${runId}${deployment.tableName ? ` --table ${deployment.tableName}` : ''}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    let status = 'RUNNING';
    let lastLine = '';
    while (status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status ?? 'RUNNING';
      const line = await progressLine(sfn, executionArn, opened?.store, runId).catch(() => lastLine);
      if (line !== lastLine) {
        if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
        else note(line);
        lastLine = line;
      }
      if (status !== 'RUNNING' && status !== 'SUCCEEDED' && !opened) {
        throw new RunFailedError(`run ${runId} ended ${status}: ${described.error ?? ''} ${described.cause ?? ''}`.trim());
      }
    }
    if (process.stderr.isTTY) note('');
    if (!opened) {
      note(`run ${runId} ${status}; no results table known, so no report (give --table)`);
      return;
    }
    await finishRun(opened.store, runId, flags.report, flags.out);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    sfn.destroy();
    await opened?.close();
  }
}
