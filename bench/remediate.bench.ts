// Remediation benchmark: a full local remediate run (scan, waves, re-reads) of the organization the
// Cloud Custodian comparison used (20 accounts × 3 Regions × 10 keys, half without rotation) under
// the real KMS quotas and 30 ms per call: wall and CPU time, requests by operation, per key and
// per remediated key. Custodian's own figures need c7n, which this machine cannot install, so
// they are null here, never a guess. Figures are printed, never asserted.
import '../local/node-compat';
import { startEmbeddedStore } from '../local/embedded-store';
import { runLocal } from '../local/runner';
import { buildLargeScenario, startSimulator } from '../local/sim';
import { useSimulatorEnv } from '../local/simulator-env';

export interface RemediationBenchResult {
  accounts: number;
  keys: number;
  remediatedKeys: number;
  wallSeconds: number;
  cpuSeconds: number;
  apiCalls: Record<string, number>;
  /** AWS requests of the whole run (Organizations aside) per key of the organization. */
  requestsPerKey: number;
  /** The remediation's own requests (EnableKeyRotation, the reads around it, AssumeRole beyond the scan's) per remediated key. */
  requestsPerRemediatedKey: number;
  /** Cloud Custodian (c7n-org) on the same organization: not measurable here. */
  custodian: { wallSeconds: number | null; requestsPerKey: number | null };
}

const LATENCY_MS = 30;

export async function benchRemediation(accounts = 20, keysPerAccount = 30): Promise<RemediationBenchResult> {
  const sim = await startSimulator({ scenario: buildLargeScenario({ accounts, keysPerAccount, rotatingShare: 0.5 }), latencyMs: LATENCY_MS });
  const embedded = await startEmbeddedStore();
  const restoreEnv = useSimulatorEnv(sim);
  try {
    const cpu = process.cpuUsage();
    const started = Date.now();
    const result = await runLocal({ mode: 'remediate', runId: `bench-remediate-${accounts}x${keysPerAccount}`, waves: { size: 50 } }, { store: embedded.store });
    const wallSeconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (result.executionStatus !== 'SUCCEEDED') throw new Error(`bench remediation ended ${result.executionStatus}: ${result.cause}`);
    const summary = (await embedded.store.getRun(result.runId))?.summary ?? {};
    const keys = Object.values(summary).reduce((a, b) => a + (b ?? 0), 0);
    const apiCalls: Record<string, number> = {};
    for (const c of sim.callCounts()) if (c.service !== 'organizations') apiCalls[`${c.service}:${c.operation}`] = (apiCalls[`${c.service}:${c.operation}`] ?? 0) + c.calls;
    const total = Object.values(apiCalls).reduce((a, b) => a + b, 0);
    const enables = apiCalls['kms:EnableKeyRotation'] ?? 0;
    // Each enabled key is read before and after; AssumeRole beyond one per member for the scan is remediation's.
    const members = accounts - 1;
    const remediationRequests = enables * 3 + Math.max(0, (apiCalls['sts:AssumeRole'] ?? 0) - members);
    return {
      accounts,
      keys,
      remediatedKeys: summary.REMEDIATED ?? 0,
      wallSeconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      apiCalls,
      requestsPerKey: total / keys,
      requestsPerRemediatedKey: enables > 0 ? remediationRequests / enables : 0,
      custodian: { wallSeconds: null, requestsPerKey: null },
    };
  } finally {
    restoreEnv();
    await embedded.close();
    await sim.close();
  }
}

export function printRemediation(r: RemediationBenchResult): void {
  console.log(`local remediate run (${r.accounts} accounts × 3 Regions × ${r.keys / r.accounts / 3} keys, half without rotation, waves of 50, ${LATENCY_MS} ms per call)`);
  console.log(`  ${r.keys} keys, ${r.remediatedKeys} remediated: wall ${r.wallSeconds.toFixed(1)} s, CPU ${r.cpuSeconds.toFixed(1)} s; ${r.requestsPerKey.toFixed(2)} requests per key, ${r.requestsPerRemediatedKey.toFixed(2)} per remediated key`);
  console.log(`    API calls: ${Object.entries(r.apiCalls).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  console.log('    Cloud Custodian on the same organization: not measured here (c7n cannot be installed on this machine)');
}
