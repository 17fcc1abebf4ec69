// Drift end to end: scan the simulated organization, change it, scan again, and find exactly
// the changes (through the store query that Finalize and `rotor drift` share).
import { driftOfRun } from '../../functions/store/run-drift';
import { standardScenarioPath } from '../scenarios';
import { useHarness } from '../support/harness';

const DAY = 86_400_000;

describe('drift between two scans', () => {
  const h = useHarness({ scenario: standardScenarioPath });

  it('names the new key, the regressed key and the key whose exception expired — nothing else', async () => {
    const today = new Date();
    const scan = (runId: string, now: Date) => h.run({ mode: 'scan', runId }, { now: () => now });

    const member = '100000000005';
    const [rotating] = h.sim.listKeys(member).filter((k) => k.keyManager === 'CUSTOMER' && k.rotationEnabled);
    const [excepted] = h.sim.listKeys('100000000004').filter((k) => k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && !k.rotationEnabled && k.keyState === 'Enabled' && k.multiRegionKeyType !== 'REPLICA');
    const expiresAt = today.toISOString().slice(0, 10);
    await h.embedded.store.addException({ target: excepted.arn, owner: 'carol', reason: 'migration', expiresAt, createdAt: today.toISOString() });

    const first = await scan('drift-1', today);
    expect(first.executionStatus).toBe('SUCCEEDED');
    expect((await h.findings('drift-1')).find((f) => f.keyArn === excepted.arn)?.status).toBe('EXEMPT');

    // Two changes in AWS, and the exception lapses with time.
    const created = h.sim.createKey(member, 'us-east-1', { kind: 'not-rotating' });
    h.sim.setRotation(member, rotating.region, rotating.keyId, false);
    const later = new Date(today.getTime() + 2 * DAY);

    const second = await scan('drift-2', later);
    expect(second.executionStatus).toBe('SUCCEEDED');
    const run = (await h.embedded.store.getRun('drift-2'))!;
    const drift = await driftOfRun(h.embedded.store, run, later);

    expect(drift.previousRunId).toBe('drift-1');
    expect(drift.newNonCompliant.map((f) => f.keyArn)).toEqual([created.arn]);
    expect(drift.regressed.map((f) => f.keyArn).sort()).toEqual([excepted.arn, rotating.arn].sort());
    expect(drift.resolved).toEqual([]);
    expect(drift.expiredExceptions.map((e) => e.target)).toEqual([excepted.arn]);
  });
});
