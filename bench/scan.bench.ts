// Scan benchmark: local scans of simulated organizations with the real KMS quotas and a simulated
// latency per call, printing wall and CPU time, memory, API calls per key, ScanAccount runs per
// account and what the store read and wrote; then the same counts, a second (unchanged) scan's
// writes and Finalize's CPU fed to the scale model (bench/scale-model.ts) for 1,000 and 10,000
// accounts; last, a full remediate run (bench/remediate.bench.ts). Figures are printed, never asserted.
import '../local/node-compat';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETENTION_DAYS } from '../functions/store/results-store';
import { SHARDS } from '../functions/store/layout';
import { MemoryManifestStore } from '../functions/aws/manifests';
import { ORGANIZATIONS_CALLS_PER_SECOND } from '../functions/aws/organization';
import { step as finalize } from '../functions/handlers/finalize';
import { DRIFT_CONCURRENCY } from '../functions/store/run-drift';
import { startEmbeddedStore } from '../local/embedded-store';
import { runLocal } from '../local/runner';
import { ASL_PATH } from '../statemachine/asl';
import { useSimulatorEnv } from '../local/simulator-env';
import { peakRss } from './peak-rss';
import { benchRemediation, printRemediation } from './remediate.bench';
import { startSimulatorProcess } from './sim-process';
import { ASSUMPTIONS, projectDailyScan, type MeasuredScan, type Projection } from './scale-model';

export interface ScanBenchResult {
  accounts: number;
  keys: number;
  wallSeconds: number;
  /** Both processes', the rotor's and the simulator's, during the first scan. */
  cpuSeconds: number;
  cpuMsPerKey: number;
  /** The simulator process's share of cpuSeconds. */
  simulatorCpuSeconds: number;
  /** The rotor process's peak resident set during the first scan (VmHWM where Linux gives it). */
  peakRssMiB: number;
  apiCalls: Record<string, number>;
  callsPerKey: number;
  scanAccountRunsPerAccount: number;
  store: { itemsRead: number; itemsWritten: number; objectsRead: number; objectsWritten: number; maxPartitionWrites: number | null; maxPartitionShare: number | null };
  measured: MeasuredScan;
}

const LATENCY_MS = 30;
/** The organization `local.peakRssMiBAt100kKeys` is measured on: accounts × keys per account. */
export const HUNDRED_K_KEYS: [number, number] = [100, 1000];

/**
 * One size's scans. `countWritesByPartition` also counts the write units of every partition key (an
 * entry per key, so not on the size whose peak RSS is the figure: `rotor run --local` keeps none).
 */
