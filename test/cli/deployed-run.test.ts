// `rotor run` without --local, against the stand-in deployment (Step Functions, CloudFormation and
// the results table on loopback, the real workflow behind StartExecution, the simulated
// organization behind that): ARN resolution, progress, the report from the table, exit codes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand, DescribeMapRunCommand, GetExecutionHistoryCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { main } from '../../cli/bin';
import { inputFromFlags } from '../../cli/run-input';
import { causeMessage, newRun } from '../../functions/core/runs';
import { ExecutionInput } from '../../functions/core/schemas';
import {
  chooseDeployment, executionFailure, lastStateEntered, scanMapRun, STATE_MACHINE_ARN,
} from '../../cli/deployed';
import { startSfnStandIn, type SfnStandIn } from '../support/sfn-standin';
import { progressText, progressWriter } from '../../cli/progress';

const REPO = join(__dirname, '..', '..');
const RUN_ENV = ['KMS_ROTOR_STATE_MACHINE_ARN', 'KMS_ROTOR_SCAN_STATE_MACHINE_ARN', 'KMS_ROTOR_TABLE', 'KMS_ROTOR_BUCKET', 'KMS_ROTOR_POLL_MS'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `rotor ARGS` in this process, with stdout and stderr captured. */
async function rotor(...args: string[]): Promise<Result> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const grab = (into: string[]) => (chunk: unknown, ...rest: unknown[]) => {
    into.push(String(chunk));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(grab(stdout) as never);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(grab(stderr) as never);
  try {
    const code = await main(['node', 'rotor', ...args]);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The non-TTY progress lines: "[bar] n/m accounts scanned[ · waves i/j done]". */
function progressLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\[[#.]+\] /.test(l));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

let standIn: SfnStandIn;
const savedEnv = Object.fromEntries(RUN_ENV.map((name) => [name, process.env[name]]));

beforeEach(async () => {
  for (const name of RUN_ENV) delete process.env[name];
  process.env.KMS_ROTOR_POLL_MS = '20';
  standIn = await startSfnStandIn();
});

afterEach(async () => {
  await standIn.close();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// The simulated organization has keys without rotation and an account with no role, so a run's
// findings exit 3 (the CI gate, tested in test/cli/exit-codes.test.ts): runs here that test
// something else say --exit-zero.
describe('rotor run on the deployed state machine', () => {
  test('a remediate rollout: progress on stderr, the report from the deployed table, exit 0', async () => {
    const result = await rotor('run', '--mode', 'remediate', '--wave-size', '4', '--priority-tag', 'environment=production', '--run-id', 'rollout-1',
      '--state-machine-arn', standIn.stateMachineArn, '--table', standIn.tableName, '--report', 'json', '--exit-zero');

    expect(result.stderr).not.toMatch(/^rotor:/m);
    expect(result.code).toBe(0);
    const execution = standIn.execution('rollout-1')!;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.input).toMatchObject({ mode: 'remediate', runId: 'rollout-1', waves: { size: 4 } });

    // The report is the one in the table the workflow wrote.
    const report = JSON.parse(result.stdout) as { runId: string; status: string; summary: Record<string, number>; findings: { accountId: string; region: string; keyId: string; status: string }[] };
    const run = (await standIn.store.getRun('rollout-1'))!;
    expect(report).toMatchObject({ runId: 'rollout-1', status: 'SUCCEEDED', summary: run.summary });
    const remediated = report.findings.filter((f) => f.status === 'REMEDIATED');
    expect(remediated.length).toBeGreaterThan(0);
    for (const f of remediated) expect(standIn.sim.getKey(f.accountId, f.region, f.keyId)?.rotationEnabled).toBe(true);

    // Progress: accounts scanned from the scan's map run, waves from the run record; the counts never go back.
    const accounts = standIn.sim.accounts().length;
    expect(run.waveCount).toBeGreaterThan(1);
    const lines = progressLines(result.stderr);
    expect(lines.at(-1)).toBe(`[${'#'.repeat(24)}] ${accounts}/${accounts} accounts scanned · waves ${run.waveCount}/${run.waveCount} done`);
    const counts = lines.map((l) => /(\d+)\/(\d+|\?) accounts scanned(?: · waves (\d+)\/(\d+) done)?/.exec(l)!).map((m) => [Number(m[1]), Number(m[3] ?? 0)]);
    for (let i = 1; i < counts.length; i++) {
      expect(counts[i][0]).toBeGreaterThanOrEqual(counts[i - 1][0]);
      expect(counts[i][1]).toBeGreaterThanOrEqual(counts[i - 1][1]);
    }
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toContain(`run rollout-1 SUCCEEDED`);
  });

  test('--no-wait prints the run id and returns 0 while the execution runs on', async () => {
    standIn.script({ kind: 'hold' });
    const result = await rotor('run', '--mode', 'scan', '--run-id', 'background-1', '--no-wait');

    expect(result).toMatchObject({ code: 0, stdout: 'background-1\n' });
    expect(standIn.execution('background-1')?.status).toBe('RUNNING');
    expect(standIn.calls('DescribeExecution')).toBe(0);
    // It says how to follow the run: the table comes from the stack's outputs.
    expect(result.stderr).toContain(`rotor status background-1 --table ${standIn.tableName}`);

    standIn.release('background-1');
    await standIn.settled();
    expect(standIn.execution('background-1')?.status).toBe('SUCCEEDED');
    expect((await standIn.store.getRun('background-1'))?.status).toBe('SUCCEEDED');
  });

  test('an execution that fails before the run is recorded: exit 1 with its error and the Lambda message', async () => {
    const cause = JSON.stringify({ errorType: 'AccessDeniedException', errorMessage: 'User is not authorized to perform: dynamodb:PutItem on resource: table/x', trace: [] });
    standIn.script({ kind: 'end', status: 'FAILED', error: 'AccessDeniedException', cause });
    const result = await rotor('run', '--run-id', 'denied-1', '--state-machine-arn', standIn.stateMachineArn);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rotor: run denied-1 FAILED: AccessDeniedException: User is not authorized to perform: dynamodb:PutItem');
    expect(result.stderr).not.toContain('errorType');
    expect(result.stdout).toBe('');
  });

  test('a workflow that fails (Organizations denies ListAccounts): the report so far, exit 1 with the recorded reason', async () => {
    standIn.sim.addFault({ type: 'operation-error', service: 'organizations', operation: 'ListAccounts', error: 'AccessDeniedException', message: 'You don\'t have permissions to access this resource.' });
    const result = await rotor('run', '--mode', 'scan', '--run-id', 'no-org-1', '--report', 'json');

    expect(standIn.execution('no-org-1')).toMatchObject({ status: 'FAILED', error: 'RunFailed' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rotor: run no-org-1 FAILED: run failed: .*Organizations refused to list accounts.*You don't have permissions/);
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: 'no-org-1', status: 'FAILED' });
  });

  test('the deployed machine refuses the input (its schema is newer than this CLI): exit 2 with the field', async () => {
    const cause = JSON.stringify({ errorType: 'InputError', errorMessage: 'waves.order: must be one of priority, canary-first, by-ou', trace: [] });
    standIn.script({ kind: 'end', status: 'FAILED', error: 'InputError', cause });
    const result = await rotor('run', '--run-id', 'refused-1', '--state-machine-arn', standIn.stateMachineArn);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rotor: the deployed state machine refused the input: waves.order: must be one of');
  });

  test('an execution that times out before Finalize: the report of what was recorded, exit 1 with the timeout', async () => {
    standIn.script({ kind: 'hold' });
    const running = rotor('run', '--run-id', 'late-1', '--state-machine-arn', standIn.stateMachineArn, '--report', 'json');
    await until(() => standIn.calls('DescribeExecution') > 0);
    // What the workflow had recorded when Step Functions stopped it.
    await standIn.store.createRun(newRun('late-1', ExecutionInput.parse(inputFromFlags({ mode: 'scan', runId: 'late-1' })), new Date()));
    standIn.release('late-1', { kind: 'end', status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution exceeded its TimeoutSeconds' });
    const result = await running;

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rotor: run late-1 TIMED_OUT: States.Timeout: The execution exceeded its TimeoutSeconds');
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: 'late-1', status: 'RUNNING' });
  });

  test('a halted rollout (EnableKeyRotation fails in the first wave): the report, exit 1 saying HALTED', async () => {
    standIn.sim.addFault({ type: 'enable-rotation-error', accountId: standIn.sim.managementAccountId, error: 'KMSInternalException' });
    const result = await rotor('run', '--mode', 'remediate', '--wave-size', '2', '--max-failure-rate', '0', '--priority-tag', 'environment=production',
      '--run-id', 'halt-1', '--state-machine-arn', standIn.stateMachineArn, '--report', 'json');

    expect(standIn.execution('halt-1')).toMatchObject({ status: 'FAILED', error: 'RolloutHalted' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rotor: run halt-1 HALTED/);
    const run = (await standIn.store.getRun('halt-1'))!;
    expect(run.status).toBe('HALTED');
    expect(run.waves.length).toBeLessThan(run.waveCount);
    const report = JSON.parse(result.stdout) as { status: string; findings: { status: string }[] };
    expect(report.status).toBe('HALTED');
    expect(report.findings.some((f) => f.status === 'REMEDIATION_FAILED')).toBe(true);
  });

  test('no flag, no environment: the ARN and the table come from the KmsRotor stack outputs', async () => {
    const result = await rotor('run', '--mode', 'scan', '--run-id', 'from-stack-1', '--report', 'json', '--exit-zero');

    expect(result.code).toBe(0);
    expect(standIn.calls('DescribeStacks')).toBe(1);
    expect(standIn.execution('from-stack-1')?.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: 'from-stack-1', mode: 'scan', status: 'SUCCEEDED' });
    const lines = progressLines(result.stderr);
    const accounts = standIn.sim.accounts().length;
    // A scan shows accounts only: its plan is a dry run, no wave is done.
    expect(lines.at(-1)).toBe(`[${'#'.repeat(24)}] ${accounts}/${accounts} accounts scanned`);
  });

  test('the environment names the machine, the table and its bucket: no DescribeStacks', async () => {
    process.env.KMS_ROTOR_SCAN_STATE_MACHINE_ARN = standIn.stateMachineArn;
    process.env.KMS_ROTOR_TABLE = standIn.tableName;
    process.env.KMS_ROTOR_BUCKET = standIn.bucketName;
    standIn.setStackDeployed(false);
    const result = await rotor('run', '--mode', 'scan', '--run-id', 'from-env-1', '--exit-zero');

    expect(result.code).toBe(0);
    expect(standIn.calls('DescribeStacks')).toBe(0);
    expect(result.stdout).toContain('from-env-1');
  });

  test('no ARN anywhere (no flag, no environment, no stack): exit 2 naming the three places, nothing started', async () => {
    standIn.setStackDeployed(false);
    const result = await rotor('run', '--mode', 'scan');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state-machine-arn');
    expect(result.stderr).toContain('$KMS_ROTOR_STATE_MACHINE_ARN');
    expect(result.stderr).toContain('StateMachineArn output of CloudFormation stack KmsRotor');
    expect(result.stderr).toContain('Stack with id KmsRotor does not exist');
    expect(standIn.calls('StartExecution')).toBe(0);
  });

  test('a malformed ARN: exit 2 naming where it came from, nothing started', async () => {
    let result = await rotor('run', '--state-machine-arn', 'arn:aws:states:us-east-1:1234:stateMachine:KmsRotor');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state-machine-arn "arn:aws:states:us-east-1:1234:stateMachine:KmsRotor" is not a state machine ARN');

    process.env.KMS_ROTOR_STATE_MACHINE_ARN = 'KmsRotorRollout';
    result = await rotor('run');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('$KMS_ROTOR_STATE_MACHINE_ARN "KmsRotorRollout" is not a state machine ARN');
    expect(standIn.calls('StartExecution')).toBe(0);
  });

  test('a well-formed ARN of no state machine: exit 2 saying it was not found and where ARNs come from', async () => {
    const wrong = standIn.stateMachineArn.replace(/:stateMachine:.*/, ':stateMachine:SomethingElse');
    const result = await rotor('run', '--state-machine-arn', wrong);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`state machine ${wrong} (from --state-machine-arn) was not found: StateMachineDoesNotExist`);
    expect(result.stderr).toContain('$KMS_ROTOR_STATE_MACHINE_ARN');
  });

  test('a run id already used: exit 2 before anything starts', async () => {
    expect((await rotor('run', '--mode', 'scan', '--run-id', 'twice-1')).code).toBe(3);
    const result = await rotor('run', '--mode', 'scan', '--run-id', 'twice-1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('run id twice-1 is already in table');
    expect(standIn.calls('StartExecution')).toBe(1);
  });

  test('a results table that does not exist: exit 2, nothing started', async () => {
    const result = await rotor('run', '--table', 'NoSuchTable', '--state-machine-arn', standIn.stateMachineArn);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('results table NoSuchTable (from --table) does not exist');
    expect(standIn.calls('StartExecution')).toBe(0);
  });

  test('Ctrl-C stops following, leaves the execution running and says how to follow it', async () => {
    standIn.script({ kind: 'hold' });
    const before = process.listeners('SIGINT');
    const running = rotor('run', '--run-id', 'interrupted-1');
    await until(() => standIn.calls('DescribeExecution') > 0 && process.listeners('SIGINT').length > before.length);
    const installed = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(installed).toHaveLength(1);
    (installed[0] as (signal: string) => void)('SIGINT');
    const result = await running;

    expect(result.code).toBe(130);
    expect(result.stderr).toContain('stopped following run interrupted-1; the execution keeps running');
    expect(result.stderr).toContain(`rotor status interrupted-1 --table ${standIn.tableName}`);
    expect(standIn.execution('interrupted-1')?.status).toBe('RUNNING');
    expect(process.listeners('SIGINT')).toEqual(before);
  });
});

describe('the rotor process ends on its own (no SDK client keeps it alive)', () => {
  const bin = join(REPO, 'cli', 'bin.ts');
  function rotorProcess(...args: string[]): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', bin, ...args], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  test('after a followed run', async () => {
    const result = await rotorProcess('run', '--mode', 'scan', '--run-id', 'process-1', '--report', 'json', '--exit-zero');
    expect(result.stderr).not.toMatch(/^rotor:/m);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: 'process-1', status: 'SUCCEEDED' });
  });

  test('after --no-wait, with the execution still running', async () => {
    standIn.script({ kind: 'hold' });
    const result = await rotorProcess('run', '--run-id', 'process-2', '--no-wait');
    expect(result).toMatchObject({ code: 0, stdout: 'process-2\n' });
    expect(standIn.execution('process-2')?.status).toBe('RUNNING');
  });
});

describe('the stand-in answers as Step Functions and CloudFormation do (through the SDK)', () => {
  const errorName = (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => e.name);

  test('StartExecution: same name and input while running is the same execution; otherwise ExecutionAlreadyExists', async () => {
    const sfn = new SFNClient({});
    try {
      standIn.script({ kind: 'hold' });
      const start = (input: string) => sfn.send(new StartExecutionCommand({ stateMachineArn: standIn.stateMachineArn, name: 'same-1', input }));
      const first = await start('{"mode":"scan"}');
      expect((await start('{"mode":"scan"}')).executionArn).toBe(first.executionArn);
      expect(await errorName(start('{"mode":"remediate"}'))).toBe('ExecutionAlreadyExists');
      expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:x', name: 'n' })))).toBe('InvalidArn');
      expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: standIn.stateMachineArn, name: 'bad name' })))).toBe('InvalidName');
      expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: standIn.stateMachineArn, input: '{' })))).toBe('InvalidExecutionInput');
      expect(await errorName(sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn!.replace('same-1', 'other') })))).toBe('ExecutionDoesNotExist');
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
      expect(described).toMatchObject({ status: 'RUNNING', name: 'same-1', stateMachineArn: standIn.stateMachineArn });
      expect(described.startDate).toBeInstanceOf(Date);
    } finally {
      sfn.destroy();
    }
  });

  test('a real scan: its map run counts every account, the history pages, DescribeStacks gives the outputs', async () => {
    const sfn = new SFNClient({});
    const cfn = new CloudFormationClient({});
    try {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: standIn.stateMachineArn, name: 'scan-1', input: JSON.stringify({ mode: 'scan', runId: 'scan-1' }) }));
      await standIn.settled();
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('SUCCEEDED');
      expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());

      const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
      expect(mapRuns).toHaveLength(1);
      const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0].mapRunArn }));
      const accounts = standIn.sim.accounts().length;
      // Four children (ten accounts each) at once; the item counts are accounts, as a batched Map Run counts them.
      expect(mapRun).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 4, itemCounts: { total: accounts, succeeded: accounts, failed: 0, running: 0, pending: 0 } });

      const all = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
      expect(all[0].type).toBe('ExecutionStarted');
      expect(all.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
      expect(all.find((e) => e.type === 'MapRunStarted')?.mapRunStartedEventDetails?.mapRunArn).toBe(mapRuns![0].mapRunArn);
      const firstPage = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true }));
      expect(firstPage.events!.map((e) => e.id)).toEqual([all.length, all.length - 1, all.length - 2]);
      const secondPage = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true, nextToken: firstPage.nextToken }));
      expect(secondPage.events![0].id).toBe(all.length - 3);

      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'KmsRotor' }))).Stacks![0];
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      expect(Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]))).toMatchObject({ StateMachineArn: standIn.stateMachineArn, ResultsTableName: standIn.tableName });
      standIn.setStackDeployed(false);
      const missing = await cfn.send(new DescribeStacksCommand({ StackName: 'KmsRotor' })).catch((e: Error) => e);
      expect(missing).toMatchObject({ name: 'ValidationError', message: 'Stack with id KmsRotor does not exist' });
    } finally {
      sfn.destroy();
      cfn.destroy();
    }
  });

  test('a Lambda error that nothing catches reaches the execution as its JSON payload', async () => {
    const sfn = new SFNClient({});
    try {
      // waves.size 0 is refused by ValidateInput, which has no Catch.
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: standIn.stateMachineArn, name: 'bad-input-1', input: JSON.stringify({ mode: 'scan', runId: 'bad-input-1', waves: { size: 0 } }) }));
      await standIn.settled();
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described).toMatchObject({ status: 'FAILED', error: 'InputError' });
      expect(JSON.parse(described.cause!)).toMatchObject({ errorType: 'InputError', errorMessage: expect.stringContaining('waves.size') });
    } finally {
      sfn.destroy();
    }
  });
});

