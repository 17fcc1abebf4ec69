// Member credentials are assumed once per role and session (a run's scan, or its remediation
// across every wave) and used again while they stay valid well past one invocation; credentials
// close to expiry are assumed afresh. A rollout of many waves assumes the remediate role once per
// account.
import { credentialsFor } from '../../functions/aws/credentials';
import { startEmbeddedStore } from '../../local/embedded-store';
import { runLocal } from '../../local/runner';
import { buildLargeScenario, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';

const assumeRoles = (sim: SimulatedOrganization) => sim.totalCalls({ service: 'sts', operation: 'AssumeRole' });

async function withSimulator(options: Parameters<typeof startSimulator>[0], fn: (sim: SimulatedOrganization) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  const restore = useSimulatorEnv(sim);
  try {
    await fn(sim);
  } finally {
    restore();
    await sim.close();
  }
}

test('the same role and session: one AssumeRole; another session or role: its own', async () => {
  await withSimulator({ scenario: buildLargeScenario({ accounts: 3, keysPerAccount: 1 }) }, async (sim) => {
    const access = { accountId: '100000000001', roleName: 'KmsRotorRemediateRole', sessionName: 'kms-rotor-remediate-run-1' };
    const first = await credentialsFor(access);
    expect(await credentialsFor(access)).toBe(first);
    expect(assumeRoles(sim)).toBe(1);
    await credentialsFor({ ...access, sessionName: 'kms-rotor-remediate-run-2' });
    await credentialsFor({ ...access, roleName: 'KmsRotorScanRole' });
    await credentialsFor({ ...access, accountId: '100000000002' });
    expect(assumeRoles(sim)).toBe(4);
  });
});

test('credentials with less than 15 minutes left are assumed afresh', async () => {
  // The simulator's clock runs 50 minutes behind: its hour-long credentials expire in 10 minutes of ours.
  await withSimulator({ scenario: buildLargeScenario({ accounts: 2, keysPerAccount: 1 }), clock: () => new Date(Date.now() - 50 * 60_000) }, async (sim) => {
    const access = { accountId: '100000000001', roleName: 'KmsRotorRemediateRole', sessionName: 'kms-rotor-remediate-soon' };
    const first = await credentialsFor(access);
    const second = await credentialsFor(access);
    expect(second).not.toBe(first);
    expect(assumeRoles(sim)).toBe(2);
  });
});

test('a rollout of many waves assumes the remediate role once per account it remediates', async () => {
  await withSimulator({ scenario: buildLargeScenario({ accounts: 4, keysPerAccount: 12, rotatingShare: 0.2 }) }, async (sim) => {
    const embedded = await startEmbeddedStore();
    try {
      const result = await runLocal({ mode: 'remediate', runId: 'creds-waves', waves: { size: 2 } }, { store: embedded.store, retryDelayMs: 5 });
      expect(result.executionStatus).toBe('SUCCEEDED');
      const run = await embedded.store.getRun(result.runId);
      expect(run?.waveCount).toBeGreaterThan(6);
      const remediating = sim.sessions().filter((s) => s.roleName === 'KmsRotorRemediateRole');
      const accounts = new Set(remediating.map((s) => s.accountId));
      expect(accounts.size).toBe(3);
      expect(remediating).toHaveLength(accounts.size);
    } finally {
      await embedded.close();
    }
  });
}, 120_000);
