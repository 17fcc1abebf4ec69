// Remediation rollouts in waves, run locally through the ASL against the simulated organization.
import type { KeyView } from '../../local/sim/server';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { ExecutionInput } from '../../functions/core/schemas';
import { step as remediateAccount } from '../../functions/handlers/remediate-account';
import { remediateKeys } from '../../functions/aws/rotation';
import { FRESH_SCAN_MS } from '../../functions/core/classify';
import { runLocal } from '../../local/runner';
import type { Finding } from '../../functions/core/schemas';
import { STANDARD, standardScenarioPath } from '../scenarios';
import { startHarness, type Harness } from '../support/harness';

const inScope = (k: KeyView) =>
  k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS' && k.keyState === 'Enabled' && k.multiRegionKeyType !== 'REPLICA';

const reachable = (h: Harness) => h.sim.accounts().filter((a) => a.state === 'ACTIVE' && a.id !== STANDARD.memberWithoutRole);
const allKeys = (h: Harness) => reachable(h).flatMap((a) => h.sim.listKeys(a.id));
const enableCalls = (h: Harness, accountId?: string) =>
  h.sim.callCounts({ service: 'kms', operation: 'EnableKeyRotation', accountId }).reduce((n, c) => n + c.calls, 0);
const byArn = (findings: Finding[]) => new Map(findings.map((f) => [f.keyArn, f]));

// Every test gets a fresh simulated organization and store: rollouts change both.
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ scenario: standardScenarioPath });
});
afterEach(() => h.close());

