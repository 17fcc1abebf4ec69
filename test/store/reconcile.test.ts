// Reconciling interrupted runs in the store (store/reconcile.ts), on the simulator with the local
// runner: a run left as a killed process leaves it (keys enabled, only the intent on record, the
// record RUNNING with a pid that is gone) is reconciled by the next run of its scope only (its
// Finalize, which says what it reconciled in its result): its
// keys recorded REMEDIATED with their wave outcomes, its record INTERRUPTED naming who reconciled
// it, and never a second time; a key the next run cannot read waits for a later one; a run of
// another scope leaves it alone.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { runAsSeen } from '../../functions/core/runs';
import type { Finding, RunRecord } from '../../functions/core/schemas';
import { reconcileInterruptedRuns, type Reconciled } from '../../functions/store/reconcile';
import type { FinalizeResult } from '../../functions/handlers/finalize';
import { step as recordStoppedExecution } from '../../functions/handlers/record-stopped-execution';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { executionStatusEvent } from '../support/execution-events';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { runLocal } from '../../local/runner';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { standardScenarioPath } from '../scenarios';

const DEAD_PID = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
/** How the CLI reads run records: a RUNNING run whose pid is gone here is INTERRUPTED. */
const runView = (run: RunRecord) => runAsSeen(run, { host: hostname(), isAlive: (pid) => pid !== DEAD_PID, now: new Date() });

let sim: SimulatedOrganization;
let restoreEnv: () => void;
let embedded: EmbeddedStore;

beforeEach(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
  restoreEnv = useSimulatorEnv(sim);
  embedded = await startEmbeddedStore({ runView });
});
afterEach(async () => {
  await embedded.close();
  restoreEnv();
  await sim.close();
});

async function findings(runId: string): Promise<Map<string, Finding>> {
  const out = new Map<string, Finding>();
  for await (const f of embedded.store.findings(runId)) out.set(f.keyArn, f);
  return out;
}

/** A run to its end: its record, and the interrupted runs its Finalize reconciled. */
async function run(runId: string, extra: Record<string, unknown> = {}): Promise<{ record: RunRecord; reconciled: Reconciled[] }> {
  const result = await runLocal({ runId, mode: 'remediate', waves: { size: 3 }, ...extra }, { store: embedded.store, retryDelayMs: 5 });
  expect(result.executionStatus).toBe('SUCCEEDED');
  return { record: (await embedded.store.getRun(runId))!, reconciled: (result.output as FinalizeResult).reconciled };
}

/**
 * A remediation as a killed process leaves it: the keys are enabled in the organization, but their
 * outcomes never reached the store (the intent stays), the waves' outcomes count them failed-to-know,
 * and the record says RUNNING with a pid that no longer runs.
 */
async function killedRun(runId: string, unconfirmed: number, where: 'local' | 'deployed' = 'local'): Promise<Finding[]> {
  await run(runId);
  const remediated = [...(await findings(runId)).values()].filter((f) => f.status === 'REMEDIATED').slice(0, unconfirmed);
  const asLeft = remediated.map(({ remediatedAt: _at, rotationEnabledAfter: _after, reason: _reason, ...f }) => ({ ...f, status: 'NON_COMPLIANT' as const, enableRequestedAt: '2026-01-01T00:00:00.000Z' }));
  await embedded.store.putFindings(asLeft);
  await embedded.store.updateRun(runId, where === 'local' ? { status: 'RUNNING', pid: DEAD_PID, host: hostname(), heartbeatAt: new Date().toISOString() } : { status: 'RUNNING' });
  return asLeft;
}

test('the next run of its scope records the unconfirmed keys REMEDIATED in the interrupted run, once', async () => {
  const left = await killedRun('killed', 3);
  expect((await embedded.store.getRun('killed'))!.status).toBe('INTERRUPTED');
  const { reconciled } = await run('next');
  expect(reconciled).toEqual([{ runId: 'killed', remediated: 3, undecided: 0 }]);
  const after = await findings('killed');
  for (const f of left) {
    expect(after.get(f.keyArn)).toMatchObject({ status: 'REMEDIATED', runId: 'killed', rotationEnabledAfter: true, reason: expect.stringContaining('run next found it rotating') });
  }
  expect((await embedded.store.getRun('killed'))!).toMatchObject({ status: 'INTERRUPTED', reconciledBy: 'next', reconciledKeys: 3, summary: expect.objectContaining({ REMEDIATED: 9 }) });
  // The wave outcomes count them again: 9 keys remediated over the waves.
  const { outcomes } = await embedded.store.accountsOfRun('killed');
  expect(outcomes.reduce((n, o) => n + (o.counts.REMEDIATED ?? 0), 0)).toBe(9);
  // The next run found them rotating: COMPLIANT there, and no key was enabled twice.
  for (const f of left) expect((await findings('next')).get(f.keyArn)!.status).toBe('COMPLIANT');
  for (const c of sim.keyCallCounts({ operation: 'EnableKeyRotation' })) expect(c.succeeded).toBe(1);

  // Reconciled once: by the next run's Finalize, not by the third's, nor when asked again.
  expect((await run('third')).reconciled).toEqual([]);
  expect(await reconcileInterruptedRuns(embedded.store, (await embedded.store.getRun('next'))!, new Date())).toEqual([]);
});

