// Interrupted local runs, with the command (cli/bin.ts, through tsx) in a child process against
// the simulated organization in this one: SIGINT or SIGTERM mid-remediation stops cleanly (exit
// 130, the keys in flight written, the run INTERRUPTED), and a second run meanwhile is refused
// naming the first; a run killed with SIGKILL reads as INTERRUPTED in `runs` and `status` while
// its record still says RUNNING, and the next run records the keys it had enabled REMEDIATED
// there. No key is enabled twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../../cli/store-lock';
import type { Finding } from '../../functions/core/schemas';
import { startEmbeddedStore } from '../../local/embedded-store';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { standardScenarioPath } from '../scenarios';
import { rotor } from '../support/rotor-cli';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'cli', 'bin.ts');
/** A run that ended: 0 clean, 3 with findings. */
const FINISHED = [0, 3];

let sim: SimulatedOrganization;
let restoreEnv: () => void;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rotor-interrupt-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Each case on an organization of its own: the keys one case enables stay enabled.
beforeEach(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
  restoreEnv = useSimulatorEnv(sim);
});
afterEach(async () => {
  restoreEnv();
  await sim.close();
});

interface Child {
  process: ChildProcess;
  stderr: () => string;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `rotor ARGS` in a child process pointed at the simulator (it keeps answering: this process is not blocked). */
function rotorChild(args: string[]): Child {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  // The process is node itself (tsx is a loader, not a wrapper): its pid is the one a signal reaches.
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { process: child, stderr: () => stderr, ended };
}

/** Resolves once the simulator has enabled rotation on a key (the child is then inside RemediateAccount). */
async function firstKeyEnabled(child: Child): Promise<void> {
  for (;;) {
    if (sim.totalCalls({ operation: 'EnableKeyRotation' }) > 0) return;
    if (child.process.exitCode !== null) throw new Error(`the run ended before remediating: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A remediate run `runId` in a child process, on a store of its own (the folder `runId` of the
 * scratch one), once it has enabled its first key; each simulated call takes `latencyMs`, so that
 * a signal lands inside a wave.
 */
async function remediationUnderway(runId: string, latencyMs: number): Promise<{ child: Child; dataDir: string }> {
  const dataDir = join(work, runId);
  sim.setLatency(latencyMs);
  const child = rotorChild(['run', '--local', '--mode', 'remediate', '--wave-size', '3', '--no-progress', '--data-dir', dataDir, '--run-id', runId]);
  await firstKeyEnabled(child);
  return { child, dataDir };
}

/** EnableKeyRotation calls per key ARN. */
function enableCalls(): Map<string, number> {
  const byArn = new Map<string, number>();
  for (const c of sim.keyCallCounts({ operation: 'EnableKeyRotation' })) {
    const arn = sim.listKeys(c.accountId, c.region).find((k) => k.keyId === c.keyId)!.arn;
    byArn.set(arn, (byArn.get(arn) ?? 0) + c.calls);
  }
  return byArn;
}

/** What the store holds for some runs: the stored records (as written) and findings by key ARN. */
async function stored(dataDir: string, runIds: string[]) {
  const embedded = await startEmbeddedStore({ path: join(dataDir, 'db') });
  try {
    const out: Record<string, { status: string | undefined; record: Record<string, unknown> | undefined; findings: Map<string, Finding> }> = {};
    for (const runId of runIds) {
      const findings = new Map<string, Finding>();
      for await (const f of embedded.store.findings(runId)) {
        expect(findings.has(f.keyArn)).toBe(false);
        findings.set(f.keyArn, f);
      }
      const record = await embedded.store.getRun(runId);
      out[runId] = { status: record?.status, record: record as Record<string, unknown> | undefined, findings };
    }
    return out;
  } finally {
    await embedded.close();
  }
}

test('SIGINT mid-remediation: exit 130, the keys in flight written, INTERRUPTED; a second run meanwhile refused; the next run enables the rest once', async () => {
  const { child, dataDir } = await remediationUnderway('stopped-run', 150);

  // While it runs: another run on the store is refused, naming it; so is a listing.
  const second = await rotor('run', '--local', '--mode', 'remediate', '--data-dir', dataDir);
  expect(second.code).toBe(2);
  expect(second.stderr).toContain(`is in use by run stopped-run (pid ${child.process.pid})`);
  const listing = await rotor('runs', '--data-dir', dataDir);
  expect(listing.code).toBe(2);
  expect(listing.stderr).toContain('reports can be read when it ends');

  child.process.kill('SIGINT');
  const ended = await child.ended;
  expect(ended).toEqual({ code: 130, signal: null });
  expect(child.stderr()).toContain('SIGINT: stopping run stopped-run');
  expect(child.stderr()).toContain('run stopped-run INTERRUPTED');
  expect(child.stderr()).not.toMatch(/\n\s+at /);
  expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);

  const enabled = enableCalls();
  const { 'stopped-run': stopped } = await stored(dataDir, ['stopped-run']);
  expect(stopped.status).toBe('INTERRUPTED');
  expect(stopped.record).toMatchObject({ pid: child.process.pid, finishedAt: expect.any(String) });
  // It stopped part-way: some keys enabled, not all of them.
  const nonCompliant = [...stopped.findings.values()].filter((f) => f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATED');
  expect(enabled.size).toBeGreaterThan(0);
  expect(enabled.size).toBeLessThan(nonCompliant.length);
  // Every key it enabled was finished and written: REMEDIATED, and rotating in the organization.
  for (const [arn, calls] of enabled) {
    expect(calls).toBe(1);
    expect(stopped.findings.get(arn)).toMatchObject({ status: 'REMEDIATED', rotationEnabledAfter: true });
  }
  expect([...stopped.findings.values()].filter((f) => f.status === 'REMEDIATED')).toHaveLength(enabled.size);
  expect(stopped.record).toMatchObject({ summary: expect.objectContaining({ REMEDIATED: enabled.size }) });

  const status = await rotor('status', 'stopped-run', '--data-dir', dataDir);
  expect(status.stdout).toContain('run stopped-run (remediate): INTERRUPTED');

  sim.setLatency(0);
  const next = await rotor('run', '--local', '--quiet', '--mode', 'remediate', '--wave-size', '3', '--data-dir', dataDir, '--run-id', 'next-run');
  expect(FINISHED).toContain(next.code);
  const { 'next-run': after } = await stored(dataDir, ['next-run']);
  expect(after.status).toBe('SUCCEEDED');
  for (const [arn, calls] of enableCalls()) {
    expect(calls).toBe(1);
    // Enabled by the first run: rotating when the second looked; else the second enabled it.
    expect(after.findings.get(arn)!.status).toBe(enabled.has(arn) ? 'COMPLIANT' : 'REMEDIATED');
  }
  // Every key the first run left is enabled by the second, once.
  expect(enableCalls().size).toBe(nonCompliant.length);
});

test('SIGTERM stops it the same way: exit 130, the keys it enabled written, INTERRUPTED', async () => {
  const { child, dataDir } = await remediationUnderway('terminated-run', 150);
  child.process.kill('SIGTERM');
  expect(await child.ended).toEqual({ code: 130, signal: null });
  expect(child.stderr()).toContain('SIGTERM: stopping run terminated-run');
  const { 'terminated-run': stopped } = await stored(dataDir, ['terminated-run']);
  expect(stopped.status).toBe('INTERRUPTED');
  const enabled = enableCalls();
  expect(enabled.size).toBeGreaterThan(0);
  for (const [arn, calls] of enabled) {
    expect(calls).toBe(1);
    expect(stopped.findings.get(arn)!.status).toBe('REMEDIATED');
  }
});

test('SIGKILL mid-remediation: RUNNING on record but INTERRUPTED in runs and status; the next run records the keys it enabled REMEDIATED there', async () => {
  // The re-read after EnableKeyRotation takes this long: the kill lands between the enable and its outcome.
  const { child, dataDir } = await remediationUnderway('killed-run', 300);
  child.process.kill('SIGKILL');
  expect(await child.ended).toEqual({ code: null, signal: 'SIGKILL' });
  // A request the process had sent is still answered (AWS would carry it out too): let it land.
  await new Promise((r) => setTimeout(r, 1000));
  sim.setLatency(0);

  const enabledByKilled = enableCalls();
  const { 'killed-run': killed } = await stored(dataDir, ['killed-run']);
  expect(killed.status).toBe('RUNNING');
  expect(killed.record).toMatchObject({ pid: child.process.pid, host: expect.any(String), heartbeatAt: expect.any(String) });
  // The case this is about: keys rotating in the organization with only the intent on record.
  const unrecorded = [...enabledByKilled.keys()].filter((arn) => killed.findings.get(arn)?.status === 'NON_COMPLIANT');
  expect(unrecorded.length).toBeGreaterThan(0);
  for (const arn of unrecorded) expect(killed.findings.get(arn)!.enableRequestedAt).toEqual(expect.any(String));

  // Its lock is still there; its process is gone, so readers take it over.
  expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
  const runs = await rotor('runs', '--data-dir', dataDir);
  expect(runs.code).toBe(0);
  expect(runs.stdout).toMatch(/killed-run\s+remediate\s+INTERRUPTED/);
  const status = await rotor('status', 'killed-run', '--data-dir', dataDir);
  expect(status.stdout).toContain('run killed-run (remediate): INTERRUPTED');
  expect(status.stdout).toContain(`interrupted (pid ${child.process.pid} on `);
  expect(status.stdout).toContain('the next run of its scope records the keys it enabled');
  const json = await rotor('runs', '--data-dir', dataDir, '--output', 'json');
  expect(JSON.parse(json.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ runId: 'killed-run', status: 'INTERRUPTED' })]));

  const next = await rotor('run', '--local', '--mode', 'remediate', '--no-progress', '--data-dir', dataDir, '--run-id', 'next-run');
  expect(FINISHED).toContain(next.code);
  const reconciledKeys = [...enabledByKilled.keys()].filter((arn) => killed.findings.get(arn)?.status !== 'REMEDIATED').length;
  expect(next.stderr).toContain(`run killed-run was INTERRUPTED: ${reconciledKeys} key(s) it enabled are now recorded REMEDIATED there (found rotating by next-run)`);

  const after = await stored(dataDir, ['killed-run', 'next-run']);
  expect(after['killed-run'].record).toMatchObject({ status: 'INTERRUPTED', reconciledBy: 'next-run', reconciledKeys });
  expect(after['next-run'].record?.previousRunId).toBeUndefined();
  for (const arn of enabledByKilled.keys()) {
    // Attributed to the run that enabled it; the next run saw it rotating and left it alone.
    expect(after['killed-run'].findings.get(arn)).toMatchObject({ status: 'REMEDIATED', runId: 'killed-run', rotationEnabledAfter: true });
    expect(after['next-run'].findings.get(arn)).toMatchObject({ status: 'COMPLIANT' });
  }
  for (const arn of unrecorded) expect(after['killed-run'].findings.get(arn)!.reason).toContain('found it rotating');
  // No key enabled twice across both runs; every other non-compliant key enabled by the next run.
  for (const [arn, calls] of enableCalls()) {
    expect({ arn, calls }).toEqual({ arn, calls: 1 });
    if (!enabledByKilled.has(arn)) expect(after['next-run'].findings.get(arn)!.status).toBe('REMEDIATED');
  }
  expect((await rotor('status', 'killed-run', '--data-dir', dataDir)).stdout).toContain(`reconciled by run next-run: ${reconciledKeys} key(s) it enabled recorded REMEDIATED`);
  // The operator's guide gives these very commands for a killed run (run above, with --data-dir).
  const guide = readFileSync(join(REPO, 'docs', 'operator-guide.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(guide.slice(guide.indexOf('## Interrupting a local run')))![1];
  expect(block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)).toEqual(['rotor runs', 'rotor status RUN_ID', 'rotor run --local --mode remediate']);
  // Reconciled once: a later run has nothing left to record.
  const again = await rotor('run', '--local', '--mode', 'scan', '--no-progress', '--data-dir', dataDir, '--run-id', 'third-run');
  expect(again.stderr).not.toContain('was INTERRUPTED');
});
