// Remediation benchmark: a full local remediate run (scan, waves, re-reads) of the organization the
// Cloud Custodian comparison used (20 accounts × 3 Regions × 10 keys, half without rotation) under
// the real KMS quotas and 30 ms per call: wall and CPU time, requests by operation, per key and
// per remediated key; beside it a scan of the same organization, and Cloud Custodian's scan and
// remediation of it where c7n-org is installed (bench/custodian.bench.ts; null otherwise, never a
// guess). Figures are printed, never asserted.
import '../local/node-compat';
import { startEmbeddedStore } from '../local/embedded-store';
import { runLocal } from '../local/runner';
import { buildLargeScenario, startSimulator } from '../local/sim';
import { useSimulatorEnv } from '../local/simulator-env';
import { benchCustodian, type CustodianBenchResult, type CustodianRun } from './custodian.bench';

export interface RemediationBenchResult {
  accounts: number;
  keys: number;
  remediatedKeys: number;
  wallSeconds: number;
  cpuSeconds: number;
  apiCalls: Record<string, number>;
  /** AWS requests of the whole run (Organizations aside) per key of the organization. */
  requestsPerKey: number;
  /** The remediation's own requests (EnableKeyRotation, the reads around it, AssumeRole: what the run asked beyond a scan's) per remediated key. */
  requestsPerRemediatedKey: number;
  /** A scan of the same organization: wall and CPU time, requests per key. */
  scan: { wallSeconds: number; cpuSeconds: number; requestsPerKey: number };
  /** Cloud Custodian (c7n-org) on the same organization; null where c7n-org is not installed. */
  custodian: CustodianBenchResult | null;
}

const LATENCY_MS = 30;

interface LocalRun {
  keys: number;
  remediatedKeys: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** AWS requests by operation, Organizations aside (Custodian reads its accounts from a file). */
  apiCalls: Record<string, number>;
}

async function runOnFreshOrganization(mode: 'scan' | 'remediate', accounts: number, keysPerAccount: number): Promise<LocalRun> {
  const sim = await startSimulator({ scenario: buildLargeScenario({ accounts, keysPerAccount, rotatingShare: 0.5 }), latencyMs: LATENCY_MS });
  const embedded = await startEmbeddedStore();
  const restoreEnv = useSimulatorEnv(sim);
  try {
    const cpu = process.cpuUsage();
    const started = Date.now();
    const result = await runLocal({ mode, runId: `bench-${mode}-${accounts}x${keysPerAccount}`, waves: { size: 50 } }, { store: embedded.store });
    const wallSeconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (result.executionStatus !== 'SUCCEEDED') throw new Error(`bench ${mode} ended ${result.executionStatus}: ${result.cause}`);
    const summary = (await embedded.store.getRun(result.runId))?.summary ?? {};
    const apiCalls: Record<string, number> = {};
    for (const c of sim.callCounts()) if (c.service !== 'organizations') apiCalls[`${c.service}:${c.operation}`] = (apiCalls[`${c.service}:${c.operation}`] ?? 0) + c.calls;
    return {
      keys: Object.values(summary).reduce((a, b) => a + (b ?? 0), 0),
      remediatedKeys: summary.REMEDIATED ?? 0,
      wallSeconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      apiCalls,
    };
  } finally {
    restoreEnv();
    await embedded.close();
    await sim.close();
  }
}

const totalOf = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

export async function benchRemediation(accounts = 20, keysPerAccount = 30): Promise<RemediationBenchResult> {
  const run = await runOnFreshOrganization('remediate', accounts, keysPerAccount);
  const scan = await runOnFreshOrganization('scan', accounts, keysPerAccount);
  const enables = run.apiCalls['kms:EnableKeyRotation'] ?? 0;
  // What the remediate run asked beyond a scan of the same organization: the enables, the reads around them, its AssumeRoles.
  const beyondScan = (op: string) => Math.max(0, (run.apiCalls[op] ?? 0) - (scan.apiCalls[op] ?? 0));
  const remediationRequests = enables + beyondScan('kms:GetKeyRotationStatus') + beyondScan('sts:AssumeRole');
  return {
    accounts,
    keys: run.keys,
    remediatedKeys: run.remediatedKeys,
    wallSeconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    apiCalls: run.apiCalls,
    requestsPerKey: totalOf(run.apiCalls) / run.keys,
    requestsPerRemediatedKey: enables > 0 ? remediationRequests / enables : 0,
    scan: { wallSeconds: scan.wallSeconds, cpuSeconds: scan.cpuSeconds, requestsPerKey: totalOf(scan.apiCalls) / scan.keys },
    custodian: await benchCustodian(accounts, keysPerAccount, LATENCY_MS),
  };
}

export function printRemediation(r: RemediationBenchResult): void {
  console.log(`local remediate run (${r.accounts} accounts × 3 Regions × ${r.keys / r.accounts / 3} keys, half without rotation, waves of 50, ${LATENCY_MS} ms per call)`);
  console.log(`  ${r.keys} keys, ${r.remediatedKeys} remediated: wall ${r.wallSeconds.toFixed(1)} s, CPU ${r.cpuSeconds.toFixed(1)} s; ${r.requestsPerKey.toFixed(2)} requests per key, ${r.requestsPerRemediatedKey.toFixed(2)} per remediated key`);
  console.log(`    API calls: ${Object.entries(r.apiCalls).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  const c = r.custodian;
  if (!c) {
    console.log('    Cloud Custodian on the same organization: not measured (no c7n-org on PATH and no C7N_ORG; see bench/custodian.bench.ts)');
    return;
  }
  const side = (label: string, ours: { wallSeconds: number; cpuSeconds: number; requestsPerKey: number }, theirs: CustodianRun) =>
    console.log(`    ${label}: kms-rotor wall ${ours.wallSeconds.toFixed(1)} s, CPU ${ours.cpuSeconds.toFixed(1)} s, ${ours.requestsPerKey.toFixed(2)} requests/key; Custodian wall ${theirs.wallSeconds.toFixed(1)} s, CPU ${theirs.cpuSeconds.toFixed(1)} s, ${theirs.requestsPerKey.toFixed(2)} requests/key (wall ${(ours.wallSeconds / theirs.wallSeconds).toFixed(2)}×, CPU ${(ours.cpuSeconds / theirs.cpuSeconds).toFixed(2)}×)`);
  console.log(`    Cloud Custodian (${c.command}) on the same organization, policy bench/custodian/kms-key-rotation.yml:`);
  side('scan', r.scan, c.scan);
  side('remediate', r, c.remediate);
  console.log(`      Custodian's remediation calls: ${Object.entries(c.remediate.apiCalls).map(([op, n]) => `${op} ${n}`).join(', ')}`);
}