test('a run of another scope, or an earlier one, leaves an interrupted run alone', async () => {
  const earlier = await run('earlier', { mode: 'scan' });
  await killedRun('killed', 2);
  expect((await run('other-scope', { regions: ['us-east-1'] })).reconciled).toEqual([]);
  expect(await reconcileInterruptedRuns(embedded.store, earlier.record, new Date())).toEqual([]);
  expect((await embedded.store.getRun('killed'))!.reconciledBy).toBeUndefined();
  expect([...(await findings('killed')).values()].filter((f) => f.status === 'NON_COMPLIANT' && f.enableRequestedAt)).toHaveLength(2);
});

test('a key the next run could not read waits: the run is reconciled by the first run that reads all its keys', async () => {
  const left = await killedRun('killed', 3);
  // A member account (the management account is read with our own credentials, not a role).
  const account = left.find((f) => f.accountId !== sim.managementAccountId)!.accountId;
  const inAccount = left.filter((f) => f.accountId === account).length;
  // The next run cannot assume the role of that account: its keys are not read.
  const roles = sim.accounts().find((a) => a.id === account)!.roles;
  sim.setRoles(account, []);
  const blind = (await run('blind')).reconciled;
  expect(blind).toEqual([{ runId: 'killed', remediated: 3 - inAccount, undecided: inAccount }]);
  expect((await embedded.store.getRun('killed'))!).toMatchObject({ status: 'INTERRUPTED', reconciledKeys: 3 - inAccount });
  expect((await embedded.store.getRun('killed'))!.reconciledBy).toBeUndefined();

  sim.setRoles(account, roles);
  const seeing = (await run('seeing')).reconciled;
  expect(seeing).toEqual([{ runId: 'killed', remediated: inAccount, undecided: 0 }]);
  expect((await embedded.store.getRun('killed'))!).toMatchObject({ reconciledBy: 'seeing', reconciledKeys: 3 });
  for (const f of left) expect((await findings('killed')).get(f.keyArn)!.status).toBe('REMEDIATED');
});

test('a deployed execution aborted mid-rollout: RUNNING (no process to check) until the rule records it INTERRUPTED; then the next run\'s Finalize records the keys it enabled REMEDIATED there', async () => {
  // Deployed: no pid or host on the record, so nothing reads it INTERRUPTED but the rule's event.
  const left = await killedRun('aborted', 3, 'deployed');
  expect((await run('before-event')).reconciled).toEqual([]);
  expect((await embedded.store.getRun('aborted'))!.status).toBe('RUNNING');

  const executionArn = (await embedded.store.getRun('aborted'))!.executionId!;
  const recorded = await recordStoppedExecution({ store: embedded.store, manifests: new MemoryManifestStore(), now: () => new Date() })(
    executionStatusEvent({ executionArn, status: 'ABORTED', input: { runId: 'aborted', mode: 'remediate' } }),
  );
  expect(recorded).toMatchObject({ outcome: 'interrupted', runId: 'aborted' });

  const { reconciled } = await run('next');
  expect(reconciled).toEqual([{ runId: 'aborted', remediated: 3, undecided: 0 }]);
  const after = await findings('aborted');
  for (const f of left) expect(after.get(f.keyArn)).toMatchObject({ status: 'REMEDIATED', runId: 'aborted', reason: expect.stringContaining('run next found it rotating') });
  expect((await embedded.store.getRun('aborted'))!).toMatchObject({ status: 'INTERRUPTED', haltReason: 'execution ABORTED', reconciledBy: 'next', reconciledKeys: 3 });
  for (const c of sim.keyCallCounts({ operation: 'EnableKeyRotation' })) expect(c.succeeded).toBe(1);
});
