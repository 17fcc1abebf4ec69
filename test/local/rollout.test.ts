// The whole ASL, run locally with the real handlers, against the simulated organization.
import type { KeyView } from '../../local/sim/server';
import type { Finding, FindingStatus } from '../../functions/core/schemas';
import { STANDARD, standardScenarioPath } from '../scenarios';
import { startHarness, useHarness, type Harness } from '../support/harness';

/**
 * The test's own oracle, from the simulator's view of each key (not from our classifier): what
 * status a scan must give it.
 */
function expectedScanStatus(k: KeyView): FindingStatus {
  const inScope =
    k.keyManager === 'CUSTOMER' &&
    k.keySpec === 'SYMMETRIC_DEFAULT' &&
    k.origin === 'AWS_KMS' &&
    k.keyState === 'Enabled' &&
    k.multiRegionKeyType !== 'REPLICA';
  if (!inScope) return 'NOT_APPLICABLE';
  return k.rotationEnabled ? 'COMPLIANT' : 'NON_COMPLIANT';
}

const scannedAccounts = (h: Harness) =>
  h.sim.accounts().filter((a) => a.state === 'ACTIVE' && a.id !== STANDARD.memberWithoutRole);

function byArn(findings: Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) {
    expect(map.has(f.keyArn)).toBe(false); // exactly once
    map.set(f.keyArn, f);
  }
  return map;
}

describe('scan of the standard organization', () => {
  const h = useHarness({ scenario: standardScenarioPath });

  it('gives every key of every account and Region exactly one finding with the right status', async () => {
    const result = await h.run({ mode: 'scan' });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const found = byArn(await h.findings(result.runId));
    const expected = scannedAccounts(h).flatMap((a) => h.sim.listKeys(a.id));
    expect(expected.length).toBeGreaterThan(20);
    expect(found.size).toBe(expected.length);
    for (const key of expected) {
      const f = found.get(key.arn);
      expect({ arn: key.arn, status: f?.status }).toEqual({ arn: key.arn, status: expectedScanStatus(key) });
      if (f?.status === 'NOT_APPLICABLE') expect(f.reason).toBeTruthy();
    }
    // Every kind of key is there.
    expect(new Set([...found.values()].map((f) => f.status))).toEqual(new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']));
    // The opt-in Region enabled for one account was scanned.
    expect([...found.values()].some((f) => f.region === STANDARD.optInRegion && f.accountId === STANDARD.accountWithOptInRegion)).toBe(true);

    const run = await h.embedded.store.getRun(result.runId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'scan', errorCount: 1 });
    expect(Object.values(run!.summary).reduce((a, b) => a + (b ?? 0), 0)).toBe(expected.length);
  });

  it('records the account whose role is missing as an error, and skips the suspended one', async () => {
    const result = await h.run({ mode: 'scan' });
    const errors = await h.embedded.store.errors(result.runId);
    expect(errors).toEqual([expect.objectContaining({ accountId: STANDARD.memberWithoutRole, phase: 'scan', error: expect.stringMatching(/cannot assume .*KmsRotorScanRole/) })]);
    const accounts = new Set((await h.findings(result.runId)).map((f) => f.accountId));
    expect(accounts.has(STANDARD.suspendedAccount)).toBe(false);
    expect(accounts.has(STANDARD.memberWithoutRole)).toBe(false);
  });

  it('reads the tags of keys in scope only when asked (readKeyTags): one ListResourceTags per such key, into its finding', async () => {
    const account = scannedAccounts(h).find((a) => a.id !== STANDARD.managementAccountId)!;
    const tagged = h.sim.createKey(account.id, 'us-east-1', { tags: { team: 'payments', 'cost-center': '=1+2' } });
    try {
      h.sim.resetCallCounts();
      const plain = await h.run({ mode: 'scan' });
      expect((await h.findings(plain.runId)).filter((f) => f.tags !== undefined)).toEqual([]);
      expect(h.sim.totalCalls({ operation: 'ListResourceTags' })).toBe(0);

      const withTags = await h.run({ mode: 'scan', readKeyTags: true });
      const findings = await h.findings(withTags.runId);
      expect(findings.find((f) => f.keyArn === tagged.arn)?.tags).toEqual({ team: 'payments', 'cost-center': '=1+2' });
      const inScope = findings.filter((f) => f.status === 'COMPLIANT' || f.status === 'NON_COMPLIANT');
      expect(findings.filter((f) => f.tags !== undefined).map((f) => f.keyArn).sort()).toEqual(inScope.map((f) => f.keyArn).sort());
      expect(h.sim.totalCalls({ operation: 'ListResourceTags' })).toBe(inScope.length);
    } finally {
      h.sim.setKeyState(account.id, 'us-east-1', tagged.keyId, 'PendingDeletion');
    }
  });

  it('makes at most two key calls per key and none for keys behind alias/aws/', async () => {
    h.sim.resetCallCounts();
    await h.run({ mode: 'scan' });
    for (const account of scannedAccounts(h)) {
      for (const key of h.sim.listKeys(account.id)) {
        const calls = h.sim.keyCallCounts({ accountId: account.id, region: key.region, keyId: key.keyId });
        const total = calls.reduce((n, c) => n + c.calls, 0);
        if (key.aliases.some((a) => a.startsWith('alias/aws/'))) expect(total).toBe(0);
        else expect(total).toBeLessThanOrEqual(2);
        if (expectedScanStatus(key) === 'NOT_APPLICABLE') {
          expect(calls.filter((c) => c.operation === 'GetKeyRotationStatus')).toEqual([]);
        }
      }
    }
  });

  it('narrows to the accounts and Regions asked for, reading tags only of those accounts', async () => {
    h.sim.resetCallCounts();
    const result = await h.run({ mode: 'scan', accounts: ['100000000002'], regions: ['eu-west-1'], priority: { accountTags: { environment: ['production'] } } });
    expect(h.sim.totalCalls({ service: 'organizations', operation: 'ListTagsForResource' })).toBe(1);
    const findings = await h.findings(result.runId);
    expect(new Set(findings.map((f) => `${f.accountId}/${f.region}`))).toEqual(new Set(['100000000002/eu-west-1']));
    expect(findings).toHaveLength(h.sim.listKeys('100000000002', 'eu-west-1').length);
  });

  it('a Region of another partition asked for is one error record per account, never called; no other Region gets one', async () => {
    h.sim.resetCallCounts();
    const result = await h.run({ mode: 'scan', accounts: ['100000000002', '100000000003'], regions: ['eu-west-1', 'cn-north-1'] });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const errors = await h.embedded.store.errors(result.runId);
    expect(errors.map((e) => `${e.accountId} ${e.region}`).sort()).toEqual(['100000000002 cn-north-1', '100000000003 cn-north-1']);
    for (const e of errors) expect(e.error).toMatch(/partition aws-cn, not aws/);
    expect(h.sim.totalCalls({ region: 'cn-north-1' })).toBe(0);
    expect(new Set((await h.findings(result.runId)).map((f) => f.region))).toEqual(new Set(['eu-west-1']));
  });

  it('fails bad input before any AWS call', async () => {
    h.sim.resetCallCounts();
    const result = await h.run({ mode: 'scan', rotationPeriodInDays: 30 } as never);
    expect(result.executionStatus).toBe('FAILED');
    expect(result.error).toBe('InputError');
    expect(result.cause).toMatch(/rotationPeriodInDays/);
    expect(h.sim.totalCalls()).toBe(0);
  });
});