describe('remediate rollout', () => {
  it('leaves every in-scope key without an active exception rotating, with the period asked for', async () => {
    const before = allKeys(h);
    const offKeys = before.filter((k) => inScope(k) && !k.rotationEnabled);
    const exempt = offKeys[0];
    await h.embedded.store.addException({ target: exempt.arn, owner: 'alice', reason: 'vendor appliance', expiresAt: '2099-12-31', createdAt: '2026-01-01' });
    // An expired exception counts for nothing.
    await h.embedded.store.addException({ target: offKeys[1].arn, owner: 'bob', reason: 'lapsed', expiresAt: '2020-01-01', createdAt: '2019-01-01' });

    const result = await h.run({ mode: 'remediate', rotationPeriodInDays: 180, waves: { size: 3 } });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = byArn(await h.findings(result.runId));

    for (const key of allKeys(h)) {
      const was = before.find((k) => k.arn === key.arn)!;
      const f = findings.get(key.arn)!;
      if (key.arn === exempt.arn) {
        expect(f.status).toBe('EXEMPT');
        expect(f.exception).toMatchObject({ owner: 'alice', expiresAt: '2099-12-31' });
        expect(key.rotationEnabled).toBe(false);
      } else if (inScope(was) && !was.rotationEnabled) {
        expect({ arn: key.arn, status: f.status }).toEqual({ arn: key.arn, status: 'REMEDIATED' });
        expect(key.rotationEnabled).toBe(true);
        expect(key.rotationPeriodInDays).toBe(180);
        expect(f).toMatchObject({ rotationEnabledBefore: false, rotationEnabledAfter: true, rotationPeriodInDays: 180 });
      } else {
        // Compliant and not-applicable keys are untouched (a replica shares its primary's setting).
        expect(f.status).not.toBe('REMEDIATED');
        if (key.multiRegionKeyType !== 'REPLICA') {
          expect(key.rotationEnabled).toBe(was.rotationEnabled);
          expect(key.rotationPeriodInDays).toBe(was.rotationPeriodInDays);
        }
      }
    }
    const planned = offKeys.length - 1;
    const run = await h.embedded.store.getRun(result.runId);
    expect(run?.waveCount).toBe(Math.ceil(planned / 3));
    expect(run?.waves.map((w) => w.remediated).reduce((a, b) => a + b, 0)).toBe(planned);
    expect(enableCalls(h)).toBe(planned);
  });

  it('is idempotent: a second run finds every remediated key COMPLIANT and enables nothing', async () => {
    await h.run({ mode: 'remediate', waves: { size: 50 } });
    h.sim.resetCallCounts();
    const again = await h.run({ mode: 'remediate', waves: { size: 50 } });
    expect(again.executionStatus).toBe('SUCCEEDED');
    const findings = await h.findings(again.runId);
    expect(findings.filter((f) => f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATED')).toEqual([]);
    expect(enableCalls(h)).toBe(0);
    expect((await h.embedded.store.getRun(again.runId))?.waveCount).toBe(0);
  });

  it('halts when a wave fails over the threshold, runs no later wave, and a resumed run finishes the rest', async () => {
    // The first wave holds the production accounts' keys (priority); one of them fails.
    const failing = '100000000002';
    h.sim.addFault({ type: 'enable-rotation-error', accountId: failing, error: 'KMSInternalException' });
    const halted = await h.run({ mode: 'remediate', waves: { size: 3, maxFailureRate: 0.2 }, priority: { accountTags: { environment: ['production'] } } });
    expect(halted).toMatchObject({ executionStatus: 'FAILED', error: 'RolloutHalted' });

    const run = (await h.embedded.store.getRun(halted.runId))!;
    expect(run.status).toBe('HALTED');
    expect(run.haltReason).toMatch(/^wave 1 of \d+: .*later waves did not run/);
    expect(run.waves).toHaveLength(1);
    expect(run.waveCount).toBeGreaterThan(1);
    const findings = await h.findings(halted.runId);
    const failed = findings.filter((f) => f.status === 'REMEDIATION_FAILED');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((f) => f.accountId === failing && /KMSInternalException/.test(f.reason ?? ''))).toBe(true);
    // Keys of later waves stay NON_COMPLIANT and untouched in KMS.
    const later = findings.filter((f) => (f.wave ?? 0) > 1);
    expect(later.length).toBeGreaterThan(0);
    for (const f of later) {
      expect(f.status).toBe('NON_COMPLIANT');
      expect(h.sim.getKey(f.accountId, f.region, f.keyId)?.rotationEnabled).toBe(false);
    }

    h.sim.clearFaults();
    const resumed = await h.run({ mode: 'remediate', waves: { size: 3, maxFailureRate: 0.2 } });
    expect(resumed.executionStatus).toBe('SUCCEEDED');
    const after = await h.findings(resumed.runId);
    expect(after.filter((f) => f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATION_FAILED')).toEqual([]);
    for (const key of allKeys(h).filter(inScope)) expect(key.rotationEnabled).toBe(true);
  });

  it('catches a call that succeeds while rotation stays off: REMEDIATION_FAILED, and the gate acts', async () => {
    const liar = '100000000004';
    h.sim.addFault({ type: 'enable-rotation-ignored', accountId: liar });
    const result = await h.run({ mode: 'remediate', waves: { size: 50, maxFailureRate: 0 } });
    expect(result).toMatchObject({ executionStatus: 'FAILED', error: 'RolloutHalted' });
    const failed = (await h.findings(result.runId)).filter((f) => f.status === 'REMEDIATION_FAILED');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.accountId).toBe(liar);
      expect(f.reason).toMatch(/still disabled/);
      expect(f.rotationEnabledAfter).toBe(false);
    }
  });

  it('an account whose remediation keeps failing gets its wave keys REMEDIATION_FAILED, never lost', async () => {
    const account = '100000000005';
    // The scan role is there, the remediate role is not: the Lambda fails, the Catch records it.
    h.sim.setRoles(account, [{ name: 'KmsRotorScanRole' }]);
    const result = await h.run({ mode: 'remediate', waves: { size: 50, maxFailureRate: 1 } });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = await h.findings(result.runId);
    const mine = findings.filter((f) => f.accountId === account && f.wave !== undefined);
    expect(mine.length).toBeGreaterThan(0);
    for (const f of mine) {
      expect(f.status).toBe('REMEDIATION_FAILED');
      expect(f.reason).toMatch(/KmsRotorRemediateRole/);
    }
    const errors = await h.embedded.store.errors(result.runId);
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: account, phase: 'remediate' })]));
    expect(findings.filter((f) => f.accountId !== account && f.status === 'NON_COMPLIANT')).toEqual([]);
  });

  it('scan mode plans the waves (the dry run) and changes nothing', async () => {
    const result = await h.run({ mode: 'scan', waves: { size: 2 } });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = await h.findings(result.runId);
    const planned = findings.filter((f) => f.status === 'NON_COMPLIANT');
    expect(planned.every((f) => typeof f.wave === 'number')).toBe(true);
    expect((await h.embedded.store.getRun(result.runId))?.waveCount).toBe(Math.ceil(planned.length / 2));
    expect(enableCalls(h)).toBe(0);
  });
});

