// Continuous enforcement's figures on the simulated organization at the real KMS quotas and
// LATENCY_MS per AWS call: time to compliance per CreateKey event (p50 and p99, one event at a time,
// in-process: parse, membership, dedup, read, EnableKeyRotation, re-read, record) and a burst of
// CreateKey events in one account drained as the deployed queue feeds the function (batches of
// EVENT_BATCH_SIZE, EVENT_HANDLER_CONCURRENCY at once), from first to last event.
import { randomUUID } from 'node:crypto';
import { EventEnforcer, organizationMembership } from '../functions/aws/event-enforcement';
import { ENABLE_PER_SECOND } from '../functions/aws/rotation';
import { EVENT_BATCH_SIZE, EVENT_HANDLER_CONCURRENCY } from '../functions/core/key-event';
import { DEFAULT_REMEDIATE_ROLE_NAME, DEFAULT_SCAN_ROLE_NAME } from '../functions/core/schemas';
import { startEmbeddedStore } from '../local/embedded-store';
import { demoScenarioPath, startSimulator, type SimulatedOrganization } from '../local/sim';
import { kmsApiCallEvent } from '../local/sim/cloudtrail';
import { useSimulatorEnv } from '../local/simulator-env';

const LATENCY_MS = 30;
const REGION = 'us-east-1';

/** The CreateKey event the member's rule would forward for a key the simulator just created. */
function createKeyEvent(accountId: string, keyId: string): Record<string, unknown> {
  const arn = `arn:aws:kms:${REGION}:${accountId}:key/${keyId}`;
  return kmsApiCallEvent(accountId, REGION, new Date(), {
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${accountId}:user/bench` },
    eventName: 'CreateKey',
    sourceIPAddress: '192.0.2.0',
    userAgent: 'kms-rotor-bench',
    requestParameters: { keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
    responseElements: { keyMetadata: { keyId, arn } },
    requestID: randomUUID(),
    eventID: randomUUID(),
    resources: [{ accountId, type: 'AWS::KMS::Key', ARN: arn }],
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export interface EnforceFigures {
  events: number;
  p50Ms: number;
  p99Ms: number;
  burst: { events: number; seconds: number; enforced: number; throttledCalls: number };
}

export async function main(args: string[]): Promise<EnforceFigures> {
  const quick = args.includes('--quick');
  const sim: SimulatedOrganization = await startSimulator({ scenario: demoScenarioPath, latencyMs: LATENCY_MS });
  const embedded = await startEmbeddedStore();
  const restoreEnv = useSimulatorEnv(sim);
  const member = sim.accounts().find((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE' && a.roles.some((r) => r.name === DEFAULT_REMEDIATE_ROLE_NAME))!.id;
  const enforcer = (perSecond: number) =>
    new EventEnforcer(
      { mode: 'remediate', scanRoleName: DEFAULT_SCAN_ROLE_NAME, remediateRoleName: DEFAULT_REMEDIATE_ROLE_NAME, enablePerSecond: perSecond },
      { store: embedded.store, isMember: organizationMembership(), now: () => new Date() },
    );
  try {
    // Time to compliance, one event at a time (the first pays for AssumeRole and the membership check).
    const single = enforcer(ENABLE_PER_SECOND);
    const times: number[] = [];
    for (let i = 0; i < (quick ? 50 : 200); i++) {
      const key = sim.createKey(member, REGION, { kind: 'not-rotating' });
      const started = performance.now();
      const handled = await single.handle(createKeyEvent(member, key.keyId));
      times.push(performance.now() - started);
      if (handled.outcome !== 'enforced') throw new Error(`event not enforced: ${handled.line}`);
    }
    single.close();
    times.sort((a, b) => a - b);

    // The burst: every event queued at once, drained in batches by the function's concurrency.
    const burstSize = quick ? 100 : 1000;
    const queue = Array.from({ length: burstSize }, () => createKeyEvent(member, sim.createKey(member, REGION, { kind: 'not-rotating' }).keyId));
    sim.resetCallCounts();
    const started = performance.now();
    let enforced = 0;
    const consumer = async () => {
      for (let batch = queue.splice(0, EVENT_BATCH_SIZE); batch.length > 0; batch = queue.splice(0, EVENT_BATCH_SIZE)) {
        const invocation = enforcer(ENABLE_PER_SECOND / EVENT_HANDLER_CONCURRENCY);
        for (const event of batch) if ((await invocation.handle(event)).outcome === 'enforced') enforced++;
        invocation.close();
      }
    };
    await Promise.all(Array.from({ length: EVENT_HANDLER_CONCURRENCY }, consumer));
    const seconds = (performance.now() - started) / 1000;
    const throttledCalls = sim.callCounts({ operation: 'EnableKeyRotation' }).reduce((n, c) => n + Object.values(c.errors).reduce((a, b) => a + b, 0), 0);

    const figures = { events: times.length, p50Ms: Math.round(percentile(times, 50)), p99Ms: Math.round(percentile(times, 99)), burst: { events: burstSize, seconds: Math.round(seconds * 10) / 10, enforced, throttledCalls } };
    console.log(`continuous enforcement (simulator, real KMS quotas, ${LATENCY_MS} ms a call):`);
    console.log(`  time to compliance per CreateKey event, in-process: p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms (${figures.events} events, one at a time)`);
    console.log(
      `  burst of ${burstSize} CreateKey events in one account, ${EVENT_HANDLER_CONCURRENCY} consumers x ${EVENT_BATCH_SIZE}: first to last ${figures.burst.seconds} s, ${enforced} enforced, ${throttledCalls} throttled EnableKeyRotation calls (retried)`,
    );
    return figures;
  } finally {
    restoreEnv();
    await embedded.close();
    await sim.close();
  }
}
