// Conformance of drift detection against moto: two scans through the CLI (child processes sharing
// one --data-dir) with two changes made in moto between them — a new key without rotation, and
// rotation turned off on a compliant key — and `rotor drift --output json` names exactly those two.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Drift } from '../../functions/core/drift';
import {
  MANAGEMENT_ACCOUNT,
  createKeys,
  createOrganization,
  disableRotation,
  motoRotation,
  runCli,
  useMotoSuite,
} from './moto-org';

const REGIONS = ['us-east-1', 'eu-west-1'];
const suite = useMotoSuite({ scratchDir: 'kms-rotor-moto-drift-' });

interface ReportDrift {
  previousRunId: string | null;
  newNonCompliant: { keyArn: string; status: string }[];
  regressed: { keyArn: string; status: string }[];
  resolved: { keyArn: string }[];
}

test('rotor drift names exactly the new non-rotating key and the key whose rotation was turned off', async () => {
  const org = await createOrganization(['workloads']);
  const member = org.members.workloads;
  const keys = await createKeys([
    { accountId: member, region: 'us-east-1', kind: 'rotating', count: 2 },
    { accountId: member, region: 'eu-west-1', kind: 'not-rotating' },
    { accountId: member, region: 'eu-west-1', kind: 'asymmetric' },
    { accountId: MANAGEMENT_ACCOUNT, region: 'eu-west-1', kind: 'rotating' },
    { accountId: MANAGEMENT_ACCOUNT, region: 'us-east-1', kind: 'not-rotating' },
  ]);
  const dataDir = join(suite.dir, '.rotor');
  const scan = async (runId: string) => {
    const out = join(suite.dir, `${runId}.json`);
    const cli = await runCli(
      ['run', '--local', '--mode', 'scan', '--regions', REGIONS.join(','), '--run-id', runId, '--report', 'json', '--out', out, '--data-dir', dataDir, '--exit-zero'],
      suite.moto.endpoint,
    );
    expect({ runId, code: cli.code, stderr: cli.stderr }).toEqual({ runId, code: 0, stderr: expect.stringContaining(`run ${runId} SUCCEEDED`) });
    return JSON.parse(readFileSync(out, 'utf8')) as { findings: { keyArn: string; status: string }[]; errors: unknown[]; drift?: ReportDrift };
  };

  const first = await scan('drift-before');
  expect(first.errors).toEqual([]);
  const regressedKey = keys.find((k) => k.kind === 'rotating' && k.accountId === member)!;
  expect(first.findings.find((f) => f.keyArn === regressedKey.keyArn)?.status).toBe('COMPLIANT');

  // The two changes, made in moto the way a person would.
  const [newKey] = await createKeys([{ accountId: member, region: 'eu-west-1', kind: 'not-rotating' }]);
  await disableRotation(regressedKey);
  expect((await motoRotation(newKey)).enabled).toBe(false);
  expect((await motoRotation(regressedKey)).enabled).toBe(false);

  const second = await scan('drift-after');
  expect(second.errors).toEqual([]);
  expect(second.findings.length).toBe(first.findings.length + 1);

  const cli = await runCli(['drift', '--output', 'json', '--data-dir', dataDir], suite.moto.endpoint);
  // New and regressed keys are findings: exit 3.
  expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 3, stderr: expect.stringContaining('1 new non-compliant key; 1 regressed key (exit 3') });
  const drift = JSON.parse(cli.stdout) as Drift;
  expect(drift.runId).toBe('drift-after');
  expect(drift.previousRunId).toBe('drift-before');
  expect(drift.newNonCompliant.map((f) => ({ keyArn: f.keyArn, status: f.status }))).toEqual([{ keyArn: newKey.keyArn, status: 'NON_COMPLIANT' }]);
  expect(drift.regressed.map((f) => ({ keyArn: f.keyArn, status: f.status }))).toEqual([{ keyArn: regressedKey.keyArn, status: 'NON_COMPLIANT' }]);
  expect(drift.resolved).toEqual([]);

  // The run's own JSON report carries the same drift.
  expect(second.drift).toMatchObject({
    previousRunId: 'drift-before',
    newNonCompliant: [{ keyArn: newKey.keyArn, status: 'NON_COMPLIANT' }],
    regressed: [{ keyArn: regressedKey.keyArn, status: 'NON_COMPLIANT' }],
    resolved: [],
  });
});