export async function benchScan(accounts: number, keysPerAccount: number, options: { countWritesByPartition?: boolean } = {}): Promise<ScanBenchResult> {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
  // The simulated organization in its own process, as AWS is: the figures are the rotor process's
  // memory, and the CPU of both processes summed.
  const sim = await startSimulatorProcess({ scenario: { accounts, keysPerAccount, regions }, latencyMs: LATENCY_MS });
  // On disk, as `rotor run --local` keeps it: memory then stays flat in the size of the org.
  const storeDir = mkdtempSync(join(tmpdir(), 'kms-rotor-bench-'));
  const embedded = await startEmbeddedStore({ path: join(storeDir, 'db'), countWritesByPartition: options.countWritesByPartition });
  const restoreEnv = useSimulatorEnv(sim);
  const rss = peakRss();
  try {
    let scanAccountRuns = 0;
    const onProgress = (p: { state: string; event: string }) => {
      if (p.state === 'ScanAccount' && p.event !== 'retried') scanAccountRuns++;
    };
    const simCpu = await sim.cpuUsage();
    const cpu = process.cpuUsage();
    const started = Date.now();
    const result = await runLocal({ mode: 'scan', runId: `bench-${accounts}x${keysPerAccount}` }, { store: embedded.store, onProgress });
    const wallSeconds = (Date.now() - started) / 1000;
    const rotorCpu = process.cpuUsage(cpu);
    const simUsed = await sim.cpuUsage();
    const used = { user: rotorCpu.user + simUsed.user - simCpu.user, system: rotorCpu.system + simUsed.system - simCpu.system };
    const peakRssMiB = rss.peakMiB();
    if (result.executionStatus !== 'SUCCEEDED') throw new Error(`bench scan ended ${result.executionStatus}: ${result.cause}`);
    const run = await embedded.store.getRun(result.runId);
    const keys = Object.values(run?.summary ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    const apiCalls: Record<string, number> = {};
    for (const c of await sim.callCounts()) apiCalls[`${c.service}:${c.operation}`] = (apiCalls[`${c.service}:${c.operation}`] ?? 0) + c.calls;
    const counters = embedded.store.counters;
    const firstRun = { ...counters, writesByPartition: new Map(counters.writesByPartition) };
    const runWrites = [...firstRun.writesByPartition.values()].reduce((a, b) => a + b, 0);
    const maxPartitionWrites = options.countWritesByPartition ? Math.max(...firstRun.writesByPartition.values()) : null;
    const kmsCalls = Object.entries(apiCalls).filter(([op]) => op.startsWith('kms:')).reduce((n, [, c]) => n + c, 0);
    const otherCalls = Object.entries(apiCalls).filter(([op]) => !op.startsWith('kms:') && !op.startsWith('organizations:')).reduce((n, [, c]) => n + c, 0);

    // A second scan of the unchanged organization: what a daily scan writes.
    const before = { ...embedded.store.counters };
    const second = await runLocal({ mode: 'scan', runId: `bench-${accounts}x${keysPerAccount}-again` }, { store: embedded.store });
    if (second.executionStatus !== 'SUCCEEDED') throw new Error(`second bench scan ended ${second.executionStatus}`);
    const unchangedWrites = embedded.store.counters.itemsWritten - before.itemsWritten;
    const s3Puts = embedded.store.counters.objectsWritten - before.objectsWritten;
    const s3Gets = embedded.store.counters.objectsRead - before.objectsRead;
    const readsPerRun = embedded.store.counters.itemsRead - before.itemsRead;

    // Finalize alone, again: its CPU per account (it reads the account summaries).
    const finalizeCpu = process.cpuUsage();
    await finalize({ store: embedded.store, manifests: new MemoryManifestStore(), now: () => new Date() })({ runId: second.runId, config: { ...(run!.input as Record<string, unknown>), runId: second.runId } as never });
    const finalizeUsed = process.cpuUsage(finalizeCpu);

    const scan = await embedded.store.getAccountScan(result.runId, (await embedded.store.accountsOfRun(result.runId)).summaries[0].accountId);
    const bytesPerFinding = scan && scan.findings.length > 0 ? Buffer.byteLength(JSON.stringify(scan)) / scan.findings.length : 500;
    const summary = await embedded.store.getAccountSummary(result.runId, scan!.accountId);
    return {
      accounts,
      keys,
      wallSeconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      cpuMsPerKey: (used.user + used.system) / 1000 / keys,
      simulatorCpuSeconds: (simUsed.user + simUsed.system - simCpu.user - simCpu.system) / 1e6,
      peakRssMiB,
      apiCalls,
      callsPerKey: (kmsCalls + otherCalls) / keys,
      scanAccountRunsPerAccount: scanAccountRuns / accounts,
      store: { itemsRead: firstRun.itemsRead, itemsWritten: firstRun.itemsWritten, objectsRead: firstRun.objectsRead, objectsWritten: firstRun.objectsWritten, maxPartitionWrites, maxPartitionShare: maxPartitionWrites === null ? null : maxPartitionWrites / runWrites },
      measured: {
        kmsCallsPerKey: kmsCalls / keys,
        otherCallsPerAccount: otherCalls / accounts,
        writeUnitsPerAccountUnchanged: unchangedWrites / accounts,
        readUnitsPerAccount: readsPerRun / accounts,
        s3PutsPerAccount: s3Puts / accounts,
        s3GetsPerAccount: s3Gets / accounts,
        bytesPerFinding,
        historyItemBytes: bytesPerFinding + 200,
        summaryItemBytes: Buffer.byteLength(JSON.stringify(summary)) + 100,
        finalizeCpuMsPerAccount: (finalizeUsed.user + finalizeUsed.system) / 1000 / accounts,
      },
    };
  } finally {
    rss.stop();
    restoreEnv();
    await embedded.close();
    await sim.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

/** The deployment's shape as the code sets it: the ASL's map concurrency, the handlers' timeouts and memory. */
function deploymentShape(): Parameters<typeof projectDailyScan>[2] {
  type MapState = { MaxConcurrency?: number; ItemBatcher?: { MaxItemsPerBatch?: number }; ItemProcessor?: { States: Record<string, MapState> } };
  const scanMap = (JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: Record<string, MapState> }).States.ScanAccounts;
  // Children at once, each scanning its batch's accounts its inner Map's MaxConcurrency at a time.
  const accountsPerChild = scanMap.ItemBatcher?.MaxItemsPerBatch ?? 1;
  const batchMap = Object.values(scanMap.ItemProcessor?.States ?? {}).find((s) => s.ItemProcessor);
  const atOnceInChild = Math.min(accountsPerChild, batchMap?.MaxConcurrency ?? accountsPerChild);
  return {
    mapConcurrency: (scanMap.MaxConcurrency ?? 40) * atOnceInChild,
    accountsPerChild,
    regionConcurrency: 4,
    keyCallConcurrency: 8,
    finalizeConcurrency: DRIFT_CONCURRENCY,
    summaryShards: SHARDS,
    retentionDays: DEFAULT_RETENTION_DAYS,
    timeoutSeconds: { ListAccounts: 900, ScanAccount: 900, PlanWaves: 300, Finalize: 300 },
    memoryMb: { ListAccounts: 512, ScanAccount: 1024, PlanWaves: 1024, Finalize: 1024 },
    organizationsCallsPerSecond: ORGANIZATIONS_CALLS_PER_SECOND,
    // ListAccounts stops 30 s before its timeout to save its listing (functions/handlers/list-accounts.ts).
    listingMarginSeconds: 30,
    // The parent states a scan passes through, StartListing and AccountsListed included.
    parentTransitions: 14,
    // A child: its batch Map state; per account, its ScanAccount Task.
    transitionsPerChild: 1,
    transitionsPerAccount: 1,
  };
}

function printProjection(p: Projection): void {
  const min = (s: number) => `${(s / 60).toFixed(1)} min`;
  console.log(`  ${p.accounts} accounts, ${p.keys} keys: makespan ${min(p.makespanSeconds)}`);
  for (const s of p.stages) console.log(`    ${s.name.padEnd(13)} ${s.seconds.toFixed(1).padStart(8)} s  ${(s.shareOfLimit * 100).toFixed(0).padStart(4)}% of its limit   binds on: ${s.bindsOn}`);
  const items = Object.entries(p.costItems).map(([k, v]) => `${k} $${v.toFixed(3)}`).join(', ');
  console.log(`    cost per run $${p.costPerRunUsd.toFixed(2)} (${items}); KMS requests $${p.kmsRequestsPerRunUsd.toFixed(2)} a run, separately`);
  console.log(`    Step Functions with Express children instead (modelled, not deployed): $${p.stepFunctionsWithExpressChildrenUsd.toFixed(3)} a run`);
  console.log(`    per month (daily) $${p.costPerMonthUsd.toFixed(2)} with storage: DynamoDB ${p.dynamoStorageGbAfterYear.toFixed(1)} GB after a year, S3 ${p.s3StorageGb.toFixed(1)} GB`);
  console.log(`    busiest partition: ${(p.maxPartitionWriteShare * 100).toFixed(3)}% of its write limit; steps over half their limit: ${p.stepsOverHalfLimit.join(', ') || 'none'}`);
  const tagged = p.listAccountsWithTags;
  console.log(`    with tag-based priority: ListAccounts ${tagged.seconds.toFixed(0)} s over ${tagged.invocations} invocation(s) (a tag read per account), makespan ${min(tagged.makespanSeconds)}`);
}

export async function main(args: string[] = []): Promise<unknown> {
  const sizes: [number, number][] = args.includes('--quick') ? [[100, 30]] : [[1000, 30], HUNDRED_K_KEYS];
  console.log(`local scan of a simulated organization (3 Regions, real KMS quotas, ${LATENCY_MS} ms per call)`);
  console.log('accounts    keys  wall (s)  CPU (s)  CPU ms/key  peak RSS (MiB)  calls/key  ScanAccount runs/account  items read/written  objects read/written  busiest partition');
  const results: ScanBenchResult[] = [];
  for (const [accounts, keysPerAccount] of sizes) {
    // The first size's counts feed the projection; the others' figure is their memory.
    const r = await benchScan(accounts, keysPerAccount, { countWritesByPartition: results.length === 0 });
    results.push(r);
    console.log(
      `${String(r.accounts).padStart(8)} ${String(r.keys).padStart(7)} ${r.wallSeconds.toFixed(1).padStart(9)} ${r.cpuSeconds.toFixed(1).padStart(8)} ${r.cpuMsPerKey.toFixed(2).padStart(11)} ${r.peakRssMiB.toFixed(0).padStart(15)} ${r.callsPerKey.toFixed(2).padStart(10)} ${r.scanAccountRunsPerAccount.toFixed(2).padStart(25)} ${`${r.store.itemsRead}/${r.store.itemsWritten}`.padStart(19)} ${`${r.store.objectsRead}/${r.store.objectsWritten}`.padStart(21)} ${(r.store.maxPartitionShare === null ? '-' : `${(r.store.maxPartitionShare * 100).toFixed(1)}%`).padStart(17)}`,
    );
    console.log(`    API calls: ${Object.entries(r.apiCalls).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  }
  const measured = results[0].measured;
  console.log('');
  console.log(`projection of a daily scan, 17 Regions × 20 keys per account, from the first size's counts (assumptions: ${JSON.stringify(ASSUMPTIONS)})`);
  const projection: Record<string, Projection> = {};
  for (const accounts of [1000, 10000]) {
    projection[String(accounts)] = projectDailyScan({ accounts, regions: 17, keysPerRegion: 20 }, measured, deploymentShape());
    printProjection(projection[String(accounts)]);
  }
  const hundredK = results.find((r) => r.keys >= 100_000);
  console.log('');
  const remediation = await benchRemediation();
  printRemediation(remediation);
  return {
    projection,
    remediation,
    local: {
      cpuMsPerKey: results[0].cpuMsPerKey,
      scanAccountRunsPerAccount: Math.max(...results.map((r) => r.scanAccountRunsPerAccount)),
      peakRssMiBAt100kKeys: hundredK ? hundredK.peakRssMiB : null,
    },
    scans: results,
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
