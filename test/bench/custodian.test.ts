// The Cloud Custodian baseline's own parts: which c7n-org it runs, and the accounts file it writes
// (c7n-org itself runs only in `npm run bench` where it is installed).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsConfig, custodianCommand } from '../../bench/custodian.bench';
import { buildLargeScenario } from '../../local/sim';

test('C7N_ORG names the command, else an executable c7n-org on PATH, else there is none', () => {
  expect(custodianCommand({ C7N_ORG: ' python3  -m c7n_org.cli ', PATH: '/nonexistent' })).toEqual(['python3', '-m', 'c7n_org.cli']);
  const dir = mkdtempSync(join(tmpdir(), 'kms-rotor-c7n-path-'));
  try {
    expect(custodianCommand({ PATH: `/nonexistent:${dir}` })).toBeUndefined();
    writeFileSync(join(dir, 'c7n-org'), '#!/bin/sh\n');
    expect(custodianCommand({ PATH: `/nonexistent:${dir}` })).toBeUndefined();
    chmodSync(join(dir, 'c7n-org'), 0o755);
    expect(custodianCommand({ PATH: `/nonexistent:${dir}` })).toEqual([join(dir, 'c7n-org')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the accounts file lists every account of the scenario with its Regions and the role to assume', () => {
  const scenario = buildLargeScenario({ accounts: 3, keysPerAccount: 3 });
  const yml = accountsConfig(scenario, ['us-east-1', 'eu-west-1'], 'KmsRotorRemediateRole');
  expect(yml.split('\n').filter((l) => l.includes('account_id:'))).toEqual(scenario.accounts.map((a) => `  - account_id: "${a.id}"`));
  expect(yml).toContain('    regions: [us-east-1, eu-west-1]');
  expect(yml).toContain(`    role: arn:aws:iam::${scenario.accounts[2].id}:role/KmsRotorRemediateRole`);
});
