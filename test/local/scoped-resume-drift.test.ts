// Drift after a scoped resume, end to end on the simulated organization: a rollout halts (one
// account's EnableKeyRotation fails), the operator resumes it for the accounts left with keys off
// (`--accounts`, a scope of its own), and `rotor drift` compares the resume with the halted
// rollout, which covered those keys: the keys the resume turned on are resolved, none is new.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Drift } from '../../functions/core/drift';
import { startEmbeddedStore } from '../../local/embedded-store';
import { standardScenarioPath } from '../scenarios';
import { startHarness, type Harness } from '../support/harness';
import { rotor } from '../support/rotor-cli';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ scenario: standardScenarioPath });
  dir = mkdtempSync(join(tmpdir(), 'kms-rotor-resume-drift-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

test('rotor drift of a scoped resume compares with the halted rollout: what it fixed is resolved, nothing is new', async () => {
  const dataDir = join(dir, '.rotor');
  const failing = '100000000002';
  h.sim.addFault({ type: 'enable-rotation-error', accountId: failing, error: 'KMSInternalException' });
  const halted = await rotor('run', '--local', '--mode', 'remediate', '--wave-size', '3', '--max-failure-rate', '0.2', '--priority-tag', 'environment=production', '--run-id', 'halted', '--quiet', '--data-dir', dataDir);
  expect({ code: halted.code, stderr: halted.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('HALTED') });

  // The keys the halted rollout left off, and their accounts: what the resume is scoped to.
  const embedded = await startEmbeddedStore({ path: join(dataDir, 'db') });
  const left: { keyArn: string; accountId: string; status: string }[] = [];
  try {
    for await (const f of embedded.store.findings('halted')) if (f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATION_FAILED') left.push(f);
  } finally {
    await embedded.close();
  }
  expect(left.some((f) => f.status === 'REMEDIATION_FAILED')).toBe(true);
  expect(left.some((f) => f.status === 'NON_COMPLIANT')).toBe(true);
  const accounts = [...new Set(left.map((f) => f.accountId))].sort();

  h.sim.clearFaults();
  const resumed = await rotor('run', '--local', '--mode', 'remediate', '--accounts', accounts.join(','), '--run-id', 'resume', '--quiet', '--exit-zero', '--data-dir', dataDir);
  expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: '' });

  const json = await rotor('drift', '--run-id', 'resume', '--output', 'json', '--data-dir', dataDir);
  expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: '' });
  const drift = JSON.parse(json.stdout) as Drift;
  expect(drift.previousRunId).toBe('halted');
  expect(drift.newNonCompliant).toEqual([]);
  expect(drift.regressed).toEqual([]);
  expect(drift.resolved.map((f) => f.keyArn).sort()).toEqual(left.map((f) => f.keyArn).sort());
  expect(drift.resolved.every((f) => f.status === 'REMEDIATED' && f.runId === 'resume')).toBe(true);

  const text = await rotor('drift', '--run-id', 'resume', '--data-dir', dataDir);
  expect(text.stdout).toContain('drift of run resume against halted');
  expect(text.stdout).toContain('new non-compliant keys: 0');
  expect(text.stdout).toContain(`resolved keys: ${left.length}`);
}, 120_000);