describe('keys that change during a rollout', () => {
  const keyCalls = (operation: string, keyId: string) => h.sim.keyCallCounts({ operation, keyId }).reduce((n, c) => n + c.calls, 0);
  /** A remediate run whose keys change once its waves are planned; `lateBy` moves its clock on from then. */
  const changingRun = async (runId: string, lateBy: number) => {
    const [turnedOn, excepted, disabled] = allKeys(h).filter((k) => inScope(k) && !k.rotationEnabled && k.accountId === '100000000002');
    let skew = 0;
    const result = await runLocal(
      { mode: 'remediate', runId, waves: { size: 50, maxFailureRate: 0 } },
      {
        store: h.embedded.store,
        retryDelayMs: 5,
        now: () => new Date(Date.now() + skew),
        onProgress: (p) => {
          if (p.state !== 'PlanWaves' || p.event !== 'succeeded') return;
          skew = lateBy;
          h.sim.setRotation(turnedOn.accountId, turnedOn.region, turnedOn.keyId, true);
          h.sim.setKeyState(disabled.accountId, disabled.region, disabled.keyId, 'Disabled');
          void h.embedded.store.addException({ target: excepted.arn, owner: 'dave', reason: 'late request', expiresAt: '2099-01-01', createdAt: '2026-01-01' });
        },
      },
    );
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = byArn(await h.findings(runId));
    expect(findings.get(excepted.arn)).toMatchObject({ status: 'EXEMPT', exception: { owner: 'dave' } });
    expect(findings.get(disabled.arn)).toMatchObject({ status: 'NOT_APPLICABLE', reason: expect.stringMatching(/left scope/) });
    expect(h.sim.getKey(excepted.accountId, excepted.region, excepted.keyId)?.rotationEnabled).toBe(false);
    expect(keyCalls('EnableKeyRotation', excepted.keyId)).toBe(0);
    const remediated = [...findings.values()].filter((f) => f.status === 'REMEDIATED');
    expect(remediated.length).toBeGreaterThan(3);
    // No key is ever enabled twice.
    for (const f of remediated) expect({ key: f.keyId, enables: keyCalls('EnableKeyRotation', f.keyId) }).toEqual({ key: f.keyId, enables: 1 });
    return { findings, turnedOn, remediated };
  };

  it('a key turned on, an exception added, or a key disabled after the plan is respected by its wave once its scan is older than FRESH_SCAN_MS', async () => {
    const { findings, turnedOn, remediated } = await changingRun('changing-late', FRESH_SCAN_MS + 60_000);
    expect(findings.get(turnedOn.arn)).toMatchObject({ status: 'COMPLIANT', reason: expect.stringMatching(/already on/) });
    expect(keyCalls('EnableKeyRotation', turnedOn.keyId)).toBe(0);
    // The scan's read, the read before the enable and the confirmation.
    for (const f of remediated) expect({ key: f.keyId, reads: keyCalls('GetKeyRotationStatus', f.keyId) }).toEqual({ key: f.keyId, reads: 3 });
  });

  it('within FRESH_SCAN_MS of the scan, enables without reading first: the enable call\'s error and the store say the rest, and a key turned on since is enabled once more (the window accepted)', async () => {
    const { findings, turnedOn, remediated } = await changingRun('changing-fresh', 0);
    expect(findings.get(turnedOn.arn)).toMatchObject({ status: 'REMEDIATED' });
    expect(keyCalls('EnableKeyRotation', turnedOn.keyId)).toBe(1);
    // The scan's read and the confirmation only.
    for (const f of remediated) expect({ key: f.keyId, reads: keyCalls('GetKeyRotationStatus', f.keyId) }).toEqual({ key: f.keyId, reads: 2 });
  });

  it('stops before the Lambda timeout with work left, and the retry does the rest without enabling a key twice', async () => {
    const scan = await h.run({ mode: 'scan', runId: 'budget-1', waves: { size: 50 } });
    expect(scan.executionStatus).toBe('SUCCEEDED');
    const account = '100000000002';
    const planned = (await h.findings('budget-1')).filter((f) => f.accountId === account && f.wave === 1);
    expect(planned.length).toBeGreaterThan(1);
    const config = ExecutionInput.parse({ mode: 'remediate' });
    let budget = 1;
    const step = remediateAccount({ store: h.embedded.store, manifests: new MemoryManifestStore(), now: () => new Date(), timeLeftMs: () => (budget-- > 0 ? 120_000 : 0) });
    await expect(step({ runId: 'budget-1', wave: 1, config, accountId: account })).rejects.toMatchObject({ name: 'TimeBudgetExceeded' });
    const partial = (await h.findings('budget-1')).filter((f) => f.accountId === account && f.wave === 1 && f.status === 'REMEDIATED');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(planned.length);

    const retry = remediateAccount({ store: h.embedded.store, manifests: new MemoryManifestStore(), now: () => new Date(), timeLeftMs: () => 600_000 });
    await expect(retry({ runId: 'budget-1', wave: 1, config, accountId: account })).resolves.toMatchObject({ remediated: planned.length - partial.length, failed: 0 });
    expect(enableCalls(h, account)).toBe(planned.length);
  });

  it('an attempt that dies after enabling a key leaves the retry to record it REMEDIATED, without enabling it again', async () => {
    const scan = await h.run({ mode: 'scan', runId: 'crash-1', waves: { size: 50 } });
    expect(scan.executionStatus).toBe('SUCCEEDED');
    const account = '100000000002';
    const planned = (await h.findings('crash-1')).filter((f) => f.accountId === account && f.wave === 1);
    const config = ExecutionInput.parse({ mode: 'remediate' });
    // The first attempt writes its intent, enables the first key, then dies before writing the outcome.
    const crash = remediateKeys('crash-1', account, planned.slice(0, 1), { roleName: config.remediateRoleName }, () => new Date(), async (f) => {
      if (f.status !== 'NON_COMPLIANT') throw new Error('Lambda died');
      await h.embedded.store.putFindings([f]);
    });
    await expect(crash).rejects.toThrow('Lambda died');
    expect(h.sim.getKey(account, planned[0].region, planned[0].keyId)?.rotationEnabled).toBe(true);

    const retry = remediateAccount({ store: h.embedded.store, manifests: new MemoryManifestStore(), now: () => new Date() });
    await expect(retry({ runId: 'crash-1', wave: 1, config, accountId: account })).resolves.toMatchObject({ remediated: planned.length, failed: 0 });
    const after = (await h.findings('crash-1')).filter((f) => f.accountId === account && f.wave === 1);
    expect(after.map((f) => f.status)).toEqual(planned.map(() => 'REMEDIATED'));
    expect(enableCalls(h, account)).toBe(planned.length);
    // The marked key is read before (its scan is fresh, its marker says it may be on): scan, that read, confirmation.
    expect(h.sim.keyCallCounts({ operation: 'GetKeyRotationStatus', keyId: planned[0].keyId }).reduce((n, c) => n + c.calls, 0)).toBe(3);
  });
});
