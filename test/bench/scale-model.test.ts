// The scale model: its arithmetic from counts to makespan, cost, storage and the binding limits.
import { PRICES } from '../../bench/prices';
import { ASSUMPTIONS, projectDailyScan, type DeploymentShape, type MeasuredScan } from '../../bench/scale-model';

const measured: MeasuredScan = {
  kmsCallsPerKey: 2,
  otherCallsPerAccount: 2,
  writeUnitsPerAccountUnchanged: 2,
  readUnitsPerAccount: 3,
  s3PutsPerAccount: 1,
  s3GetsPerAccount: 3,
  bytesPerFinding: 400,
  historyItemBytes: 600,
  summaryItemBytes: 400,
  finalizeCpuMsPerAccount: 0,
};
const shape: DeploymentShape = {
  mapConcurrency: 40,
  accountsPerChild: 1,
  regionConcurrency: 4,
  keyCallConcurrency: 8,
  finalizeConcurrency: 16,
  summaryShards: 16,
  retentionDays: 90,
  timeoutSeconds: { ListAccounts: 900, ScanAccount: 900, PlanWaves: 300, Finalize: 300 },
  memoryMb: { ListAccounts: 512, ScanAccount: 1024, PlanWaves: 1024, Finalize: 1024 },
  organizationsCallsPerSecond: 8,
  listingMarginSeconds: 30,
  parentTransitions: 12,
  transitionsPerChild: 1,
  transitionsPerAccount: 1,
};
const org = { accounts: 10_000, regions: 17, keysPerRegion: 20 };

describe('projectDailyScan', () => {
  it('times each stage from the counts: the scan map in rounds of its concurrency', () => {
    const p = projectDailyScan(org, measured, shape);
    const latency = ASSUMPTIONS.apiLatencyMs / 1000;
    const perAccount = 2 * latency + Math.ceil(17 / 4) * Math.ceil((20 * 2) / 8) * latency + (1 + 3 + 4) * (ASSUMPTIONS.storeLatencyMs / 1000) + ASSUMPTIONS.childOverheadMs / 1000;
    expect(p.keys).toBe(3_400_000);
    expect(p.stages.find((s) => s.name === 'ScanAccounts')!.seconds).toBeCloseTo(250 * perAccount, 6);
    expect(p.stages.find((s) => s.name === 'ListAccounts')!.seconds).toBeCloseTo(500 / 8, 6);
    expect(p.makespanSeconds).toBeCloseTo(p.stages.reduce((n, s) => n + s.seconds, 0), 6);
    // Tag-based priority: 500 pages and 10,000 tag reads at 8/s, over two invocations of 870 s.
    expect(p.listAccountsWithTags.seconds).toBeCloseTo(10_500 / 8, 6);
    expect(p.listAccountsWithTags.invocations).toBe(2);
    expect(p.listAccountsWithTags.makespanSeconds).toBeCloseTo(p.makespanSeconds - 500 / 8 + 10_500 / 8, 6);
    // Twice the concurrency, half the scan.
    const wider = projectDailyScan(org, measured, { ...shape, mapConcurrency: 80 });
    expect(wider.stages.find((s) => s.name === 'ScanAccounts')!.seconds).toBeCloseTo(125 * perAccount, 6);
  });

  it('itemises the cost per run by service at the listed prices, KMS apart', () => {
    const p = projectDailyScan(org, measured, shape);
    expect(p.costItems.stepFunctions).toBeCloseTo((12 + 20_000) * PRICES.stepFunctionsTransition, 9);
    expect(p.costItems.s3).toBeCloseTo(10_000 * (PRICES.s3Put + 3 * PRICES.s3Get), 9);
    const checkpoints = 3_400_000 / 45;
    expect(p.costItems.dynamodb).toBeCloseTo((20_000 + checkpoints) * PRICES.dynamoWriteUnit + 30_000 * PRICES.dynamoReadUnit, 9);
    expect(p.costPerRunUsd).toBeCloseTo(Object.values(p.costItems).reduce((a, b) => a + b, 0), 9);
    expect(p.kmsRequestsPerRunUsd).toBeCloseTo(6_800_000 * PRICES.kmsRequest, 6);
    expect(p.costPerMonthUsd).toBeGreaterThan(30 * p.costPerRunUsd);
  });

  it('counts the scan map\'s transitions per child and per account: batching ten accounts a child nearly halves them; Express children cost less again', () => {
    const batched = projectDailyScan(org, measured, { ...shape, accountsPerChild: 10 });
    expect(batched.costItems.stepFunctions).toBeCloseTo((12 + 1_000 + 10_000) * PRICES.stepFunctionsTransition, 9);
    const perChildSeconds = batched.stages.find((s) => s.name === 'ScanAccounts')!.seconds / 250;
    expect(batched.stepFunctionsWithExpressChildrenUsd).toBeCloseTo(
      12 * PRICES.stepFunctionsTransition + 1_000 * PRICES.stepFunctionsExpressRequest + 1_000 * (perChildSeconds + ASSUMPTIONS.childOverheadMs / 1000) * (64 / 1024) * PRICES.stepFunctionsExpressGbSecond,
      9,
    );
    expect(batched.stepFunctionsWithExpressChildrenUsd).toBeLessThan(batched.costItems.stepFunctions);
    // Batching changes what a run costs, not how long the scan takes at the same accounts at once.
    expect(batched.makespanSeconds).toBeCloseTo(projectDailyScan(org, measured, shape).makespanSeconds, 6);
  });

  it('keeps storage to the retention window and names the steps past half their limit', () => {
    const p = projectDailyScan(org, measured, shape);
    expect(p.s3StorageGb).toBeCloseTo((90 * 3_400_000 * 400) / 2 ** 30, 6);
    expect(projectDailyScan(org, measured, { ...shape, retentionDays: 30 }).dynamoStorageGbAfterYear).toBeLessThan(p.dynamoStorageGbAfterYear);
    expect(p.stepsOverHalfLimit).toEqual([]);
    const slowFinalize = projectDailyScan(org, { ...measured, finalizeCpuMsPerAccount: 20 }, shape);
    expect(slowFinalize.stepsOverHalfLimit).toEqual(['Finalize']);
  });

  it('spreads the summaries over the shards: the busiest partition is a shard', () => {
    const p = projectDailyScan(org, measured, shape);
    const scanSeconds = p.stages.find((s) => s.name === 'ScanAccounts')!.seconds;
    expect(p.maxPartitionWriteShare).toBeCloseTo(10_000 / 16 / scanSeconds / 1000, 9);
    expect(projectDailyScan(org, measured, { ...shape, summaryShards: 32 }).maxPartitionWriteShare).toBeCloseTo(p.maxPartitionWriteShare / 2, 9);
  });
});
