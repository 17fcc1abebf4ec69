// The results store under faults, end to end on the simulator: a key that cannot be read in one
// Region while another Region throttles past the SDK's retries, a throttling storm on the store's
// own writes, and the count of items that planning and Finalize touch (accounts, not keys).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Finding } from '../../functions/core/schemas';
import { step as finalize } from '../../functions/handlers/finalize';
import { step as planWavesStep } from '../../functions/handlers/plan-waves';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import type { ResultsStore } from '../../functions/store/results-store';
import { buildLargeScenario, STANDARD, standardScenarioPath } from '../scenarios';
import { startHarness, useHarness, type Harness } from '../support/harness';

function byArn(findings: Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) {
    expect(map.has(f.keyArn)).toBe(false);
    map.set(f.keyArn, f);
  }
  return map;
}

/** Makes every write call of the store whose number falls in a burst fail with ProvisionedThroughputExceededException. */
function writeStorm(store: ResultsStore, burst: (n: number) => boolean): { injected: number } {
  const stats = { injected: 0 };
  let calls = 0;
  (store.doc as unknown as DynamoDBClient).middlewareStack.addRelativeTo(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (/^(BatchWriteItem|PutItem|UpdateItem)/.test(context.commandName ?? '') && burst(calls++)) {
        stats.injected++;
        throw Object.assign(new Error('Throughput exceeds the current capacity for one or more partitions'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    }) as never,
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'writeStorm' },
  );
  return stats;
}

describe('a key that cannot be read while another Region throttles past the SDK', () => {
  let h: Harness;
  const account = STANDARD.accountWithOptInRegion;
  const saved = process.env.AWS_MAX_ATTEMPTS;
  beforeAll(async () => {
    // Two attempts per call: a burst of throttling outlasts the SDK quickly, as a storm does deployed.
    process.env.AWS_MAX_ATTEMPTS = '2';
    h = await startHarness({
      scenario: standardScenarioPath,
      faults: [
        { type: 'operation-error', accountId: account, region: 'eu-west-1', service: 'kms', operation: 'DescribeKey', error: 'AccessDeniedException' },
        { type: 'operation-error', accountId: account, region: 'us-east-1', service: 'kms', operation: 'ListKeys', error: 'ThrottlingException', times: 2 },
      ],
    });
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = saved;
    await h.close();
  });

  it('ends with an error record for every unreadable key, a finding for every other key, and the account scanned', async () => {
    const result = await h.run({ mode: 'scan', accounts: [account] });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = byArn(await h.findings(result.runId));
    const errors = await h.embedded.store.errors(result.runId);
    const unreadable = h.sim.listKeys(account, 'eu-west-1').filter((k) => !k.aliases.some((a) => a.startsWith('alias/aws/')));
    expect(unreadable.length).toBeGreaterThan(0);
    for (const k of unreadable) {
      expect(findings.has(k.arn)).toBe(false);
      expect(errors.filter((e) => e.keyId === k.keyId && e.region === 'eu-west-1')).toHaveLength(1);
    }
    const readable = h.sim.listKeys(account).filter((k) => !unreadable.some((u) => u.arn === k.arn));
    for (const k of readable) expect(findings.has(k.arn)).toBe(true);
    expect(findings.size).toBe(readable.length);
    expect(errors.filter((e) => !e.keyId)).toEqual([]);
    // us-east-1 was listed twice in the first attempt (both throttled) and once in the retry; the finished Regions not again.
    expect(h.sim.totalCalls({ accountId: account, region: 'eu-west-1', service: 'kms', operation: 'ListKeys' })).toBe(1);
    expect(h.sim.totalCalls({ accountId: account, region: 'us-east-1', service: 'kms', operation: 'ListKeys' })).toBe(3);
    expect((await h.embedded.store.getRun(result.runId))?.status).toBe('SUCCEEDED');
  });
});

describe('a throttling storm on the store', () => {
  const h = useHarness({ scenario: standardScenarioPath });

  it('loses no finding and scans no Region twice', async () => {
    // Bursts of 4 failed writes in every 10: past the embedded client's 3 attempts now and then.
    const storm = writeStorm(h.embedded.store, (n) => n % 10 < 4);
    h.sim.resetCallCounts();
    const result = await h.run({ mode: 'scan' });
    expect(storm.injected).toBeGreaterThan(10);
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = byArn(await h.findings(result.runId));
    const scanned = h.sim.accounts().filter((a) => a.state === 'ACTIVE' && a.id !== STANDARD.memberWithoutRole);
    const errors = await h.embedded.store.errors(result.runId);
    for (const a of scanned) for (const k of h.sim.listKeys(a.id)) expect(findings.has(k.arn)).toBe(true);
    // Each account and Region listed once: a failed store write never sends the scan round again.
    const listings = h.sim.callCounts({ service: 'kms', operation: 'ListKeys' });
    expect(listings.length).toBeGreaterThan(0);
    for (const c of listings) expect(c).toMatchObject({ calls: 1 });
    expect(errors.map((e) => e.accountId)).toEqual([STANDARD.memberWithoutRole]);
  });
});

describe('what planning and Finalize read', () => {
  /** Items PlanWaves and Finalize read for a scanned organization of `keysPerAccount` keys per account. */
  async function itemsRead(keysPerAccount: number): Promise<{ plan: number; finalize: number; accounts: number; errors: number; waves: number }> {
    const h = await startHarness({ scenario: buildLargeScenario({ accounts: 12, keysPerAccount, regions: ['us-east-1', 'eu-west-1'] }), quotas: false });
    try {
      const result = await h.run({ mode: 'scan' });
      expect(result.executionStatus).toBe('SUCCEEDED');
      const run = await h.embedded.store.getRun(result.runId);
      const deps = { store: h.embedded.store, manifests: new MemoryManifestStore(), now: () => new Date() };
      const config = { ...(run!.input as Record<string, unknown>), runId: result.runId } as never;
      const before = h.embedded.store.counters.itemsRead;
      await planWavesStep(deps)({ runId: result.runId, config });
      const afterPlan = h.embedded.store.counters.itemsRead;
      await finalize(deps)({ runId: result.runId, config });
      const finalizeRead = h.embedded.store.counters.itemsRead - afterPlan;
      return { plan: afterPlan - before, finalize: finalizeRead, accounts: run!.accountCount, errors: (await h.embedded.store.errors(result.runId)).length, waves: (await h.embedded.store.getRun(result.runId))!.waveCount };
    } finally {
      await h.close();
    }
  }

  it('grows with accounts, not keys', async () => {
    const few = await itemsRead(4);
    const many = await itemsRead(60);
    expect(many.accounts).toBe(few.accounts);
    expect(many.plan).toBe(few.plan);
    // Finalize also reads the error records (twice: to find unrecorded accounts, and to count) and
    // the wave plan (at most MAX_WAVES items): those grow with what failed and with the plan.
    expect(many.finalize - 2 * many.errors - many.waves).toBe(few.finalize - 2 * few.errors - few.waves);
    expect(many.plan).toBeLessThanOrEqual(many.accounts + 2);
    expect(many.finalize).toBeLessThanOrEqual(4 * many.accounts + 10);
  });
});
