// Scan benchmark: a local scan of a large simulated organization with the real KMS quotas (a
// token bucket per account, Region and operation), printing time, throughput, API calls per key
// and memory. Figures are printed, never asserted.
import '../local/node-compat';
import { startEmbeddedStore } from '../local/embedded-store';
import { runLocal } from '../local/runner';
import { buildLargeScenario, startSimulator } from '../local/sim';
import { useSimulatorEnv } from '../local/simulator-env';

export interface ScanBenchResult {
  accounts: number;
  keys: number;
  seconds: number;
  apiCalls: number;
  throttled: number;
  peakRssMiB: number;
}

export async function benchScan(accounts: number, keysPerAccount: number, latencyMs = 2): Promise<ScanBenchResult> {
  const sim = await startSimulator({ scenario: buildLargeScenario({ accounts, keysPerAccount }), latencyMs });
  const embedded = await startEmbeddedStore();
  const restoreEnv = useSimulatorEnv(sim);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const started = Date.now();
    const result = await runLocal({ mode: 'scan', runId: `bench-${accounts}x${keysPerAccount}` }, { store: embedded.store });
    const seconds = (Date.now() - started) / 1000;
    if (result.executionStatus !== 'SUCCEEDED') throw new Error(`bench scan ended ${result.executionStatus}: ${result.cause}`);
    const run = await embedded.store.getRun(result.runId);
    const keys = Object.values(run?.summary ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    const kms = sim.callCounts({ service: 'kms' });
    return {
      accounts,
      keys,
      seconds,
      apiCalls: sim.totalCalls(),
      throttled: kms.reduce((n, c) => n + (c.errors.ThrottlingException ?? 0), 0),
      peakRssMiB: peak / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    restoreEnv();
    await embedded.close();
    await sim.close();
  }
}

export async function main(): Promise<ScanBenchResult[]> {
  console.log('local scan of a simulated organization (real KMS quotas, 2 ms latency per call)');
  console.log('accounts   keys   time (s)   keys/s   API calls   calls/key   throttled   peak RSS (MiB)');
  const results: ScanBenchResult[] = [];
  for (const [accounts, keysPerAccount] of [
    [20, 30],
    [100, 30],
    [50, 300],
  ]) {
    const r = await benchScan(accounts, keysPerAccount);
    results.push(r);
    console.log(
      `${String(r.accounts).padStart(8)} ${String(r.keys).padStart(6)} ${r.seconds.toFixed(1).padStart(10)} ${(r.keys / r.seconds).toFixed(0).padStart(8)} ${String(r.apiCalls).padStart(11)} ${(r.apiCalls / r.keys).toFixed(2).padStart(11)} ${String(r.throttled).padStart(11)} ${r.peakRssMiB.toFixed(0).padStart(16)}`,
    );
  }
  return results;
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
