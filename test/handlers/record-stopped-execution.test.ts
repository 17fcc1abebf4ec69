// RecordStoppedExecution on dynalite: an execution that ended ABORTED, TIMED_OUT or FAILED leaves
// its run INTERRUPTED (finished when it stopped, why, its counts so far) when the run was still
// RUNNING; a duplicate delivery, a run Finalize already recorded (SUCCEEDED, or FAILED with its
// reason), another state machine's execution, a Map Run child and a malformed event change nothing;
// a store failure is thrown, so Lambda retries the event.
import { newRun } from '../../functions/core/runs';
import { ExecutionInput, type RunRecord } from '../../functions/core/schemas';
import { step as recordStoppedExecution } from '../../functions/handlers/record-stopped-execution';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { executionStatusEvent } from '../support/execution-events';

const MACHINE = 'arn:aws:states:us-east-1:123456789012';
const executionArn = (name: string, machine = 'KmsRotor-rollout') => `${MACHINE}:execution:${machine}:${name}`;
const STOPPED_AT = new Date('2026-12-01T10:10:00.000Z');
const NOW = new Date('2026-12-01T10:11:00.000Z');

let embedded: EmbeddedStore;
beforeAll(async () => {
  embedded = await startEmbeddedStore();
});
afterAll(() => embedded.close());

const record = () => recordStoppedExecution({ store: embedded.store, manifests: new MemoryManifestStore(), now: () => NOW });

/** A deployed run left RUNNING mid-rollout: one account scanned (2 keys), one error record. */
async function runningRun(runId: string, execution: string, input: Record<string, unknown> = { runId }): Promise<RunRecord> {
  const run = newRun(runId, ExecutionInput.parse({ mode: 'remediate', ...input }), new Date('2026-12-01T10:00:00Z'), execution);
  await embedded.store.createRun(run);
  await embedded.store.updateRun(runId, { accountCount: 2 });
  await embedded.store.putAccountSummary({
    runId, accountId: '111111111111', name: 'one', priority: false, regions: ['us-east-1'], scannedRegions: ['us-east-1'],
    scannedAt: '2026-12-01T10:01:00Z', counts: { NON_COMPLIANT: 1, COMPLIANT: 1 }, errorCount: 0,
  });
  await embedded.store.putErrors([{ runId, accountId: '222222222222', phase: 'scan', error: 'MemberAccessDenied: no role', at: '2026-12-01T10:01:00Z' }]);
  return (await embedded.store.getRun(runId))!;
}

test.each([
  ['ABORTED', undefined, undefined, 'execution ABORTED'],
  ['TIMED_OUT', 'States.Timeout', undefined, 'execution TIMED_OUT (States.Timeout)'],
  ['FAILED', 'Lambda.Unknown', '{"errorMessage":"Finalize ran out of memory"}', 'execution FAILED (Lambda.Unknown: Finalize ran out of memory)'],
] as const)('%s: a run left RUNNING becomes INTERRUPTED, finished when the execution stopped, why, with its counts', async (status, error, cause, why) => {
  const runId = `left-${status.toLowerCase()}`;
  const arn = executionArn(`exec-${status}`);
  await runningRun(runId, arn);
  const out = await record()(executionStatusEvent({ executionArn: arn, status, input: { mode: 'remediate', runId }, error, cause, stopDate: STOPPED_AT }));
  expect(out).toEqual({ outcome: 'interrupted', runId, reason: why });
  expect(await embedded.store.getRun(runId)).toMatchObject({
    status: 'INTERRUPTED',
    finishedAt: STOPPED_AT.toISOString(),
    haltReason: why,
    summary: { NON_COMPLIANT: 1, COMPLIANT: 1 },
    errorCount: 1,
  });
});

test('the run id is the execution name when the input names none (as ValidateInput gives it)', async () => {
  const arn = executionArn('scheduled-2026-12-01');
  await runningRun('scheduled-2026-12-01', arn, {});
  const out = await record()(executionStatusEvent({ executionArn: arn, status: 'TIMED_OUT', input: { mode: 'scan', trigger: 'schedule' } }));
  expect(out).toMatchObject({ outcome: 'interrupted', runId: 'scheduled-2026-12-01' });
});

test('a duplicate delivery changes nothing', async () => {
  const arn = executionArn('exec-dup');
  await runningRun('dup', arn);
  const event = executionStatusEvent({ executionArn: arn, status: 'ABORTED', input: { runId: 'dup' }, stopDate: STOPPED_AT });
  expect((await record()(event)).outcome).toBe('interrupted');
  const first = await embedded.store.getRun('dup');
  expect(await record()(event)).toEqual({ outcome: 'kept', runId: 'dup', reason: 'run dup is already INTERRUPTED' });
  expect(await embedded.store.getRun('dup')).toEqual(first);
});

