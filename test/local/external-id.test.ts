// The ExternalId on a local run: `rotor run --local --external-id` hands it to the steps that assume
// member roles, which then pass it; it appears in no state's input or output, stored item, run
// record, output or report. Without it the roles refuse, and the run records them as denied.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { EMBEDDED_TABLE } from '../../local/embedded-store';
import { startHarness, type Harness } from '../support/harness';
import { rotor } from '../support/rotor-cli';
import { STANDARD, standardScenarioPath } from '../scenarios';

const EXTERNAL_ID = 'rotor-ext-local-93f1';
let h: Harness;
let members: string[];
beforeAll(async () => {
  h = await startHarness({ scenario: standardScenarioPath });
  members = h.sim.accounts().filter((a) => a.id !== STANDARD.managementAccountId && a.id !== STANDARD.suspendedAccount && a.roles.length > 0).map((a) => a.id);
  for (const id of members) h.sim.setRoles(id, STANDARD.roleNames.map((name) => ({ name, externalId: EXTERNAL_ID })));
}, 60_000);
afterAll(async () => h?.close());

test('with --external-id: the roles are assumed, and the id is in no state, item, record, output or report', async () => {
  const events: unknown[] = [];
  const original = StateMachine.prototype.run;
  const spy = jest.spyOn(StateMachine.prototype, 'run').mockImplementation(function (this: StateMachine, ...args: Parameters<StateMachine['run']>) {
    const execution = original.apply(this, args);
    void (async () => {
      for await (const event of execution.eventLogs) events.push(event);
    })();
    return execution;
  });
  const dir = mkdtempSync(join(tmpdir(), 'rotor-external-id-'));
  let out;
  try {
    out = await rotor('run', '--local', '--mode', 'remediate', '--external-id', EXTERNAL_ID, '--data-dir', dir, '--report', 'json', '--exit-zero', '--run-id', 'ext-1');
  } finally {
    spy.mockRestore();
  }
  expect(out.code).toBe(0);
  const outputs = [out.stdout, out.stderr];
  for (const format of ['json', 'md', 'csv', 'html']) {
    const report = await rotor('report', '--run-id', 'ext-1', '--format', format, '--data-dir', dir);
    expect(report.code).toBe(0);
    outputs.push(report.stdout, report.stderr);
  }
  const status = await rotor('status', 'ext-1', '--data-dir', dir);
  outputs.push(status.stdout, status.stderr);
  for (const text of outputs) expect(text).not.toContain(EXTERNAL_ID);
  // The states ran with inputs and outputs, none of them carrying the id.
  expect(events.some((e) => (e as { state?: { name?: string } }).state?.name === 'ScanAccount')).toBe(true);
  expect(JSON.stringify(events)).not.toContain(EXTERNAL_ID);
  // Every member with the role was scanned through it: the one denied is the member without the role.
  const report = JSON.parse(out.stdout) as { errors: { accountId: string }[]; findings: { accountId: string }[] };
  expect(report.errors.map((e) => e.accountId)).toEqual([STANDARD.memberWithoutRole]);
  expect(new Set(report.findings.map((f) => f.accountId))).toEqual(new Set([STANDARD.managementAccountId, ...members]));
  // Every stored item, run record included.
  const { startEmbeddedStore } = await import('../../local/embedded-store');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const store = await startEmbeddedStore({ path: join(dir, 'db') });
  const client = new DynamoDBClient({ endpoint: store.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' } });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: EMBEDDED_TABLE }));
    expect(Items.length).toBeGreaterThan(0);
    expect(JSON.stringify(Items)).not.toContain(EXTERNAL_ID);
    expect(JSON.stringify(await store.store.getRun('ext-1'))).not.toContain(EXTERNAL_ID);
    const errors = await store.store.errors('ext-1');
    expect(errors.filter((e) => /MemberAccessDenied/.test(e.error) && members.includes(e.accountId))).toEqual([]);
  } finally {
    client.destroy();
    await store.close();
  }
});

test('without it: every member role refuses, and each is recorded as denied', async () => {
  const result = await h.run({ mode: 'scan', runId: 'no-ext' });
  expect(result.executionStatus).toBe('SUCCEEDED');
  const denied = (await h.embedded.store.errors('no-ext')).filter((e) => /MemberAccessDenied/.test(e.error));
  expect(new Set(denied.map((e) => e.accountId))).toEqual(new Set([...members, STANDARD.memberWithoutRole]));
});