describe('faults during a scan', () => {
  it('a throttling storm (half the KMS calls throttled) gives the same findings and no error records', async () => {
    const calm = await startHarness({ scenario: standardScenarioPath });
    let baseline: Map<string, FindingStatus>;
    try {
      const run = await calm.run({ mode: 'scan' });
      baseline = new Map((await calm.findings(run.runId)).map((f) => [f.keyArn, f.status]));
    } finally {
      await calm.close();
    }
    const h = await startHarness({ scenario: standardScenarioPath, throttleFraction: 0.5, seed: 7 });
    try {
      const run = await h.run({ mode: 'scan' });
      expect(run.executionStatus).toBe('SUCCEEDED');
      const stormy = new Map((await h.findings(run.runId)).map((f) => [f.keyArn, f.status]));
      expect(stormy).toEqual(baseline);
      const errors = await h.embedded.store.errors(run.runId);
      expect(errors.filter((e) => e.accountId !== STANDARD.memberWithoutRole)).toEqual([]);
      const throttled = h.sim.callCounts({ service: 'kms' }).reduce((n, c) => n + (c.errors.ThrottlingException ?? 0), 0);
      expect(throttled).toBeGreaterThan(20);
    } finally {
      await h.close();
    }
  });

  it('a Region that fails is an error record for that account and Region; the rest completes', async () => {
    const h = await startHarness({
      scenario: standardScenarioPath,
      faults: [{ type: 'region-failure', accountId: '100000000003', region: 'eu-west-1' }],
    });
    try {
      const run = await h.run({ mode: 'scan' });
      expect(run.executionStatus).toBe('SUCCEEDED');
      const errors = await h.embedded.store.errors(run.runId);
      expect(errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ accountId: '100000000003', region: 'eu-west-1', phase: 'scan' })]),
      );
      const findings = await h.findings(run.runId);
      expect(findings.some((f) => f.accountId === '100000000003' && f.region === 'eu-west-1')).toBe(false);
      expect(findings.filter((f) => f.accountId === '100000000003')).toHaveLength(h.sim.listKeys('100000000003').filter((k) => k.region !== 'eu-west-1').length);
    } finally {
      await h.close();
    }
  });

  it('a key that cannot be described is an error record for that key; its Region still completes', async () => {
    const h = await startHarness({
      scenario: standardScenarioPath,
      faults: [{ type: 'operation-error', accountId: '100000000002', region: 'eu-west-1', service: 'kms', operation: 'DescribeKey', error: 'AccessDeniedException', times: 1 }],
    });
    try {
      const run = await h.run({ mode: 'scan' });
      expect(run.executionStatus).toBe('SUCCEEDED');
      const errors = (await h.embedded.store.errors(run.runId)).filter((e) => e.accountId === '100000000002');
      expect(errors).toEqual([expect.objectContaining({ region: 'eu-west-1', keyId: expect.any(String), error: expect.stringMatching(/AccessDeniedException/) })]);
      const inRegion = (await h.findings(run.runId)).filter((f) => f.accountId === '100000000002' && f.region === 'eu-west-1');
      const listed = h.sim.listKeys('100000000002', 'eu-west-1');
      expect(inRegion).toHaveLength(listed.length - 1);
      expect(new Set([...inRegion.map((f) => f.keyId), errors[0].keyId])).toEqual(new Set(listed.map((k) => k.keyId)));
    } finally {
      await h.close();
    }
  });
});