test('a run Finalize recorded is kept: SUCCEEDED, or FAILED with its own reason', async () => {
  const arn = executionArn('exec-done');
  await runningRun('done', arn);
  await embedded.store.updateRun('done', { status: 'SUCCEEDED', finishedAt: '2026-12-01T10:05:00.000Z' });
  expect(await record()(executionStatusEvent({ executionArn: arn, status: 'ABORTED', input: { runId: 'done' } }))).toMatchObject({ outcome: 'kept', reason: 'run done is already SUCCEEDED' });
  expect(await embedded.store.getRun('done')).toMatchObject({ status: 'SUCCEEDED', finishedAt: '2026-12-01T10:05:00.000Z' });

  // FinalizeFailed recorded it, then the RunFailed state failed the execution.
  const failedArn = executionArn('exec-failed');
  await runningRun('failed', failedArn);
  await embedded.store.updateRun('failed', { status: 'FAILED', haltReason: 'run failed: States.TaskFailed: PlanWaves' });
  expect((await record()(executionStatusEvent({ executionArn: failedArn, status: 'FAILED', input: { runId: 'failed' }, error: 'RunFailed' }))).outcome).toBe('kept');
  expect(await embedded.store.getRun('failed')).toMatchObject({ status: 'FAILED', haltReason: 'run failed: States.TaskFailed: PlanWaves' });
});

test('Finalize recording the run between the read and the write wins: the write is conditional on RUNNING', async () => {
  const arn = executionArn('exec-race');
  await runningRun('race', arn);
  const counts = embedded.store.countByStatus.bind(embedded.store);
  const spy = jest.spyOn(embedded.store, 'countByStatus').mockImplementationOnce(async (runId) => {
    await embedded.store.updateRun(runId, { status: 'HALTED', finishedAt: '2026-12-01T10:09:00.000Z' });
    return counts(runId);
  });
  try {
    expect(await record()(executionStatusEvent({ executionArn: arn, status: 'FAILED', input: { runId: 'race' } }))).toEqual({ outcome: 'kept', runId: 'race', reason: 'run race was finished meanwhile' });
  } finally {
    spy.mockRestore();
  }
  expect(await embedded.store.getRun('race')).toMatchObject({ status: 'HALTED', finishedAt: '2026-12-01T10:09:00.000Z' });
});

test('another state machine\'s execution of the same name, or a Map Run child, leaves the run RUNNING', async () => {
  const arn = executionArn('exec-ours');
  await runningRun('ours', arn);
  const foreign = executionArn('exec-ours', 'SomeoneElses');
  expect(await record()(executionStatusEvent({ executionArn: foreign, status: 'ABORTED', input: { runId: 'ours' } }))).toEqual({ outcome: 'kept', runId: 'ours', reason: 'run ours belongs to another execution' });
  const child = `${MACHINE}:execution:KmsRotor-rollout/ScanAccounts:0f6c3a1e`;
  expect((await record()(executionStatusEvent({ executionArn: child, status: 'FAILED', input: { runId: 'ours' } }))).outcome).toBe('dropped');
  expect((await embedded.store.getRun('ours'))!.status).toBe('RUNNING');
});

test('an execution that stopped before ValidateInput opened a run is kept with the reason', async () => {
  expect(await record()(executionStatusEvent({ executionArn: executionArn('bad-input'), status: 'FAILED', input: { mode: 'sideways' }, error: 'InputError' }))).toEqual({
    outcome: 'kept',
    runId: 'bad-input',
    reason: 'no run record: the execution stopped before ValidateInput opened its run',
  });
  expect(await embedded.store.getRun('bad-input')).toBeUndefined();
});

test.each([
  ['nothing', undefined],
  ['an empty object', {}],
  ['a KMS CloudTrail event', { source: 'aws.kms', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'CreateKey' } }],
  ['a SUCCEEDED execution', executionStatusEvent({ executionArn: executionArn('exec-ok'), status: 'SUCCEEDED' })],
  ['an event without its execution ARN', { ...executionStatusEvent({ executionArn: executionArn('x'), status: 'ABORTED' }), detail: { status: 'ABORTED' } }],
])('%s is logged and dropped', async (_what, event) => {
  const out = await record()(event);
  expect(out.outcome).toBe('dropped');
  expect(out.reason).toMatch(/^not an execution status change of ours: /);
});

test('a store that fails is thrown, so Lambda retries the event (and then dead-letters it)', async () => {
  const arn = executionArn('exec-unreachable');
  await runningRun('unreachable', arn);
  const spy = jest.spyOn(embedded.store, 'getRun').mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { name: 'NetworkingError' }));
  try {
    await expect(record()(executionStatusEvent({ executionArn: arn, status: 'ABORTED', input: { runId: 'unreachable' } }))).rejects.toThrow('ECONNREFUSED');
  } finally {
    spy.mockRestore();
  }
  expect((await embedded.store.getRun('unreachable'))!.status).toBe('RUNNING');
});