describe('the pieces', () => {
  const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:KmsRotorRollout';

  test('the ARN: flag, then environment, then stack output; the table likewise', () => {
    const stack = { outputs: { StateMachineArn: arn.replace('eu-west-1', 'us-east-2'), ResultsTableName: 'StackTable' } };
    expect(chooseDeployment({ stateMachineArn: arn }, { KMS_ROTOR_STATE_MACHINE_ARN: 'x' }, stack)).toEqual({
      stateMachineArn: arn, arnFrom: '--state-machine-arn', region: 'eu-west-1', tableName: 'StackTable', tableFrom: 'the ResultsTableName output of stack KmsRotor',
    });
    expect(chooseDeployment({}, { KMS_ROTOR_STATE_MACHINE_ARN: arn, KMS_ROTOR_TABLE: 'EnvTable' }, stack)).toMatchObject({ arnFrom: '$KMS_ROTOR_STATE_MACHINE_ARN', tableName: 'EnvTable' });
    expect(chooseDeployment({ table: 'FlagTable' }, {}, stack)).toMatchObject({ region: 'us-east-2', tableName: 'FlagTable', tableFrom: '--table' });
    expect(chooseDeployment({ stateMachineArn: arn }, {}, undefined).tableName).toBeUndefined();
    expect(() => chooseDeployment({ stackName: 'Other' }, {}, { outputs: {} })).toThrow(/stack Other has no StateMachineArn output/);
  });

  test('a scan goes to the scan-only state machine; a remediation to the rollout machine', () => {
    const scanArn = arn.replace('KmsRotorRollout', 'KmsRotor-scan');
    const stack = { outputs: { StateMachineArn: arn, ScanStateMachineArn: scanArn, ResultsTableName: 'T' } };
    expect(chooseDeployment({ mode: 'scan' }, {}, stack)).toMatchObject({ stateMachineArn: scanArn, arnFrom: 'the ScanStateMachineArn output of stack KmsRotor' });
    expect(chooseDeployment({ mode: 'remediate' }, {}, stack)).toMatchObject({ stateMachineArn: arn });
    expect(chooseDeployment({ mode: 'scan' }, { KMS_ROTOR_SCAN_STATE_MACHINE_ARN: scanArn, KMS_ROTOR_STATE_MACHINE_ARN: arn }, undefined)).toMatchObject({ arnFrom: '$KMS_ROTOR_SCAN_STATE_MACHINE_ARN' });
    // The rollout machine's ARN in the environment does not take scans away from the scan-only machine.
    expect(chooseDeployment({ mode: 'scan' }, { KMS_ROTOR_STATE_MACHINE_ARN: arn }, stack)).toMatchObject({ stateMachineArn: scanArn });
    expect(chooseDeployment({ mode: 'scan' }, { KMS_ROTOR_STATE_MACHINE_ARN: arn }, { outputs: {} })).toMatchObject({ stateMachineArn: arn, arnFrom: '$KMS_ROTOR_STATE_MACHINE_ARN' });
    expect(chooseDeployment({ mode: 'remediate' }, { KMS_ROTOR_SCAN_STATE_MACHINE_ARN: scanArn, KMS_ROTOR_STATE_MACHINE_ARN: arn }, undefined)).toMatchObject({ stateMachineArn: arn });
    // An older stack without the scan-only machine: scans use the rollout machine.
    expect(chooseDeployment({ mode: 'scan' }, {}, { outputs: { StateMachineArn: arn } })).toMatchObject({ stateMachineArn: arn });
    expect(() => chooseDeployment({ mode: 'scan' }, {}, { outputs: {} })).toThrow(/ScanStateMachineArn or StateMachineArn output/);
  });

  test('state machine ARNs: names, versions and aliases; not executions, not other services', () => {
    for (const ok of [arn, `${arn}:3`, `${arn}:prod`, 'arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:a.b_c-d']) expect(ok).toMatch(STATE_MACHINE_ARN);
    for (const bad of ['KmsRotorRollout', arn.replace('stateMachine', 'execution'), arn.replace('states', 'lambda'), `${arn}/ScanAccounts`, arn.replace('123456789012', '12345')]) {
      expect(bad).not.toMatch(STATE_MACHINE_ARN);
    }
  });

  test('the progress text', () => {
    expect(progressText({ accountsScanned: 0, wavesDone: 0, waveCount: 0, remediate: true })).toBe(`[${'.'.repeat(24)}] 0/? accounts scanned`);
    expect(progressText({ accountsScanned: 3, accountsTotal: 6, wavesDone: 0, waveCount: 0, remediate: false })).toBe(`[${'#'.repeat(12)}${'.'.repeat(12)}] 3/6 accounts scanned`);
    expect(progressText({ accountsScanned: 6, accountsTotal: 6, wavesDone: 1, waveCount: 4, remediate: true })).toBe(`[${'#'.repeat(6)}${'.'.repeat(18)}] 6/6 accounts scanned · waves 1/4 done`);
    // A scan plans waves (the dry run) but does none.
    expect(progressText({ accountsScanned: 6, accountsTotal: 6, wavesDone: 0, waveCount: 4, remediate: false })).toBe(`[${'#'.repeat(24)}] 6/6 accounts scanned`);
  });

  test('the progress writer: a terminal gets one line rewritten, a pipe a line per change', () => {
    const written: string[] = [];
    const stream = (isTTY: boolean) => ({ isTTY, columns: 20, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream;
    const tty = progressWriter(stream(true));
    tty.show('one');
    tty.show('one');
    tty.show('a line longer than the terminal');
    tty.done();
    expect(written).toEqual(['\r\x1b[2Kone', '\r\x1b[2Ka line longer than ', '\n']);
    written.length = 0;
    const pipe = progressWriter(stream(false));
    pipe.show('one');
    pipe.show('one');
    pipe.show('two');
    pipe.done();
    expect(written).toEqual(['one\n', 'two\n']);
  });

  test('how an execution ended, in words', () => {
    expect(causeMessage('{"errorType":"InputError","errorMessage":"waves.size: must be at least 1"}')).toBe('waves.size: must be at least 1');
    expect(causeMessage('A remediation wave exceeded waves.maxFailureRate')).toBe('A remediation wave exceeded waves.maxFailureRate');
    expect(executionFailure({ status: 'FAILED', error: 'States.TaskFailed', cause: '{"errorMessage":"boom"}' }, 'ListAccounts')).toBe('FAILED in ListAccounts: States.TaskFailed: boom');
    expect(executionFailure({ status: 'FAILED', error: 'RolloutHalted', cause: 'halted' }, 'RolloutHalted')).toBe('FAILED: RolloutHalted: halted');
    expect(executionFailure({ status: 'ABORTED' })).toBe('ABORTED');
    expect(lastStateEntered([{ type: 'ExecutionFailed', id: 9, timestamp: new Date() }, { type: 'TaskStateEntered', id: 8, timestamp: new Date(), stateEnteredEventDetails: { name: 'Finalize' } }])).toBe('Finalize');
  });

  test('the scan map run is the first one started, whatever order ListMapRuns gives', () => {
    const at = (s: number, arnSuffix: string) => ({ executionArn: 'e', stateMachineArn: 's', mapRunArn: arnSuffix, startDate: new Date(s * 1000) });
    expect(scanMapRun([at(30, 'wave2'), at(20, 'wave1'), at(10, 'scan')])?.mapRunArn).toBe('scan');
    expect(scanMapRun([])).toBeUndefined();
  });
});
